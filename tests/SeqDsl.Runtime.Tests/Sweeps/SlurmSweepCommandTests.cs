using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using SeqDsl.Runtime.Experiments;
using SeqDsl.Runtime.Sweeps;
using SeqDsl.Runtime.Tests.Data;
using SeqDsl.Runtime.Tests.Infrastructure;
using SeqDsl.Runtime.Training;
using Xunit.Abstractions;

namespace SeqDsl.Runtime.Tests.Sweeps;

/// <summary>
/// <c>sweep --executor slurm</c> end to end on the real one-node cluster: tests/SeqDsl.SweepApp's SweepVariants (four
/// layer variants, 6 epochs of about a second each) submitted as a job array by the program itself, waited for, ranked
/// by <c>report</c>; and a task killed with scancel after its first checkpoint, seen by <c>--status</c>, finished by
/// <c>--resubmit</c> from that checkpoint.
/// </summary>
[Collection(SlurmClusterCollection.Name)]
public sealed class SlurmSweepCommandTests : IDisposable
{
    private const string Spec = "SweepVariants";
    private static readonly int[] s_units = [4, 8, 12, 16];

    private readonly SlurmCluster _cluster;
    private readonly ITestOutputHelper _output;
    private readonly TempDirectory _directory = new();

    public SlurmSweepCommandTests(SlurmCluster cluster, ITestOutputHelper output)
    {
        _cluster = cluster;
        _output = output;
    }

    public void Dispose() => _directory.Dispose();

    /// <summary>The test program against the cluster (SLURM_CONF), in the test's folder; its output goes to the test log too.</summary>
    private (int Code, string Output) App(params string[] args)
    {
        var clock = Stopwatch.StartNew();
        var result = TestPrograms.Run(TestPrograms.SweepApp, _directory.Path, _cluster.Environment, args);
        _output.WriteLine($"$ {string.Join(' ', args)}  → exit {result.Code} in {clock.Elapsed.TotalSeconds:0.0} s\n{result.Output}");
        return result;
    }

    /// <summary>The epochs of the history saved with <paramref name="last"/> (its resume point, last.pt.json); 0 while there is none.</summary>
    private static int CheckpointedEpochs(string last)
    {
        try
        {
            using var state = JsonDocument.Parse(File.ReadAllText(last + ".json"));
            return state.RootElement.GetProperty("history").GetProperty("epochs").GetArrayLength();
        }
        catch (Exception e) when (e is IOException or JsonException or KeyNotFoundException)
        {
            return 0;
        }
    }

    private static string RunFile(string sweep, int index, string name) => File.ReadAllText(Path.Combine(SweepPlan.RunFolder(sweep, index), name));

