using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using System.Text.Json;
using SeqDsl.Runtime.Episodes;
using SeqDsl.Runtime.IO;

namespace SeqDsl.Runtime.Reporting;

/// <summary>A figure over the folds of a cross-validation: mean and sample standard deviation of the folds where it is defined.</summary>
/// <param name="Mean">The mean; null when no fold defines the figure.</param>
/// <param name="Std">The sample standard deviation (n − 1); null with fewer than two defined folds.</param>
/// <param name="Folds">How many folds define it.</param>
public sealed record FoldStatistic(double? Mean, double? Std, int Folds)
{
    /// <summary>The statistic of <paramref name="values"/>, one per fold, null where a fold leaves the figure undefined.</summary>
    public static FoldStatistic Of(IEnumerable<double?> values)
    {
        var defined = values.OfType<double>().Where(double.IsFinite).ToArray();
        if (defined.Length == 0) return new FoldStatistic(null, null, 0);
        double mean = defined.Average();
        double? std = defined.Length < 2 ? null : Math.Sqrt(defined.Sum(v => (v - mean) * (v - mean)) / (defined.Length - 1));
        return new FoldStatistic(mean, std, defined.Length);
    }

    /// <inheritdoc/>
    public override string ToString() => Mean is not double m ? "—"
        : Std is double s ? $"{m.ToString("F3", CultureInfo.InvariantCulture)} ± {s.ToString("F3", CultureInfo.InvariantCulture)}"
        : m.ToString("F3", CultureInfo.InvariantCulture);
}

/// <summary>One row of a cross-validation: a model, an ensemble or a baseline, its test figures over the folds.</summary>
public sealed record CrossValidationRow(string Name, FoldStatistic MicroAuroc, FoldStatistic MacroAuroc, FoldStatistic MicroF1,
    FoldStatistic MacroF1, FoldStatistic PrecisionAtK, FoldStatistic FirstLabelAuroc, FoldStatistic FirstLabelAuprc);

/// <summary>
/// k-fold cross-validation of an episodes experiment by record: the test figures of every fold's run (each with its own
/// run folder and metrics.json) as mean ± standard deviation, the way the papers report them. F1 is at the thresholds
/// tuned on each fold's validation records.
/// </summary>
public sealed record CrossValidationReport
{
    /// <summary>The experiment.</summary>
    public required string Experiment { get; init; }

    /// <summary>The number of folds.</summary>
    public required int Folds { get; init; }

    /// <summary>The scored labels; the first is the one the table singles out.</summary>
    public required IReadOnlyList<string> Labels { get; init; }

    /// <summary>The k of precision at k.</summary>
    public int K { get; init; }

    /// <summary>The model, then its ensembles and the baselines.</summary>
    public required IReadOnlyList<CrossValidationRow> Rows { get; init; }

    /// <summary>The rows of <paramref name="folds"/>' reports; the model's row is named "model" (its best epoch differs per fold).</summary>
    public static CrossValidationReport From(IReadOnlyList<EpisodeReport> folds)
    {
        var first = folds[0];
        var names = new[] { "model" }.Concat(first.Ensembles.Select(e => e.Name)).Concat(first.Baselines.Select(b => b.Name)).ToArray();
        var rows = names.Select(name =>
        {
            var tests = folds.Select(r => (name == "model" ? r.Model : r.Ensembles.Concat(r.Baselines).FirstOrDefault(s => s.Name == name))?.Test).ToArray();
            FoldStatistic Stat(Func<MultiLabelMetrics, double?> pick) => FoldStatistic.Of(tests.Select(t => t is null ? null : pick(t)));
            return new CrossValidationRow(name, Stat(t => t.MicroAuroc), Stat(t => t.MacroAuroc), Stat(t => t.MicroF1Tuned ?? t.MicroF1),
                Stat(t => t.MacroF1Tuned ?? t.MacroF1), Stat(t => t.PrecisionAtK), Stat(t => t.Labels[0].Auroc), Stat(t => t.Labels[0].Auprc));
        }).ToArray();
        int k = folds.Select(r => r.Model.Test?.K).OfType<int>().FirstOrDefault(1);
        return new CrossValidationReport { Experiment = first.Experiment, Folds = folds.Count, Labels = first.Labels, K = k, Rows = rows };
    }

    /// <summary>Writes cross-validation.json (snake_case, atomically; undefined figures are null).</summary>
    public void Write(string path) =>
        AtomicFile.WriteText(path, JsonSerializer.Serialize(this, new JsonSerializerOptions { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower }) + "\n");

    /// <summary>The console table: one row per model, ensemble or baseline, each figure as mean ± std over the folds' test splits.</summary>
    public string Render()
    {
        string label = Labels.Count > 0 ? Labels[0] : "first label";
        string[] header = ["", "micro AUROC", "macro AUROC", "micro F1", "macro F1", $"P@{K}", $"{label} AUROC", $"{label} AUPRC"];
        var cells = Rows.Select(r => new[] { r.MicroAuroc, r.MacroAuroc, r.MicroF1, r.MacroF1, r.PrecisionAtK, r.FirstLabelAuroc, r.FirstLabelAuprc }
            .Select(c => c.ToString()).Prepend(r.Name).ToArray()).ToList();
        var text = new StringBuilder();
        text.Append("Cross-validation: ").Append(Experiment).Append(", ").Append(Folds).Append(" folds by record, test split of each fold (mean ± std)\n");
        EpisodeReport.AppendTable(text, header, cells);
        if (cells.Any(r => r.Contains("—"))) text.Append(EpisodeReport.UndefinedFootnote).Append('\n');
        return text.ToString();
    }
}
