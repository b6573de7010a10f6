using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using SeqDsl.Runtime.Experiments;
using SeqDsl.Runtime.Reporting;
using SeqDsl.Runtime.Training;

namespace SeqDsl.Runtime.Sweeps;

/// <summary>One named test figure of a run (normalized units for a series task).</summary>
/// <param name="Name">E.g. <c>test_mae</c>, <c>test_macro_auroc</c>.</param>
/// <param name="Value">Its value; null where undefined.</param>
public sealed record TestMetric(string Name, double? Value);

/// <summary>One run of a sweep in the leaderboard.</summary>
public sealed record LeaderboardRow
{
    /// <summary>1-based rank among the runs with a best validation figure; null for the others (unfinished, undefined).</summary>
    public int? Rank { get; init; }
    /// <summary>The run's index.</summary>
    public required int Index { get; init; }
    /// <summary>The experiment it trains.</summary>
    public required string Experiment { get; init; }
    /// <summary>The swept keys and its values.</summary>
    public required IReadOnlyList<SweepSetting> Settings { get; init; }
    /// <summary>"finished", "incomplete (epoch 3)", "not started", or what is wrong with the folder.</summary>
    public required string State { get; init; }
    /// <summary>The figure that ranks it; null when unknown (no record).</summary>
    public string? Monitor { get; init; }
    /// <summary>Whether a larger <see cref="Monitor"/> is better.</summary>
    public bool HigherIsBetter { get; init; }
    /// <summary>The best value of <see cref="Monitor"/> over the run's epochs; null when undefined or not finished.</summary>
    public double? BestValue { get; init; }
    /// <summary>Its test figures (the best weights on the test split).</summary>
    public IReadOnlyList<TestMetric> Test { get; init; } = Array.Empty<TestMetric>();
    /// <summary>The epoch whose weights were scored.</summary>
    public int? BestEpoch { get; init; }
    /// <summary>Epochs trained.</summary>
    public int? Epochs { get; init; }
    /// <summary>Seconds of training and validation, summed over the epochs (across resumes).</summary>
    public double? Seconds { get; init; }
    /// <summary>The monitored validation figure per epoch (finite values only), for the curves.</summary>
    public IReadOnlyList<(int Epoch, double Value)> Curve { get; init; } = Array.Empty<(int, double)>();
}

/// <summary>
/// A sweep folder's runs, ranked: every run of the plan (or of sweep.json, or found as a run folder), finished runs by
/// their best validation figure in its direction (lower loss, higher AUROC; ties by index), then the others by index.
/// </summary>
/// <param name="Sweep">The sweep's name.</param>
/// <param name="Folder">The sweep folder.</param>
/// <param name="Rows">The rows in rank order.</param>
public sealed record Leaderboard(string Sweep, string Folder, IReadOnlyList<LeaderboardRow> Rows)
{
    private static readonly Regex s_runFolder = new("^[0-9]{3}$", RegexOptions.CultureInvariant);

    /// <summary>The setting keys of all rows, in the order they first appear.</summary>
    public IReadOnlyList<string> SettingKeys => Rows.SelectMany(r => r.Settings.Select(s => s.Key)).Distinct().ToArray();

    /// <summary>The test figure names of all rows, in the order they first appear.</summary>
    public IReadOnlyList<string> TestNames => Rows.SelectMany(r => r.Test.Select(t => t.Name)).Distinct().ToArray();

    /// <summary>The monitors of the rows that have one, in the order they first appear (one, unless experiments of different tasks are compared).</summary>
    public IReadOnlyList<string> Monitors => Rows.Select(r => r.Monitor).OfType<string>().Distinct().ToArray();

    /// <summary>
    /// Reads every run folder of <paramref name="sweepFolder"/>. The runs listed are <paramref name="plan"/>'s when given,
    /// else sweep.json's, and in any case every run folder found there.
    /// </summary>
    /// <exception cref="ExperimentException">There is nothing to report: no plan, no sweep.json and no run folder.</exception>
    /// <exception cref="InvalidDataException">A damaged file; the message names it.</exception>
    public static Leaderboard Read(string sweepFolder, SweepPlan? plan)
    {
        var listed = new SortedDictionary<int, SweepFileRun>();
        string? recordedSweep = null;
        var file = plan is null ? SweepFile.Read(sweepFolder) : SweepFile.Of(plan);
        foreach (var run in file?.Runs ?? Array.Empty<SweepFileRun>()) listed[run.Index] = run;
        if (Directory.Exists(sweepFolder))
        {
            foreach (string folder in Directory.EnumerateDirectories(sweepFolder))
            {
                string name = Path.GetFileName(folder);
                if (!s_runFolder.IsMatch(name)) continue;
                int index = int.Parse(name, CultureInfo.InvariantCulture);
                if (listed.ContainsKey(index) || SweepRunRecord.Read(folder) is not { } record) continue;
                listed[index] = new SweepFileRun(index, record.Experiment, record.Settings);
                recordedSweep ??= record.Sweep;
            }
        }
        if (listed.Count == 0)
            throw new ExperimentException(
                $"{Path.GetFullPath(sweepFolder)} holds no sweep: no {SweepFile.FileName} and no run folder with a {SweepRunRecord.FileName}. " +
                "Run sweep first, or name the sweep folder with --out.");
        var rows = listed.Values.Select(run => ReadRow(SweepPlan.RunFolder(sweepFolder, run.Index), run)).ToList();
        return new Leaderboard(file?.Sweep ?? recordedSweep!, sweepFolder, Rank(rows));
    }

