using SeqDsl.Runtime.Sweeps;
using SeqDsl.Runtime.Tests.Data;
using SeqDsl.Runtime.Tests.Infrastructure;
using Xunit.Abstractions;

namespace SeqDsl.Runtime.Tests.Sweeps;

/// <summary>
/// The Slurm executor against a real one-node cluster: a four-task array of a stand-in for <c>train --run</c> (a bash
/// script that checkpoints every step and resumes from its checkpoint), and a task killed with scancel mid-run that a
/// resubmission of its index alone finishes from its checkpoint. The sweep folder's name is hostile on purpose.
/// </summary>
[Collection(SlurmClusterCollection.Name)]
public sealed class SlurmClusterTests : IDisposable
{
    /// <summary>What each task writes beside its steps; quotes, $, # and the index placeholder must reach it unchanged.</summary>
    private const string Note = "it's \"odd\" $HOME #{index}";

    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(500);

    // Stands in for `train --run I`: steps of half a second, a checkpoint written atomically after each, a restart
    // resumes from it, and a finished run exits at once.
    private const string StandInTask = """
        #!/bin/bash
        set -euo pipefail
        index=$1; steps=$2; note=$3
        cd "$(printf '%03d' "$index")"
        if [ -f done ]; then echo "run $index already finished"; exit 0; fi
        step=0
        if [ -f checkpoint ]; then step=$(cat checkpoint); echo "resumed from step $step" >> progress.log; fi
        while [ "$step" -lt "$steps" ]; do
            sleep 0.5
            step=$((step + 1))
            echo "$step" > checkpoint.tmp && mv checkpoint.tmp checkpoint
            echo "step $step" >> progress.log
        done
        printf '%s\n' "index=$index" "steps=$steps" "note=$note" > result.txt
        touch done
        """;

    private readonly SlurmCluster _cluster;
    private readonly ITestOutputHelper _output;
    private readonly TempDirectory _directory = new();

    public SlurmClusterTests(SlurmCluster cluster, ITestOutputHelper output)
    {
        _cluster = cluster;
        _output = output;
        if (cluster.SkipReason is null)
            output.WriteLine($"cluster: {cluster.Cpus} CPUs, started in {cluster.StartTime.TotalSeconds:0.0} s" +
                             (cluster.InstallTime is { } install ? $", packages installed in {install.TotalSeconds:0} s" : ", packages already installed"));
    }

    public void Dispose() => _directory.Dispose();

    private string Sweep(string name) => Path.Combine(_directory.Path, name + " it's \"odd\" $HOME #1 50%");

    private SlurmJobRequest Request(string sweep, int steps, params int[] indices)
    {
        Directory.CreateDirectory(sweep);
        string task = Path.Combine(sweep, "task.sh");
        File.WriteAllText(task, StandInTask.Replace("\r\n", "\n") + "\n");
        return new SlurmJobRequest(sweep, indices, new SlurmTaskCommand(sweep, "/bin/bash", [task, "{index}", steps.ToString(), Note]));
    }

