using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Threading;
using SeqDsl.Runtime.Experiments;

namespace SeqDsl.Runtime.Sweeps;

/// <summary>
/// What <c>sweep</c> hands an executor or an emitter: the plan, the sweep folder and how to run each run. Every run is the
/// same command, <see cref="TrainArguments"/> (<c>train -e M --run I --out SWEEP --threads T</c> and the overrides), so
/// any scheduler that can start a program with an index — child processes, a Slurm array, a Kubernetes Indexed Job —
/// runs a sweep; <c>train --run</c> does the rest (resume, skip, refuse).
/// </summary>
public sealed record SweepJob
{
    /// <summary>The runs.</summary>
    public required SweepPlan Plan { get; init; }

    /// <summary>The sweep folder, as given (--out) or the plan's default.</summary>
    public required string Folder { get; init; }

    /// <summary>How many runs at a time (--parallel); null: the executor's default (local: 1; Kubernetes: every run).</summary>
    public int? Parallel { get; init; }

    /// <summary>libtorch threads per run: --threads, else null (the executor divides the cores: max(1, cores / parallel)).</summary>
    public int? Threads { get; init; }

    /// <summary>The command line's training overrides, passed to every run (<see cref="SweepOverrides.PassThrough"/>).</summary>
    public RunOptions Overrides { get; init; } = new();

    /// <summary>A container image (--image), for emitters that run containers.</summary>
    public string? Image { get; init; }

    /// <summary>A PersistentVolumeClaim holding the sweep folder (--volume), for emitters that run on Kubernetes.</summary>
    public string? Volume { get; init; }

    /// <summary>Status lines.</summary>
    public TextWriter Out { get; init; } = Console.Out;

    /// <summary>
    /// The arguments of one run's <c>train</c>: <paramref name="index"/> is a number or a scheduler's placeholder
    /// (<c>$(JOB_COMPLETION_INDEX)</c>, <c>$SLURM_ARRAY_TASK_ID</c>), <paramref name="folder"/> the sweep folder as the run
    /// sees it, <paramref name="threads"/> its libtorch threads (null: the run's default).
    /// </summary>
    public IReadOnlyList<string> TrainArguments(string index, string folder, int? threads)
    {
        var arguments = new List<string> { "train" };
        arguments.AddRange(Plan.ExperimentArguments);
        arguments.AddRange(new[] { "--run", index, "--out", folder });
        if (threads is int t) arguments.AddRange(new[] { "--threads", t.ToString(System.Globalization.CultureInfo.InvariantCulture) });
        arguments.AddRange(SweepOverrides.Arguments(SweepOverrides.PassThrough(Overrides)));
        return arguments;
    }

    /// <summary>libtorch threads per run when <paramref name="parallel"/> run at once: --threads, else max(1, cores / parallel).</summary>
    public int ThreadsPerRun(int parallel) => Threads ?? Math.Max(1, Environment.ProcessorCount / Math.Max(1, parallel));
}

/// <summary>
/// Runs a sweep's runs somewhere and waits for them (<c>sweep --executor NAME</c>): <see cref="LocalExecutor"/> as child
/// processes of this program; a cluster scheduler's executor submits <see cref="SweepJob.TrainArguments"/> per run.
/// Register one in <see cref="SweepBackends.Executors"/>.
/// </summary>
public interface ISweepExecutor
{
    /// <summary>The word after --executor ("local").</summary>
    string Name { get; }

    /// <summary>One line for --help.</summary>
    string Description { get; }

    /// <summary>Runs the runs that are not finished; returns the exit code (0: every run finished; 1: a run failed or the sweep was stopped).</summary>
    /// <param name="job">The sweep.</param>
    /// <param name="cancel">Stops the sweep (Ctrl+C): the executor stops its runs, which resume from last.pt next time.</param>
    int Run(SweepJob job, CancellationToken cancel);
}

/// <summary>
/// Writes what another system needs to run a sweep (<c>sweep --emit NAME</c>): <see cref="KubernetesJob"/>'s Indexed Job
/// manifest. Register one in <see cref="SweepBackends.Emitters"/>.
/// </summary>
public interface ISweepEmitter
{
    /// <summary>The word after --emit ("k8s").</summary>
    string Name { get; }

    /// <summary>One line for --help.</summary>
    string Description { get; }

    /// <summary>The text to print (a manifest, a batch script).</summary>
    string Emit(SweepJob job);
}

/// <summary>The executors and emitters <c>sweep</c> offers: the one place to add another (a Slurm executor, its sbatch emitter).</summary>
public static class SweepBackends
{
    /// <summary>--executor's words; the first is the default.</summary>
    public static IReadOnlyList<ISweepExecutor> Executors { get; } = new ISweepExecutor[] { new LocalExecutor() };

    /// <summary>--emit's words.</summary>
    public static IReadOnlyList<ISweepEmitter> Emitters { get; } = new ISweepEmitter[] { new KubernetesJob() };
}

/// <summary>
/// How to start this program again: its apphost (<c>Weather</c>) as it is, or <c>dotnet Weather.dll</c> when it runs under
/// the dotnet host.
/// </summary>
/// <param name="FileName">The executable.</param>
/// <param name="LeadingArguments">Arguments before the command (the entry assembly under <c>dotnet</c>).</param>
public sealed record ChildProgram(string FileName, IReadOnlyList<string> LeadingArguments)
{
    /// <summary>This process's program.</summary>
    /// <exception cref="ExperimentException">The program cannot be told (no process path, or dotnet without an entry assembly).</exception>
    public static ChildProgram Current()
    {
        string path = Environment.ProcessPath
            ?? throw new ExperimentException("sweep cannot tell which program is running (no process path), so it cannot start the runs.");
        if (!string.Equals(Path.GetFileNameWithoutExtension(path), "dotnet", StringComparison.OrdinalIgnoreCase))
            return new ChildProgram(path, Array.Empty<string>());
        string entry = Assembly.GetEntryAssembly()?.Location is { Length: > 0 } location
            ? location
            : throw new ExperimentException("sweep runs under dotnet but cannot find the program's assembly, so it cannot start the runs.");
        return new ChildProgram(path, new[] { entry });
    }

    /// <summary>The program's name as people run it: the apphost's or the assembly's file name.</summary>
    public string DisplayName => Path.GetFileName(LeadingArguments.Count > 0 ? LeadingArguments[0] : FileName);
}
