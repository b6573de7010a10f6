using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;
using System.Threading;
using SeqDsl.Runtime.Experiments;

namespace SeqDsl.Runtime.Sweeps;

/// <summary>
/// <c>sweep --executor slurm</c>: the sweep's unfinished runs as one Slurm job array (<see cref="SlurmExecutor"/>), each
/// task running the same <c>train --run I</c> command line as the local executor's children (<see cref="SweepJob.TrainArguments"/>
/// with the task's index). It shows the script, submits it, and follows the tasks until the array ends (unless
/// <see cref="SweepJob.Wait"/> is off); <see cref="SweepJob.Resubmit"/> submits only the runs whose task failed, was
/// cancelled or preempted, and <see cref="SweepJob.StatusOnly"/> shows where every run stands without submitting.
/// The run folders decide what is finished, never Slurm's states: a COMPLETED task means its run finished because
/// <c>train --run</c> exits 0 only then.
/// </summary>
/// <param name="commands">Runs sbatch, squeue and sacct; null: from PATH with this process's environment.</param>
/// <param name="program">The program each task starts; null: this process's (<see cref="ChildProgram.Current"/>).</param>
/// <param name="pollInterval">How often squeue is asked while waiting; null: <see cref="DefaultPollInterval"/>.</param>
public sealed class SlurmSweepExecutor(SlurmCommands? commands = null, ChildProgram? program = null, TimeSpan? pollInterval = null) : ISweepExecutor
{
    /// <summary>How often the state is read while waiting: often enough to follow runs of seconds, rare enough for a shared controller.</summary>
    public static readonly TimeSpan DefaultPollInterval = TimeSpan.FromSeconds(3);

    /// <summary>libtorch threads per task, and so its <c>--cpus-per-task</c>, when --threads is not given.</summary>
    public const int DefaultThreads = 1;

    /// <inheritdoc/>
    public string Name => "slurm";

    /// <inheritdoc/>
    public string Description =>
        $"one Slurm job array submitted from this host (--threads: each task's --cpus-per-task, default {DefaultThreads}; --parallel: the array's %N limit)";

    /// <inheritdoc/>
    public IReadOnlyList<string> Flags { get; } = new[] { "--sbatch-arg", "--no-wait", "--resubmit", "--status" };

    /// <inheritdoc/>
    public int Run(SweepJob job, CancellationToken cancel)
    {
        var slurm = new SlurmExecutor(commands);
        string folder = job.FullFolder;
        var submitted = SlurmExecutor.Submissions(folder);
        if (job.StatusOnly) return ShowStatus(job, slurm, submitted.Count > 0 ? slurm.Status(folder) : null);
        if (job.Resubmit && submitted.Count == 0)
            throw new ExperimentException(
                $"{Path.Combine(folder, SlurmExecutor.JournalFileName)} records no Slurm submission, so there is nothing to resubmit; submit the sweep with sweep --executor slurm.");

        Directory.CreateDirectory(folder);
        SweepFile.Of(job.Plan).Write(folder);
        var status = submitted.Count > 0 ? slurm.Status(folder) : new SlurmArrayStatus(Array.Empty<SlurmTaskStatus>());
        var inQueue = status.Tasks.Where(t => !t.IsFinished && t.State != SlurmTaskState.Unknown && t.Index < job.Plan.Runs.Count)
            .ToDictionary(t => t.Index);
        var finished = job.Plan.Runs.Select(r => r.Index).Where(job.RunFinished).ToHashSet();
        var indices = job.Resubmit
            ? status.ResubmitIndices(i => finished.Contains(i)).Where(i => i < job.Plan.Runs.Count && !finished.Contains(i)).ToArray()
            : job.Plan.Runs.Select(r => r.Index).Where(i => !finished.Contains(i) && !inQueue.ContainsKey(i)).ToArray();

        var output = job.Out;
        output.WriteLine($"sweep {job.Plan.Name}: {job.Plan.Runs.Count} runs in {folder}; {finished.Count} finished earlier, {inQueue.Count} in the Slurm queue, " +
                         $"{indices.Length} to {(job.Resubmit ? "resubmit" : "submit")}");
        foreach (int index in finished.Order())
            output.WriteLine($"run {SweepPlan.RunFolderName(index)} finished earlier: {job.Outcome(index)} (skipped)");
        foreach (var task in inQueue.Values.OrderBy(t => t.Index))
            output.WriteLine($"{Line(task)} (already in the queue; not submitted again)");
        if (job.Resubmit)
            foreach (var task in status.Tasks.Where(t => indices.Contains(t.Index)))
                output.WriteLine($"{Line(task)}: resubmitting; it resumes from its last.pt");

        if (indices.Length > 0)
        {
            slurm.Submit(Request(job, program ?? ChildProgram.Current(), indices), output);
        }
        else if (inQueue.Count == 0)
        {
            output.WriteLine(finished.Count == job.Plan.Runs.Count
                ? $"nothing to submit: every run of sweep {job.Plan.Name} is finished."
                : $"nothing to resubmit: no Slurm task of sweep {job.Plan.Name} failed, was cancelled or preempted.");
            return Verdict(job, status);
        }
        if (!job.Wait)
        {
            output.WriteLine($"not waiting (--no-wait): the same sweep command with --status shows where the runs stand.");
            return 0;
        }
        return Watch(job, slurm, indices.Concat(inQueue.Keys).ToHashSet(), cancel);
    }

