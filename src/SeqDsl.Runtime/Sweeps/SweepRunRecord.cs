using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text.Json;
using SeqDsl.Runtime.Experiments;
using SeqDsl.Runtime.IO;
using SeqDsl.Runtime.Training;

namespace SeqDsl.Runtime.Sweeps;

/// <summary>Which runner trains a run, and so which metrics.json it writes.</summary>
public enum SweepTask
{
    /// <summary>A window task (<see cref="ExperimentRunner"/>): MetricsReport with test MAE and MSE.</summary>
    Series,
    /// <summary>A character-level text task (<see cref="TextExperimentRunner"/>): no test split.</summary>
    Text,
    /// <summary>An episodes task (<see cref="EpisodeExperimentRunner"/>): EpisodeReport with test AUROCs.</summary>
    Episodes,
}

/// <summary>
/// <c>sweep-run.json</c> in a run folder: which run of which sweep the folder holds (index, experiment, settings and the
/// command line's training overrides), the figure that ranks it, and — once <c>train --run</c> completed it — the id of
/// the training run whose checkpoints and metrics are final. A folder is reused only by the same run with the same
/// overrides; anything else is refused with both descriptions.
/// </summary>
public sealed record SweepRunRecord
{
    /// <summary>The file's name in a run folder.</summary>
    public const string FileName = "sweep-run.json";

    /// <summary>The sweep's name.</summary>
    public required string Sweep { get; init; }
    /// <summary>The run's index in the sweep.</summary>
    public required int Index { get; init; }
    /// <summary>The experiment the run trains.</summary>
    public required string Experiment { get; init; }
    /// <summary>Its spec file.</summary>
    public required string SpecFile { get; init; }
    /// <summary>The runner that trains it.</summary>
    public required SweepTask Task { get; init; }
    /// <summary>The swept keys and this run's values.</summary>
    public required IReadOnlyList<SweepSetting> Settings { get; init; }
    /// <summary>The command line's training overrides (<see cref="SweepOverrides.Identity"/>), e.g. "--epochs 1".</summary>
    public required IReadOnlyList<string> Overrides { get; init; }
    /// <summary>The validation figure that chose the run's best epoch ("val_loss", "val_macro_auroc").</summary>
    public required string Monitor { get; init; }
    /// <summary>Whether a larger <see cref="Monitor"/> is better.</summary>
    public required bool HigherIsBetter { get; init; }
    /// <summary>The training run id (the checkpoints' <see cref="CheckpointInfo.RunId"/>) that completed the run; null until then.</summary>
    public string? FinishedRunId { get; init; }

    private static readonly JsonSerializerOptions s_json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = true,
        Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
    };

    /// <summary>The record of <paramref name="run"/> of <paramref name="plan"/> trained with <paramref name="options"/>, not yet finished.</summary>
    public static SweepRunRecord For(SweepPlan plan, SweepRun run, RunOptions options)
    {
        var (monitor, higher) = MonitorOf(run.Experiment);
        return new SweepRunRecord
        {
            Sweep = plan.Name,
            Index = run.Index,
            Experiment = run.Experiment.Name,
            SpecFile = run.Experiment.SpecFile,
            Task = TaskOf(run.Experiment),
            Settings = run.Settings,
            Overrides = SweepOverrides.Identity(options),
            Monitor = monitor,
            HigherIsBetter = higher,
        };
    }

    /// <summary>The runner an experiment takes.</summary>
    public static SweepTask TaskOf(ExperimentSpec spec) => spec.Episodes is not null ? SweepTask.Episodes : spec.Text is not null ? SweepTask.Text : SweepTask.Series;

    /// <summary>
    /// The figure a run's best epoch is chosen by, as its trainer chooses it: an episodes task's monitor (an AUROC, higher
    /// is better, or the loss), otherwise the validation loss (lower is better).
    /// </summary>
    public static (string Name, bool HigherIsBetter) MonitorOf(ExperimentSpec spec) =>
        spec.Episodes is { } episodes && EpisodeTrainer.HigherIsBetter(episodes.Monitor)
            ? ("val_" + EpisodeTrainer.MetricName(episodes.Monitor), true)
            : ("val_loss", false);

    /// <summary>"run 2 of sweep S (experiment E; a=1, b=2; --epochs 1)": what a message says about a record.</summary>
    public string Describe()
    {
        var parts = new List<string> { $"experiment {Experiment}" };
        if (Settings.Count > 0) parts.Add(string.Join(", ", Settings));
        if (Overrides.Count > 0) parts.Add(string.Join(" ", Overrides));
        return $"run {Index} of sweep {Sweep} ({string.Join("; ", parts)})";
    }

    /// <summary>Whether this record describes the same run as <paramref name="other"/> (finished or not).</summary>
    public bool SameRunAs(SweepRunRecord other) =>
        Sweep == other.Sweep && Index == other.Index && Experiment == other.Experiment
        && Settings.SequenceEqual(other.Settings) && Overrides.SequenceEqual(other.Overrides);

    /// <summary>Writes the record into <paramref name="runFolder"/>, atomically.</summary>
    public void Write(string runFolder) =>
        AtomicFile.WriteText(Path.Combine(runFolder, FileName), JsonSerializer.Serialize(this, s_json) + "\n");

    /// <summary>The record in <paramref name="runFolder"/>; null when there is none.</summary>
    /// <exception cref="InvalidDataException">The file is not such a record; the message names it.</exception>
    public static SweepRunRecord? Read(string runFolder)
    {
        string path = Path.Combine(runFolder, FileName);
        if (!File.Exists(path)) return null;
        var record = JsonFile.Read<SweepRunRecord>(path, "the sweep run record", "a sweep run record", s_json);
        if (record.Sweep is null || record.Experiment is null || record.Settings is null || record.Overrides is null || record.Monitor is null
            || record.Settings.Any(s => s?.Key is null || s.Value is null))
            throw new InvalidDataException($"{path}: not a sweep run record: a field is missing.");
        return record;
    }
}

