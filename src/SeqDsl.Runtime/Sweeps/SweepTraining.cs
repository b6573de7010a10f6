using System;
using System.IO;
using SeqDsl.Runtime.Experiments;
using SeqDsl.Runtime.Training;

namespace SeqDsl.Runtime.Sweeps;

/// <summary>
/// <c>train --run I</c>: trains one run of a sweep in its own folder, <c>&lt;sweep folder&gt;/&lt;I:000&gt;</c>, so that a
/// scheduler may start, kill and requeue it at will. It resumes from last.pt when the folder has one and starts afresh
/// otherwise; a finished run returns at once; a folder recorded for another run (other settings or overrides) is refused.
/// </summary>
public static class SweepTraining
{
    /// <summary>
    /// Trains run <paramref name="run"/> of <paramref name="plan"/> in <paramref name="sweepFolder"/> with
    /// <paramref name="train"/> (the runner of the run's task, given the experiment and the run's options).
    /// </summary>
    /// <returns>The exit code: 0 when the run is finished (now or earlier), else <paramref name="train"/>'s.</returns>
    /// <exception cref="ExperimentException">The run folder holds another run.</exception>
    public static int Train(SweepPlan plan, SweepRun run, string sweepFolder, RunOptions options, TextWriter output,
                            Func<ExperimentSpec, RunOptions, int> train)
    {
        string folder = SweepPlan.RunFolder(sweepFolder, run.Index);
        var wanted = SweepRunRecord.For(plan, run, options);
        var found = SweepRunFolder.Inspect(folder);
        if (found.Record is { } recorded && !recorded.SameRunAs(wanted))
            throw new ExperimentException(
                $"The run folder {Path.GetFullPath(folder)} holds {recorded.Describe()}, not {wanted.Describe()}; it is never reused for another run. " +
                "Give another --out, or delete the folder to train this run there.");
        if (found.State == SweepRunState.Finished)
        {
            output.WriteLine($"{wanted.Describe()} is finished: {Path.GetFullPath(Path.Combine(folder, SweepRunFolder.MetricsFile))} (training run {found.Record!.FinishedRunId}); nothing to do.");
            return 0;
        }
        if (found.Record is null && found.State == SweepRunState.Incomplete)
            throw new ExperimentException(
                $"The run folder {Path.GetFullPath(folder)} has a last.pt but no {SweepRunRecord.FileName}: it was not trained as {wanted.Describe()}. " +
                "Give another --out, or delete the folder to train this run there.");

        Directory.CreateDirectory(folder);
        wanted.Write(folder);
        output.WriteLine(found.State == SweepRunState.Incomplete
            ? $"{wanted.Describe()}: resuming from {Path.Combine(folder, RunFolder.LastCheckpoint)}{(found.LastEpoch is int epoch ? $" after epoch {epoch}" : "")}"
            : $"{wanted.Describe()}: starting in {folder}");
        // Resume whenever there is a last.pt to resume from; without one the runner starts afresh.
        int code = train(run.Experiment, options with { OutputDirectory = folder, Resume = true, SweepRunIndex = run.Index });
        if (code != 0) return code;

        string last = Path.Combine(folder, RunFolder.LastCheckpoint);
        string runId = Checkpoint.ReadInfo(last)?.RunId
            ?? throw new ExperimentException($"{last} has no run id, so the run cannot be marked finished.");
        (wanted with { FinishedRunId = runId }).Write(folder);
        return 0;
    }
}