    /// <summary>
    /// The array of <paramref name="indices"/> for <paramref name="job"/>: each task runs <paramref name="program"/> with
    /// <see cref="SweepJob.TrainArguments"/> for its index, in this process's working directory, with <c>--threads T</c>
    /// and as many CPUs (<see cref="DefaultThreads"/> without --threads), at most --parallel tasks at once.
    /// </summary>
    public static SlurmJobRequest Request(SweepJob job, ChildProgram program, IReadOnlyList<int> indices)
    {
        int threads = job.Threads ?? DefaultThreads;
        var arguments = program.LeadingArguments.Concat(job.TrainArguments(SlurmTaskCommand.IndexPlaceholder, job.FullFolder, threads)).ToArray();
        return new SlurmJobRequest(job.FullFolder, indices, new SlurmTaskCommand(Environment.CurrentDirectory, program.FileName, arguments),
            CpusPerTask: threads, ExtraSbatchArguments: job.SbatchArguments, MaxRunning: job.Parallel);
    }

    /// <summary>
    /// Follows the tasks until the array ends, one line per change of the <paramref name="watched"/> runs (those submitted
    /// now or still in the queue); Ctrl+C or SIGTERM stops watching, not the tasks.
    /// </summary>
    private int Watch(SweepJob job, SlurmExecutor slurm, IReadOnlySet<int> watched, CancellationToken cancel)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        Action<PosixSignalContext> stopWatching = context =>
        {
            context.Cancel = true;
            stop.Cancel();
        };
        using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, stopWatching);
        using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, stopWatching);
        SlurmArrayStatus status;
        try
        {
            status = slurm.Wait(job.FullFolder, task =>
            {
                if (!watched.Contains(task.Index)) return;
                job.Out.WriteLine(task.State == SlurmTaskState.Completed ? $"{Line(task)}: {job.Outcome(task.Index)}" : Line(task));
            }, pollInterval ?? DefaultPollInterval, stop.Token);
        }
        catch (OperationCanceledException)
        {
            job.Out.WriteLine("stopped watching; the array keeps running on the cluster. The same sweep command with --status shows where the runs stand.");
            return 1;
        }
        return Verdict(job, status);
    }

    /// <summary>--status: each run's Slurm task and run folder, then a summary; 0 when every run is finished.</summary>
    private static int ShowStatus(SweepJob job, SlurmExecutor slurm, SlurmArrayStatus? status)
    {
        var output = job.Out;
        if (status is null)
        {
            output.WriteLine($"sweep {job.Plan.Name}: {Path.Combine(job.FullFolder, SlurmExecutor.JournalFileName)} records no Slurm submission.");
            return Verdict(job, new SlurmArrayStatus(Array.Empty<SlurmTaskStatus>()));
        }
        var tasks = status.Tasks.ToDictionary(t => t.Index);
        output.WriteLine($"sweep {job.Plan.Name} in {job.FullFolder}: Slurm says {status.Summary()}");
        foreach (var run in job.Plan.Runs)
        {
            var folder = SweepRunFolder.Inspect(SweepPlan.RunFolder(job.FullFolder, run.Index));
            string slurmState = tasks.TryGetValue(run.Index, out var task) ? Line(task) : $"run {SweepPlan.RunFolderName(run.Index)}: not submitted";
            output.WriteLine($"{slurmState}; run folder: {(job.RunFinished(run.Index) ? "finished, " + job.Outcome(run.Index) : folder.StateText)}");
        }
        return Verdict(job, status);
    }

    /// <summary>0 when every run of the sweep is finished (by its run folder); else 1, naming the others with their Slurm state and slurm.out.</summary>
    private static int Verdict(SweepJob job, SlurmArrayStatus status)
    {
        var tasks = status.Tasks.ToDictionary(t => t.Index);
        var unfinished = job.Plan.Runs.Select(r => r.Index).Where(i => !job.RunFinished(i)).ToArray();
        job.Out.WriteLine($"sweep {job.Plan.Name}: {job.Plan.Runs.Count - unfinished.Length} of {job.Plan.Runs.Count} runs finished.");
        if (unfinished.Length == 0) return 0;
        job.Out.WriteLine("not finished: " + string.Join("; ", unfinished.Select(i => tasks.TryGetValue(i, out var task)
            ? $"{job.Describe(i)}: job {task.JobId}_{i} {SlurmStates.Name(task.State)}{(task.Detail.Length > 0 ? $" ({task.Detail})" : "")} " +
              $"(log: {Path.Combine(SweepPlan.RunFolder(job.FullFolder, i), SlurmScript.OutputFileName)})"
            : $"{job.Describe(i)}: not submitted")));
        if (unfinished.Any(i => tasks.TryGetValue(i, out var task) && (task.IsFailure || task.State == SlurmTaskState.Unknown)))
            job.Out.WriteLine("The same sweep command with --resubmit runs the failed ones again; each resumes from its last.pt.");
        return 1;
    }

    /// <summary>"run 001 (job 12_1): CANCELLED (exit 0:15)".</summary>
    private static string Line(SlurmTaskStatus task) =>
        $"run {SweepPlan.RunFolderName(task.Index)} (job {task.JobId}_{task.Index}): {SlurmStates.Name(task.State)}" + (task.Detail.Length > 0 ? $" ({task.Detail})" : "");
}

