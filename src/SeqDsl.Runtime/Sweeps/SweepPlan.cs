using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using SeqDsl.Runtime.Experiments;

namespace SeqDsl.Runtime.Sweeps;

/// <summary>
/// The runs that <c>sweep</c>, <c>train --run</c> and <c>report</c> work on, resolved from the experiments named on the
/// command line: one experiment with a sweep section gives its <see cref="SweepSpec.Runs"/>; several experiments without
/// one give one run each (index = the order given, no settings), so that a project's models can be compared as one sweep.
/// </summary>
/// <param name="Name">Names the sweep and its default folder: the spec's model name, or the experiments' names joined by '+'.</param>
/// <param name="Named">The experiments as named on the command line; a child <c>train --run</c> is given the same ones.</param>
/// <param name="Runs">The runs, by index.</param>
public sealed record SweepPlan(string Name, IReadOnlyList<ExperimentSpec> Named, IReadOnlyList<SweepRun> Runs)
{
    /// <summary>What a sweep folder is called under runs/ by default: <c>&lt;Name&gt;-sweep</c>.</summary>
    public const string FolderSuffix = "-sweep";

    /// <summary>The sweep folder when --out does not name one: <c>runs/&lt;Name&gt;-sweep</c>, relative to the current directory.</summary>
    public string DefaultFolder => Path.Combine("runs", Name + FolderSuffix);

    /// <summary>
    /// The digits of a run folder's name: three, since a sweep has at most 1,000 runs. Slurm's output pattern (<c>%3a</c>)
    /// writes the same name, so it is declared once here.
    /// </summary>
    public const int RunFolderDigits = 3;

    /// <summary>The folder of run <paramref name="index"/> inside a sweep folder: its index with <see cref="RunFolderDigits"/> digits (<c>007</c>).</summary>
    public static string RunFolderName(int index) => index.ToString(new string('0', RunFolderDigits), CultureInfo.InvariantCulture);

    /// <summary>The run folder of run <paramref name="index"/> in <paramref name="sweepFolder"/>.</summary>
    public static string RunFolder(string sweepFolder, int index) => Path.Combine(sweepFolder, RunFolderName(index));

    /// <summary>The <c>-e NAME</c> arguments that select this plan again (in a child process, a Slurm task, a pod).</summary>
    public IReadOnlyList<string> ExperimentArguments => Named.SelectMany(e => new[] { "-e", e.Name }).ToArray();

    /// <summary>Run <paramref name="index"/>.</summary>
    /// <exception cref="SweepPlanException">There is no such run; the message gives the valid range.</exception>
    public SweepRun Run(int index) =>
        index >= 0 && index < Runs.Count
            ? Runs[index]
            : throw new SweepPlanException($"--run {index}: the sweep {Name} has {Runs.Count} run{(Runs.Count == 1 ? "" : "s")}, indices 0 to {Runs.Count - 1}.");

    /// <summary>Resolves the plan of the experiments named on the command line.</summary>
    /// <exception cref="SweepPlanException">One experiment without a sweep section, or a swept experiment named beside others.</exception>
    public static SweepPlan Of(IReadOnlyList<ExperimentSpec> named)
    {
        if (named.Count == 0) throw new ArgumentException("At least one experiment is needed.", nameof(named));
        if (named.Count == 1)
        {
            var only = named[0];
            if (only.Sweep is not { } sweep)
                throw new SweepPlanException(
                    $"{only.Name} ({only.SpecFile}) has no sweep section: add one to the spec, or name several experiments (-e {only.Name} -e OTHER) to run each as one run of a sweep.");
            if (sweep.Runs.Count == 0)
                throw new SweepPlanException($"The sweep of {only.Name} ({only.SpecFile}) has no runs.");
            for (int i = 0; i < sweep.Runs.Count; i++)
                if (sweep.Runs[i].Index != i)
                    throw new SweepPlanException($"The sweep of {only.Name} lists run {sweep.Runs[i].Index} at position {i}; runs must be listed by index.");
            return new SweepPlan(sweep.Name, named, sweep.Runs);
        }
        if (named.FirstOrDefault(e => e.Sweep is not null) is { } swept)
            throw new SweepPlanException(
                $"{swept.Name} ({swept.SpecFile}) has a sweep of {swept.Sweep!.Runs.Count} runs; sweep it alone (-e {swept.Name}). Several experiments are compared as one run each only when none has a sweep section.");
        var duplicate = named.GroupBy(e => e.Name, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
            throw new SweepPlanException($"--experiment {duplicate.Key} is named twice; each experiment is one run of the sweep.");
        var runs = named.Select((e, i) => new SweepRun(i, e, Array.Empty<SweepSetting>())).ToArray();
        return new SweepPlan(string.Join("+", named.Select(e => e.Name)), named, runs);
    }
}

/// <summary>The experiments named on the command line make no sweep, or a --run index is not one of it.</summary>
public sealed class SweepPlanException : Exception
{
    /// <summary>Creates the exception with a message that names the experiment or index and what to do.</summary>
    public SweepPlanException(string message) : base(message) { }
}
