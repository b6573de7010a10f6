using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using SeqDsl.Runtime.Episodes;
using SeqDsl.Runtime.IO;

namespace SeqDsl.Runtime.Reporting;

/// <summary>One row of the episodes report: a model or a baseline, scored on validation and on test.</summary>
/// <param name="Name">What was scored, e.g. "model (best epoch 12)" or "base rate".</param>
/// <param name="Validation">Its metrics on the validation split; null when not scored there.</param>
/// <param name="Test">Its metrics on the test split; null when not scored there.</param>
public sealed record EpisodeScores(string Name, MultiLabelMetrics? Validation, MultiLabelMetrics? Test);

/// <summary>
/// The results of an episodes (multi-label diagnosis) run, written as <c>metrics.json</c> with snake_case keys and
/// rendered as the console summary: per-label test metrics, then the paper's summary columns for the model and each
/// baseline. An undefined metric (a label with one class in a split) is JSON null and prints as "—", never NaN.
/// </summary>
public sealed record EpisodeReport
{
    /// <summary>Experiment (spec) name.</summary>
    public required string Experiment { get; init; }

    /// <summary>The scored labels, in order (the first is the one the summary singles out).</summary>
    public required IReadOnlyList<string> Labels { get; init; }

    /// <summary>The trained model's metrics.</summary>
    public required EpisodeScores Model { get; init; }

    /// <summary>The model combined with other experiments' predictions, e.g. "mean with PhysioNetLogisticSummary".</summary>
    public IReadOnlyList<EpisodeScores> Ensembles { get; init; } = [];

    /// <summary>Reference rows, e.g. "base rate".</summary>
    public IReadOnlyList<EpisodeScores> Baselines { get; init; } = [];

    /// <summary>The 1-based epoch chosen by <see cref="Monitor"/>.</summary>
    public int? BestEpoch { get; init; }

    /// <summary>Epochs actually trained (fewer than configured when stopped early).</summary>
    public int Epochs { get; init; }

    /// <summary>Wall-clock training time in seconds (finite).</summary>
    public double TrainSeconds { get; init; }

    /// <summary>The validation figure that chose the best epoch.</summary>
    public string Monitor { get; init; } = "val_macro_auroc";

    /// <summary>What the test metrics were computed on, e.g. "test split (600 records)" or "set-b.tar.gz (4,000 records)".</summary>
    public string? TestSource { get; init; }

    /// <summary>What "—" in <see cref="Render"/> means.</summary>
    public const string UndefinedFootnote = "— : undefined (a label with one class in the split)";

    private const string Undefined = "—";

    /// <summary>Writes the report as indented JSON with snake_case keys, atomically; undefined (or non-finite) metrics are null.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><see cref="TrainSeconds"/> is not finite.</exception>
    public void Write(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (!double.IsFinite(TrainSeconds)) throw new ArgumentOutOfRangeException(nameof(TrainSeconds), $"the training time must be finite seconds; got {TrainSeconds}.");
        AtomicFile.WriteText(path, JsonSerializer.Serialize(this, Json) + "\n");
    }

    /// <summary>Reads a report written by <see cref="Write"/>.</summary>
    /// <exception cref="InvalidDataException">The file is not such a report; the message names the file and what is wrong.</exception>
    public static EpisodeReport Read(string path)
    {
        var report = JsonFile.Read<EpisodeReport>(path, "the episodes metrics file", "an episodes metrics file", Json);
        string? problem = report.Labels is null || report.Labels.Any(l => l is null) ? "\"labels\" must be a list of names"
            : report.Model is null ? "\"model\" is missing"
            : report.Baselines is null ? "\"baselines\" must be a list"
            : report.Ensembles is null ? "\"ensembles\" must be a list"
            : report.Rows.Select(s => ScoresProblem(s, report.Labels.Count)).FirstOrDefault(p => p is not null);
        if (problem is not null) throw new InvalidDataException($"{path}: not an episodes metrics file: {problem}.");
        return report;
    }