/// <summary>
/// <c>sweep --emit slurm</c>: the sbatch script that <c>sweep --executor slurm</c> would submit for every run, printed and
/// not submitted. Slurm does not create the folders of its output files, so the run folders must exist before sbatch;
/// a comment in the script says so.
/// </summary>
public sealed class SlurmSweepEmitter : ISweepEmitter
{
    /// <inheritdoc/>
    public string Name => "slurm";

    /// <inheritdoc/>
    public string Description => "print the sbatch script of a Slurm job array (one task per run), without submitting it";

    /// <inheritdoc/>
    public IReadOnlyList<string> Flags { get; } = new[] { "--sbatch-arg" };

    /// <inheritdoc/>
    public string Emit(SweepJob job) => Emit(job, ChildProgram.Current());

    /// <summary>The script for every run of <paramref name="job"/>, each task starting <paramref name="program"/>.</summary>
    public static string Emit(SweepJob job, ChildProgram program)
    {
        var request = SlurmSweepExecutor.Request(job, program, job.Plan.Runs.Select(r => r.Index).ToArray());
        string script = SlurmScript.Render(request);
        // After the shebang (sbatch needs it first) and among the comments, which sbatch reads past to the first command.
        int firstLineEnd = script.IndexOf('\n') + 1;
        string first = SweepPlan.RunFolderName(0), last = SweepPlan.RunFolderName(job.Plan.Runs.Count - 1);
        string note = $"# Printed by sweep --emit slurm: Slurm does not create output folders, so create the run folders before sbatch:\n" +
                      $"#   mkdir -p {SlurmScript.SingleQuoted(job.FullFolder)}/{{{first}..{last}}}\n";
        return script[..firstLineEnd] + note + script[firstLineEnd..];
    }
}