    private SlurmArrayStatus Wait(SlurmExecutor executor, string sweep, List<SlurmTaskStatus> changes)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        return executor.Wait(sweep, change =>
        {
            changes.Add(change);
            _output.WriteLine($"{DateTime.Now:HH:mm:ss.f} {change}");
        }, Poll, timeout.Token);
    }

    private static string RunFile(string sweep, int index, string name) => File.ReadAllText(Path.Combine(SweepPlan.RunFolder(sweep, index), name));

    [SkippableFact]
    public void A_four_task_array_runs_each_task_in_its_run_folder()
    {
        Skip.If(_cluster.SkipReason is not null, _cluster.SkipReason);
        string sweep = Sweep("array");
        var executor = new SlurmExecutor(_cluster.Commands);
        var changes = new List<SlurmTaskStatus>();

        var submission = executor.Submit(Request(sweep, 4, 0, 1, 2, 3));
        var status = Wait(executor, sweep, changes);

        Assert.Equal("0-3", submission.Array);
        Assert.Equal(Enumerable.Repeat(SlurmTaskState.Completed, 4), status.Tasks.Select(t => t.State));
        Assert.Empty(status.FailedIndices);
        for (int index = 0; index < 4; index++)
        {
            Assert.Equal($"index={index}\nsteps=4\nnote={Note.Replace("{index}", index.ToString())}\n", RunFile(sweep, index, "result.txt"));
            Assert.Equal("step 1\nstep 2\nstep 3\nstep 4\n", RunFile(sweep, index, "progress.log"));
            Assert.Contains($"job {submission.JobId}_{index} on ", RunFile(sweep, index, SlurmScript.OutputFileName));
            Assert.Contains(changes, c => c.Index == index && c.State == SlurmTaskState.Completed);
        }
        var recorded = Assert.Single(SlurmExecutor.Submissions(sweep));
        Assert.Equal(submission, recorded);
        Assert.Equal(SlurmScript.Hash(File.ReadAllText(Path.Combine(sweep, SlurmScript.FileName))), recorded.ScriptSha256);
        // cons_tres with CR_CPU runs one-CPU tasks side by side: with two CPUs two tasks were seen running at once.
        if (_cluster.Cpus >= 2) Assert.True(MostRunningAtOnce(changes) >= 2, "no two tasks were seen running at the same time");
    }

    [SkippableFact]
    public void A_task_killed_with_scancel_is_resubmitted_alone_and_resumes_from_its_checkpoint()
    {
        Skip.If(_cluster.SkipReason is not null, _cluster.SkipReason);
        const int Victim = 1, Steps = 10;
        string sweep = Sweep("scancel");
        var executor = new SlurmExecutor(_cluster.Commands);
        var changes = new List<SlurmTaskStatus>();
        var request = Request(sweep, Steps, 0, 1, 2, 3);
        var first = executor.Submit(request);
        string checkpoint = Path.Combine(SweepPlan.RunFolder(sweep, Victim), "checkpoint");
        Assert.True(SpinWait.SpinUntil(() => File.Exists(checkpoint) && int.Parse(File.ReadAllText(checkpoint)) >= 3, TimeSpan.FromSeconds(60)),
            "the task to kill did not reach step 3");

        _cluster.Run("scancel", $"{first.JobId}_{Victim}");
        var afterCancel = Wait(executor, sweep, changes);
        int reached = int.Parse(File.ReadAllText(checkpoint));

        Assert.Equal([Victim], afterCancel.FailedIndices);
        Assert.Equal(SlurmTaskState.Cancelled, afterCancel.Tasks[Victim].State);
        Assert.Equal([Victim], executor.FailedIndices(sweep));
        Assert.InRange(reached, 3, Steps - 1);
        Assert.False(File.Exists(Path.Combine(SweepPlan.RunFolder(sweep, Victim), "done")));

        var second = executor.Submit(request with { Indices = executor.FailedIndices(sweep) });
        var final = Wait(executor, sweep, changes);

        Assert.Equal("1", second.Array);
        Assert.Equal(Enumerable.Repeat(SlurmTaskState.Completed, 4), final.Tasks.Select(t => t.State));
        Assert.Equal([first.JobId, second.JobId, first.JobId, first.JobId], final.Tasks.Select(t => t.JobId));
        Assert.Empty(final.FailedIndices);
        string progress = RunFile(sweep, Victim, "progress.log");
        Assert.Equal(
            Enumerable.Range(1, reached).Select(s => $"step {s}").Append($"resumed from step {reached}")
                .Concat(Enumerable.Range(reached + 1, Steps - reached).Select(s => $"step {s}")),
            progress.TrimEnd('\n').Split('\n'));
        Assert.Equal($"index={Victim}\nsteps={Steps}\nnote={Note.Replace("{index}", "1")}\n", RunFile(sweep, Victim, "result.txt"));
        // Both attempts appended to the task's slurm.out: the first one's start and its cancellation, then the second's.
        string slurmOut = RunFile(sweep, Victim, SlurmScript.OutputFileName);
        Assert.Contains($"job {first.JobId}_{Victim} on ", slurmOut);
        Assert.Contains("CANCELLED", slurmOut);
        Assert.Contains($"job {second.JobId}_{Victim} on ", slurmOut);
        Assert.Equal(2, SlurmExecutor.Submissions(sweep).Count);
        foreach (int other in new[] { 0, 2, 3 }) Assert.DoesNotContain("resumed", RunFile(sweep, other, "progress.log"));
    }

    /// <summary>The most tasks in the Running state at once, replaying the changes in order.</summary>
    private static int MostRunningAtOnce(IEnumerable<SlurmTaskStatus> changes)
    {
        var running = new HashSet<int>();
        int most = 0;
        foreach (var change in changes)
        {
            if (change.State == SlurmTaskState.Running) running.Add(change.Index);
            else running.Remove(change.Index);
            most = Math.Max(most, running.Count);
        }
        return most;
    }
}