    /// <summary>
    /// The console summary: a per-label table of the model on test (records, positives, AUROC, AUPRC, F1 at 0.5, the
    /// threshold tuned on validation and F1 there), then one row per model or baseline and split with micro and macro
    /// AUROC and F1, precision at k and the first label's AUROC and AUPRC. Numbers have 3 decimals.
    /// </summary>
    public string Render()
    {
        var text = new StringBuilder();
        text.Append("Results: ").Append(Experiment).Append(" (").Append(Labels.Count).Append(Labels.Count == 1 ? " label" : " labels");
        // An evaluation trains nothing (no epochs): it names the checkpoint's epoch only.
        if (BestEpoch is int best && Epochs > 0) text.Append(", best epoch ").Append(best).Append(" of ").Append(Epochs).Append(" by ").Append(Monitor);
        else if (BestEpoch is int epoch) text.Append(", checkpoint of epoch ").Append(epoch);
        text.Append(")\n");

        text.Append('\n').Append("Per label, test").Append(TestSource is null ? "" : $": {TestSource}").Append('\n');
        if (Model.Test is { } test)
        {
            // Without thresholds tuned on validation the last two columns would be all dashes that mean something else.
            bool tuned = test.Labels.Any(l => l.Threshold is not null);
            string[] header = ["label", "records", "positives", "AUROC", "AUPRC", "F1@0.5", "threshold", "F1 tuned"];
            var rows = test.Labels.Select(l => new[]
            {
                l.Name, l.Records.ToString(CultureInfo.InvariantCulture), l.Positives.ToString(CultureInfo.InvariantCulture),
                Format(l.Auroc), Format(l.Auprc), Format(l.F1), Format(l.Threshold), Format(l.F1Tuned),
            }).ToList();
            int columns = tuned ? header.Length : header.Length - 2;
            AppendTable(text, header[..columns], rows.Select(r => r[..columns]).ToList());
        }
        else
        {
            text.Append("(the model was not scored on a test split)\n");
        }

        string first = Labels.Count > 0 ? Labels[0] : "first label";
        int k = Rows.SelectMany(s => new[] { s.Validation, s.Test }).OfType<MultiLabelMetrics>().Select(m => m.K).FirstOrDefault(1);
        string[] summaryHeader = ["", "split", "micro AUROC", "macro AUROC", "micro F1", "macro F1", $"P@{k}", $"{first} AUROC", $"{first} AUPRC"];
        var summary = new List<string[]>();
        foreach (var (split, pick) in new (string, Func<EpisodeScores, MultiLabelMetrics?>)[] { ("validation", s => s.Validation), ("test", s => s.Test) })
        {
            foreach (var scores in Rows)
            {
                if (pick(scores) is not { } m) continue;
                var firstLabel = m.Labels.FirstOrDefault(l => l.Name == first) ?? m.Labels.FirstOrDefault();
                summary.Add([scores.Name, split, Format(m.MicroAuroc), Format(m.MacroAuroc), Format(m.MicroF1), Format(m.MacroF1),
                    Format(m.PrecisionAtK), Format(firstLabel?.Auroc), Format(firstLabel?.Auprc)]);
            }
        }
        text.Append('\n').Append("Summary\n");
        AppendTable(text, summaryHeader, summary, textColumns: 2);
        if (text.ToString().Contains(Undefined, StringComparison.Ordinal)) text.Append('\n').Append(UndefinedFootnote).Append('\n');
        return text.ToString();
    }

    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        RespectRequiredConstructorParameters = true,
        Converters = { new FiniteOrNull() },
    };

    /// <summary>The summary's rows: the model, its ensembles, then the baselines.</summary>
    private IEnumerable<EpisodeScores> Rows => Ensembles.Prepend(Model).Concat(Baselines);

    private static string? ScoresProblem(EpisodeScores scores, int labelCount)
    {
        if (scores is null) return "a baseline is null";
        if (scores.Name is null) return "a model or baseline has no \"name\"";
        foreach (var (split, metrics) in new[] { ("validation", scores.Validation), ("test", scores.Test) })
        {
            if (metrics is null) continue;
            if (metrics.Labels is null || metrics.Labels.Any(l => l is null || l.Name is null))
                return $"{scores.Name}'s {split} metrics lack their per-label list";
            if (metrics.Labels.Count != labelCount)
                return $"{scores.Name}'s {split} metrics have {metrics.Labels.Count} labels; the report names {labelCount}";
        }
        return null;
    }

    /// <summary>An aligned table: the first <paramref name="textColumns"/> columns (names) left-aligned, numbers right-aligned so that decimal points line up (as <see cref="ResultsTable"/>).</summary>
    internal static void AppendTable(StringBuilder text, string[] header, List<string[]> rows, int textColumns = 1)
    {
        int[] widths = Enumerable.Range(0, header.Length).Select(c => rows.Select(r => r[c].Length).Append(header[c].Length).Max()).ToArray();
        AppendRow(header);
        text.Append('-', widths.Sum() + 2 * (widths.Length - 1)).Append('\n');
        foreach (var row in rows) AppendRow(row);

        void AppendRow(string[] row)
        {
            for (int c = 0; c < row.Length; c++)
                text.Append(c == 0 ? "" : "  ").Append(c < textColumns ? row[c].PadRight(widths[c]) : row[c].PadLeft(widths[c]));
            // A left-aligned last column would leave trailing spaces.
            while (text.Length > 0 && text[^1] == ' ') text.Length--;
            text.Append('\n');
        }
    }

    private static string Format(double? value) =>
        value is double v && double.IsFinite(v) ? v.ToString("F3", CultureInfo.InvariantCulture) : Undefined;

    /// <summary>Writes a nullable number that is missing or not finite as null, so the file never holds NaN.</summary>
    private sealed class FiniteOrNull : JsonConverter<double?>
    {
        public override bool HandleNull => true;

        public override double? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            reader.TokenType switch
            {
                JsonTokenType.Null => null,
                JsonTokenType.Number => reader.GetDouble(),
                _ => throw new JsonException($"expected a number or null, found {reader.TokenType}."),
            };

        public override void Write(Utf8JsonWriter writer, double? value, JsonSerializerOptions options)
        {
            if (value is double v && double.IsFinite(v)) writer.WriteNumberValue(v);
            else writer.WriteNullValue();
        }
    }
}
