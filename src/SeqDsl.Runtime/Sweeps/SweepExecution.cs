using System;
using System.Collections.Generic;
using System.Globalization;
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

    /// <summary>The user's own sbatch options (--sbatch-arg, each as given), for the Slurm executor and emitter.</summary>
    public IReadOnlyList<string> SbatchArguments { get; init; } = Array.Empty<string>();

    /// <summary>Whether the executor waits until the runs end (false: --no-wait, for a scheduler's executor: submit and return).</summary>
    public bool Wait { get; init; } = true;

    /// <summary>--resubmit: submit again only the runs whose scheduler task failed, was cancelled or preempted (or is lost) and did not finish.</summary>
    public bool Resubmit { get; init; }

    /// <summary>--status: show where the scheduler's tasks and the run folders stand; submit nothing.</summary>
    public bool StatusOnly { get; init; }

    /// <summary>Status lines.</summary>
    public TextWriter Out { get; init; } = Console.Out;

    /// <summary>The sweep folder as a full path (what every run is given as --out).</summary>
    public string FullFolder => Path.GetFullPath(Folder);

    /// <summary>
    /// Whether run <paramref name="index"/> is finished in the sweep folder: its folder holds that very run (same settings
    /// and overrides) and it completed. Any other folder is not finished, and <c>train --run</c> resumes or refuses it.
    /// </summary>
    public bool RunFinished(int index)
    {
        var found = SweepRunFolder.Inspect(SweepPlan.RunFolder(FullFolder, index));
        return found.State == SweepRunState.Finished && found.Record!.SameRunAs(SweepRunRecord.For(Plan, Plan.Run(index), Overrides));
    }

    /// <summary>"best val_loss 0.3123 (epoch 2)" from run <paramref name="index"/>'s folder, or what the folder says when there is no figure.</summary>
    public string Outcome(int index)
    {
        var run = Plan.Run(index);
        try
        {
            var row = Leaderboard.ReadRow(SweepPlan.RunFolder(FullFolder, index), new SweepFileRun(index, run.Experiment.Name, run.Settings));
            return row.BestValue is double best
                ? $"best {row.Monitor} {best.ToString("F4", CultureInfo.InvariantCulture)} (epoch {row.BestEpoch?.ToString(CultureInfo.InvariantCulture) ?? "—"})"
                : $"{row.State}, no best {row.Monitor ?? "validation figure"}";
        }
        catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException)
        {
            return $"its results cannot be read: {e.Message}";
        }
    }

    /// <summary>"run 001 (SweepDenseV1: layers.dense_1.units=8)": a run as status lines name it.</summary>
    public string Describe(int index)
    {
        var run = Plan.Run(index);
        return $"run {SweepPlan.RunFolderName(index)} ({run.Experiment.Name}{(run.Settings.Count > 0 ? ": " + string.Join(", ", run.Settings) : "")})";
    }

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
        if (threads is int t) arguments.AddRange(new[] { "--threads", t.ToString(CultureInfo.InvariantCulture) });
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

    /// <summary>The sweep options only this executor reads (<c>--resubmit</c>, …); <c>sweep</c> refuses them with another executor.</summary>
    IReadOnlyList<string> Flags { get; }

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

    /// <summary>The sweep options only this emitter reads (<c>--image</c>, …); <c>sweep</c> refuses them with another emitter or executor.</summary>
    IReadOnlyList<string> Flags { get; }

    /// <summary>The text to print (a manifest, a batch script).</summary>
    string Emit(SweepJob job);
}

/// <summary>The executors and emitters <c>sweep</c> offers: the one place to add another.</summary>
public static class SweepBackends
{
    /// <summary>--executor's words; the first is the default.</summary>
    public static IReadOnlyList<ISweepExecutor> Executors { get; } = new ISweepExecutor[] { new LocalExecutor(), new SlurmSweepExecutor() };

    /// <summary>--emit's words.</summary>
    public static IReadOnlyList<ISweepEmitter> Emitters { get; } = new ISweepEmitter[] { new KubernetesJob(), new SlurmSweepEmitter() };

    /// <summary>
    /// Why <paramref name="flag"/> does not apply with the chosen backend (<paramref name="emitter"/> when --emit is given,
    /// else <paramref name="executor"/>): it names the backends that read it. Null when it applies, or is no backend's own.
    /// </summary>
    public static string? Refusal(string flag, ISweepExecutor executor, ISweepEmitter? emitter)
    {
        var readers = Executors.Where(e => e.Flags.Contains(flag)).Select(e => $"sweep --executor {e.Name}")
            .Concat(Emitters.Where(e => e.Flags.Contains(flag)).Select(e => $"sweep --emit {e.Name}")).ToArray();
        if (readers.Length == 0 || (emitter?.Flags ?? executor.Flags).Contains(flag)) return null;
        return $"{flag} applies to {(readers.Length == 1 ? readers[0] : string.Join(", ", readers[..^1]) + " and " + readers[^1])}.";
    }
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