    /// <summary>Ranks finished rows with a best value (by monitor in order of appearance, then value in its direction, then index); the rest follow by index.</summary>
    internal static IReadOnlyList<LeaderboardRow> Rank(IReadOnlyList<LeaderboardRow> rows)
    {
        var monitors = rows.Select(r => r.Monitor).OfType<string>().Distinct().ToList();
        var ranked = rows.Where(r => r.BestValue is not null)
            .OrderBy(r => monitors.IndexOf(r.Monitor!))
            .ThenBy(r => r.HigherIsBetter ? -r.BestValue!.Value : r.BestValue!.Value)
            .ThenBy(r => r.Index)
            .Select((r, i) => r with { Rank = i + 1 });
        var unranked = rows.Where(r => r.BestValue is null).OrderBy(r => r.Index).Select(r => r with { Rank = null });
        return ranked.Concat(unranked).ToArray();
    }

    /// <summary>One run folder as a (not yet ranked) row.</summary>
    internal static LeaderboardRow ReadRow(string folder, SweepFileRun run)
    {
        var found = SweepRunFolder.Inspect(folder);
        var row = new LeaderboardRow { Index = run.Index, Experiment = run.Experiment, Settings = run.Settings, State = found.StateText };
        if (found.Record is not { } record) return row;
        if (record.Experiment != run.Experiment || !record.Settings.SequenceEqual(run.Settings))
            return row with { State = $"holds another run ({record.Describe()})" };
        row = row with { Monitor = record.Monitor, HigherIsBetter = record.HigherIsBetter };
        if (found.State != SweepRunState.Finished) return row;

        var history = TrainingHistory.ReadJson(Path.Combine(folder, SweepRunFolder.HistoryFile));
        var curve = history.Epochs
            .Select(e => (e.Epoch, Value: record.Monitor == "val_loss" ? e.ValLoss : e.ValMetricName is { } name && "val_" + name == record.Monitor ? e.ValMetric : null))
            .Where(p => p.Value is double v && double.IsFinite(v))
            .Select(p => (p.Epoch, p.Value!.Value))
            .ToArray();
        // The first best on ties, as the trainers keep the first (a strict improvement replaces best.pt).
        (int Epoch, double Value)? best = null;
        foreach (var point in curve)
            if (best is not { } b || (record.HigherIsBetter ? point.Value > b.Value : point.Value < b.Value)) best = point;
        var (test, bestEpoch) = ReadMetrics(Path.Combine(folder, SweepRunFolder.MetricsFile), record.Task);
        return row with
        {
            BestValue = best?.Value,
            BestEpoch = bestEpoch ?? best?.Epoch,
            Test = test,
            Epochs = history.Epochs.Count,
            Seconds = history.Epochs.Sum(e => e.Seconds),
            Curve = curve,
        };
    }

    /// <summary>The test figures and best epoch in a finished run's metrics.json, read as its task writes it.</summary>
    private static (IReadOnlyList<TestMetric> Test, int? BestEpoch) ReadMetrics(string path, SweepTask task)
    {
        switch (task)
        {
            case SweepTask.Episodes:
            {
                var report = EpisodeReport.Read(path);
                var test = report.Model.Test;
                return (new[]
                {
                    new TestMetric("test_macro_auroc", test?.MacroAuroc),
                    new TestMetric("test_micro_auroc", test?.MicroAuroc),
                    new TestMetric("test_macro_f1", test?.MacroF1),
                }, report.BestEpoch);
            }
            case SweepTask.Text:
                // A text task has no test split; its metrics.json holds the validation figures the curve already has.
                return (Array.Empty<TestMetric>(), MetricsReport.Read(path).BestEpoch);
            default:
            {
                var report = MetricsReport.Read(path);
                return (new[] { new TestMetric("test_mae", report.TestMae), new TestMetric("test_mse", report.TestMse) }, report.BestEpoch);
            }
        }
    }
}