/// <summary>Where a run folder stands.</summary>
public enum SweepRunState
{
    /// <summary>No folder, or no training has started in it.</summary>
    NotStarted,
    /// <summary>Training started and did not complete: <c>train --run</c> resumes from last.pt (or starts afresh without one).</summary>
    Incomplete,
    /// <summary>Completed: the record names the training run whose last.pt and metrics.json are in the folder.</summary>
    Finished,
}

/// <summary>A run folder as <c>train --run</c>, <c>sweep</c> and <c>report</c> see it.</summary>
/// <param name="Folder">The run folder.</param>
/// <param name="Record">Its sweep-run.json; null when there is none.</param>
/// <param name="State">Where it stands.</param>
/// <param name="LastEpoch">The last completed epoch recorded in last.pt.json, when there is one.</param>
public sealed record SweepRunFolder(string Folder, SweepRunRecord? Record, SweepRunState State, int? LastEpoch)
{
    /// <summary>The metrics file a finished run holds.</summary>
    public const string MetricsFile = "metrics.json";

    /// <summary>The history file a finished run holds.</summary>
    public const string HistoryFile = "history.json";

    /// <summary>The log a child process of <c>sweep</c> writes.</summary>
    public const string LogFile = "train.log";

    /// <summary>
    /// Reads a run folder. It is finished when its record names a training run, metrics.json is there, and last.pt was
    /// written by that same run: a later fresh start over the folder replaces last.pt (with another run id) before it
    /// writes anything else, so stale metrics never pass for a result.
    /// </summary>
    /// <exception cref="InvalidDataException">A damaged record or checkpoint header; the message names the file.</exception>
    public static SweepRunFolder Inspect(string folder)
    {
        var record = SweepRunRecord.Read(folder);
        string last = Path.Combine(folder, RunFolder.LastCheckpoint);
        bool hasLast = File.Exists(last);
        int? lastEpoch = hasLast ? LastEpochOf(last) : null;
        if (record is null) return new SweepRunFolder(folder, null, hasLast ? SweepRunState.Incomplete : SweepRunState.NotStarted, lastEpoch);
        bool finished = record.FinishedRunId is { } id && hasLast && File.Exists(Path.Combine(folder, MetricsFile))
                        && Checkpoint.ReadInfo(last)?.RunId == id;
        var state = finished ? SweepRunState.Finished : hasLast ? SweepRunState.Incomplete : SweepRunState.NotStarted;
        return new SweepRunFolder(folder, record, state, lastEpoch);
    }

    /// <summary>The epoch in last.pt.json (what a resume continues after); null when it cannot be read.</summary>
    private static int? LastEpochOf(string last)
    {
        try
        {
            using var document = JsonDocument.Parse(File.ReadAllText(last + ".json"));
            return document.RootElement.TryGetProperty("epoch", out var epoch) && epoch.TryGetInt32(out int value) ? value : null;
        }
        catch (Exception e) when (e is IOException or JsonException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>"finished", "incomplete (epoch 3)", "not started".</summary>
    public string StateText => State switch
    {
        SweepRunState.Finished => "finished",
        SweepRunState.Incomplete => LastEpoch is int epoch ? $"incomplete (epoch {epoch.ToString(CultureInfo.InvariantCulture)})" : "incomplete",
        _ => "not started",
    };
}
