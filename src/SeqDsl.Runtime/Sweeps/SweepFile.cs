using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
using SeqDsl.Runtime.Experiments;
using SeqDsl.Runtime.IO;

namespace SeqDsl.Runtime.Sweeps;

/// <summary>One run as sweep.json lists it.</summary>
/// <param name="Index">The run's index.</param>
/// <param name="Experiment">The experiment it trains.</param>
/// <param name="Settings">The swept keys and its values.</param>
public sealed record SweepFileRun(int Index, string Experiment, IReadOnlyList<SweepSetting> Settings);

/// <summary>
/// <c>sweep.json</c> in a sweep folder: the sweep's name, the experiments named on the command line and every run (index,
/// experiment, settings), so that <c>report</c> lists runs that have not started and people see what the folder holds.
/// </summary>
/// <param name="Sweep">The sweep's name.</param>
/// <param name="Experiments">The experiments that select the sweep again (<c>-e</c> each).</param>
/// <param name="Runs">The runs, by index.</param>
public sealed record SweepFile(string Sweep, IReadOnlyList<string> Experiments, IReadOnlyList<SweepFileRun> Runs)
{
    /// <summary>The file's name in a sweep folder.</summary>
    public const string FileName = "sweep.json";

    private static readonly JsonSerializerOptions s_json = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower, WriteIndented = true };

    /// <summary>What sweep.json says about <paramref name="plan"/>.</summary>
    public static SweepFile Of(SweepPlan plan) =>
        new(plan.Name, plan.Named.Select(e => e.Name).ToArray(), plan.Runs.Select(r => new SweepFileRun(r.Index, r.Experiment.Name, r.Settings)).ToArray());

    /// <summary>Writes sweep.json into <paramref name="sweepFolder"/>, atomically.</summary>
    public void Write(string sweepFolder) =>
        AtomicFile.WriteText(Path.Combine(sweepFolder, FileName), JsonSerializer.Serialize(this, s_json) + "\n");

    /// <summary>The sweep.json of <paramref name="sweepFolder"/>; null when there is none.</summary>
    /// <exception cref="InvalidDataException">The file is not such a list; the message names it.</exception>
    public static SweepFile? Read(string sweepFolder)
    {
        string path = Path.Combine(sweepFolder, FileName);
        if (!File.Exists(path)) return null;
        var file = JsonFile.Read<SweepFile>(path, "the sweep file", "a sweep file", s_json);
        if (file.Sweep is null || file.Runs is null || file.Runs.Any(r => r?.Experiment is null || r.Settings is null))
            throw new InvalidDataException($"{path}: not a sweep file: a field is missing.");
        return file;
    }
}