    [SkippableFact]
    public void Sweep_on_slurm_waits_for_the_array_then_report_ranks_the_four_variants_and_a_second_sweep_submits_nothing()
    {
        Skip.If(_cluster.SkipReason is not null, _cluster.SkipReason);
        string sweep = Path.Combine(_directory.Path, "variants");

        var (code, output) = App("sweep", "-e", Spec, "--executor", "slurm", "--out", sweep);

        Assert.True(code == 0, output);
        var submission = Assert.Single(SlurmExecutor.Submissions(sweep));
        Assert.Equal("0-3", submission.Array);
        Assert.Contains("#SBATCH --array=0-3\n", output);
        Assert.Contains("#SBATCH --cpus-per-task=1\n", output);
        Assert.Contains($"'train' '-e' '{Spec}' '--run' \"${{SLURM_ARRAY_TASK_ID}}\" '--out' '{sweep}' '--threads' '1'\n", output);
        Assert.Contains($"Submitted Slurm job {submission.JobId} (array 0-3)", output);
        Assert.Contains($"sweep {Spec}: 4 of 4 runs finished.", output);
        for (int i = 0; i < 4; i++)
        {
            string folder = SweepPlan.RunFolder(sweep, i);
            Assert.Matches($@"run 00{i} \(job {submission.JobId}_{i}\): COMPLETED: best val_loss [0-9.]+ \(epoch [1-6]\)", output);
            Assert.Equal(SweepRunState.Finished, SweepRunFolder.Inspect(folder).State);
            Assert.Equal($"{Spec}V{i}", SweepRunRecord.Read(folder)!.Experiment);
            Assert.Contains($"job {submission.JobId}_{i} on ", RunFile(sweep, i, SlurmScript.OutputFileName));
            Assert.Equal(6, TrainingHistory.ReadJson(Path.Combine(folder, "history.json")).Epochs.Count);
        }

        var (reportCode, report) = App("report", "-e", Spec, "--out", sweep);

        Assert.True(reportCode == 0, report);
        Assert.Contains($"Leaderboard: {Spec} (4 of 4 runs ranked)", report);
        string[] csv = File.ReadAllLines(Path.Combine(sweep, "leaderboard.csv"));
        Assert.Equal("rank,index,experiment,layers.dense_1.units,state,best val_loss,test_mae,test_mse,best epoch,epochs,seconds", csv[0]);
        var rows = csv.Skip(1).Select(l => l.Split(',')).ToArray();
        Assert.Equal(["1", "2", "3", "4"], rows.Select(r => r[0]));
        Assert.Equal([0, 1, 2, 3], rows.Select(r => int.Parse(r[1], CultureInfo.InvariantCulture)).Order());
        var bests = rows.Select(r => double.Parse(r[5], CultureInfo.InvariantCulture)).ToArray();
        Assert.Equal(bests.Order(), bests);
        foreach (var row in rows)
        {
            int index = int.Parse(row[1], CultureInfo.InvariantCulture);
            Assert.Equal($"{Spec}V{index}", row[2]);
            Assert.Equal(s_units[index].ToString(CultureInfo.InvariantCulture), row[3]);
            Assert.Equal("finished", row[4]);
            Assert.Equal("6", row[9]);
        }
        string markdown = File.ReadAllText(Path.Combine(sweep, "leaderboard.md"));
        Assert.Equal(4, markdown.Split('\n').Count(l => l.StartsWith("| ", StringComparison.Ordinal) && l.Contains("| finished |", StringComparison.Ordinal)));
        Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], File.ReadAllBytes(Path.Combine(sweep, "leaderboard.png")).Take(4));

        var (againCode, again) = App("sweep", "-e", Spec, "--executor", "slurm", "--out", sweep);

        Assert.True(againCode == 0, again);
        Assert.Contains("4 finished earlier, 0 in the Slurm queue, 0 to submit", again);
        Assert.Contains("nothing to submit: every run of sweep SweepVariants is finished.", again);
        Assert.DoesNotContain("Submitted", again);
        Assert.Single(SlurmExecutor.Submissions(sweep));
    }

    [SkippableFact]
    public void A_run_cancelled_after_its_first_checkpoint_is_shown_by_status_and_resubmit_finishes_it_from_that_checkpoint()
    {
        Skip.If(_cluster.SkipReason is not null, _cluster.SkipReason);
        const int Victim = 1;
        string sweep = Path.Combine(_directory.Path, "cancelled");
        string victim = SweepPlan.RunFolder(sweep, Victim);
        string last = Path.Combine(victim, RunFolder.LastCheckpoint);

        var (code, output) = App("sweep", "-e", Spec, "--executor", "slurm", "--no-wait", "--out", sweep);
        Assert.True(code == 0, output);
        Assert.Contains("not waiting (--no-wait)", output);
        long job = Assert.Single(SlurmExecutor.Submissions(sweep)).JobId;

        // Cancel once the run has completed an epoch (last.pt with the history in its resume point) and before it finishes.
        bool checkpointed = SpinWait.SpinUntil(() =>
        {
            Thread.Sleep(50);
            return SweepRunFolder.Inspect(victim) is { State: SweepRunState.Incomplete, LastEpoch: >= 1 } && CheckpointedEpochs(last) >= 1;
        }, TimeSpan.FromSeconds(120));
        Assert.True(checkpointed, "run 001 did not write its first checkpoint");
        _cluster.Run("scancel", $"{job}_{Victim}");
        string runId = Checkpoint.ReadInfo(last)!.RunId;
        var executor = new SlurmExecutor(_cluster.Commands);
        using (var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(180)))
            executor.Wait(sweep, change => _output.WriteLine($"{DateTime.Now:HH:mm:ss.f} {change}"), TimeSpan.FromMilliseconds(500), timeout.Token);
        int reached = SweepRunFolder.Inspect(victim).LastEpoch!.Value;
        int historyEpochs = CheckpointedEpochs(last);

        var (statusCode, status) = App("sweep", "-e", Spec, "--executor", "slurm", "--status", "--out", sweep);

        Assert.Equal(1, statusCode);
        Assert.InRange(reached, 1, 5);
        Assert.Equal(reached, historyEpochs);
        Assert.Contains($"run 001 (job {job}_1): CANCELLED", status);
        Assert.Contains($"run folder: incomplete (epoch {reached})", status);
        Assert.Contains($"sweep {Spec}: 3 of 4 runs finished.", status);
        Assert.Contains($"not finished: run 001 ({Spec}V1: layers.dense_1.units=8): job {job}_1 CANCELLED", status);
        Assert.Contains($"(log: {Path.Combine(victim, SlurmScript.OutputFileName)})", status);
        Assert.Contains("--resubmit runs the failed ones again", status);
        foreach (int other in new[] { 0, 2, 3 }) Assert.Contains($"run 00{other} (job {job}_{other}): COMPLETED; run folder: finished, best val_loss", status);

        var (resubmitCode, resubmit) = App("sweep", "-e", Spec, "--executor", "slurm", "--resubmit", "--out", sweep);

        Assert.True(resubmitCode == 0, resubmit);
        var submissions = SlurmExecutor.Submissions(sweep);
        Assert.Equal(2, submissions.Count);
        Assert.Equal("1", submissions[1].Array);
        Assert.Contains($"run 001 (job {job}_1): CANCELLED", resubmit);
        Assert.Contains("resubmitting; it resumes from its last.pt", resubmit);
        Assert.Contains("#SBATCH --array=1\n", resubmit);
        Assert.Contains($"sweep {Spec}: 4 of 4 runs finished.", resubmit);
        // Resumed, not restarted: train --run said so, the epochs continue from the checkpoint's, and the training run id is the same.
        string slurmOut = RunFile(sweep, Victim, SlurmScript.OutputFileName);
        Assert.Contains($"job {job}_1 on ", slurmOut);
        Assert.Contains($"job {submissions[1].JobId}_1 on ", slurmOut);
        Assert.Contains($"resuming from {last} after epoch {reached}", slurmOut);
        Assert.Contains($"Epoch {reached + 1}/6", slurmOut[slurmOut.IndexOf($"job {submissions[1].JobId}_1 on ", StringComparison.Ordinal)..]);
        Assert.DoesNotContain("Epoch 1/6", slurmOut[slurmOut.IndexOf($"job {submissions[1].JobId}_1 on ", StringComparison.Ordinal)..]);
        Assert.Equal([1, 2, 3, 4, 5, 6], TrainingHistory.ReadJson(Path.Combine(victim, "history.json")).Epochs.Select(e => e.Epoch));
        Assert.Equal(runId, Checkpoint.ReadInfo(last)!.RunId);
        Assert.Equal(runId, SweepRunRecord.Read(victim)!.FinishedRunId);
        foreach (int other in new[] { 0, 2, 3 }) Assert.DoesNotContain("resuming", RunFile(sweep, other, SlurmScript.OutputFileName));

        var (reportCode, report) = App("report", "--out", sweep);
        Assert.True(reportCode == 0, report);
        Assert.Contains($"Leaderboard: {Spec} (4 of 4 runs ranked)", report);
    }
}
