using SeqDsl.Runtime.Experiments;
using SeqDsl.Runtime.Sweeps;
using SeqDsl.Runtime.Tests.Data;

namespace SeqDsl.Runtime.Tests.Sweeps;

/// <summary>
/// squeue and sacct output read into task states, and the executor's submissions, errors and status against stand-in
/// sbatch/squeue/sacct programs (the real ones run in <see cref="SlurmClusterTests"/>).
/// </summary>
public sealed class SlurmStatusTests : IDisposable
{
    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    // squeue --noheader --array --states=all --jobs=<id> --format=%F|%K|%T|%r on Slurm 22.05.8 (Debian 12): tasks
    // that ended are still listed while the controller holds the job; a line of another job is ignored.
    private const string SqueueOutput = """
        7|3|PENDING|Resources
        7|4|PENDING|Resources
        7|1|RUNNING|None
        7|0|COMPLETED|None
        7|5|FAILED|NonZeroExitCode
        7|2|CANCELLED|None
        8|0|RUNNING|None
        """;

    // sacct --jobs=12 --allocations --noheader --parsable2 --format=JobID,State,ExitCode, in the format sacct documents
    // (the test cluster has no slurmdbd, so this is not a live sample): states of tasks that ended, a pending range.
    private const string SacctOutput = """
        12_0|COMPLETED|0:0
        12_1|CANCELLED by 0|0:15
        12_2|TIMEOUT|0:0
        12_3|OUT_OF_MEMORY|0:125
        12_4|NODE_FAIL|0:0
        12_5|PREEMPTED|0:0
        12_6|FAILED|3:0
        12_[7-9%2]|PENDING|0:0
        13_0|COMPLETED|0:0
        """;

    [Fact]
    public void Squeue_lines_give_each_task_of_the_job_its_state_and_reason()
    {
        var tasks = SlurmStates.ParseSqueue(SqueueOutput, 7);

        Assert.Equal([0, 1, 2, 3, 4, 5], tasks.Keys.Order());
        Assert.Equal(SlurmTaskState.Pending, tasks[3].State);
        Assert.Equal("Resources", tasks[3].Detail);
        Assert.Equal(SlurmTaskState.Running, tasks[1].State);
        Assert.Equal("", tasks[1].Detail);
        Assert.Equal(SlurmTaskState.Completed, tasks[0].State);
        Assert.Equal((SlurmTaskState.Failed, "NonZeroExitCode"), (tasks[5].State, tasks[5].Detail));
        Assert.Equal(SlurmTaskState.Cancelled, tasks[2].State);
        Assert.Equal("run 5 (job 7_5): FAILED (NonZeroExitCode)", tasks[5].ToString());
    }

    [Fact]
    public void Squeue_without_array_expansion_lists_pending_tasks_as_a_range()
    {
        // Without --array squeue prints the pending tasks of an array as one line.
        var tasks = SlurmStates.ParseSqueue("7|3-5%3|PENDING|Resources\n7|1|RUNNING|None\n", 7);

        Assert.Equal([1, 3, 4, 5], tasks.Keys.Order());
        Assert.All([3, 4, 5], i => Assert.Equal(SlurmTaskState.Pending, tasks[i].State));
    }

    [Fact]
    public void Sacct_lines_give_final_states_with_exit_codes()
    {
        var tasks = SlurmStates.ParseSacct(SacctOutput, 12);

        Assert.Equal(Enumerable.Range(0, 10), tasks.Keys.Order());
        Assert.Equal(
            [SlurmTaskState.Completed, SlurmTaskState.Cancelled, SlurmTaskState.Timeout, SlurmTaskState.OutOfMemory, SlurmTaskState.NodeFail,
             SlurmTaskState.Preempted, SlurmTaskState.Failed, SlurmTaskState.Pending, SlurmTaskState.Pending, SlurmTaskState.Pending],
            tasks.OrderBy(t => t.Key).Select(t => t.Value.State));
        Assert.Equal("exit 0:15", tasks[1].Detail);
        Assert.Equal("exit 3:0", tasks[6].Detail);
        Assert.Equal("", tasks[0].Detail);
    }

    [Theory]
    [InlineData("NODE_FAIL", SlurmTaskState.NodeFail)]
    [InlineData("OUT_OF_MEMORY", SlurmTaskState.OutOfMemory)]
    [InlineData("REQUEUED", SlurmTaskState.Requeued)]
    [InlineData("REQUEUE_HOLD", SlurmTaskState.RequeueHold)]
    [InlineData("CANCELLED by 1000", SlurmTaskState.Cancelled)]
    [InlineData("CANCELLED+", SlurmTaskState.Cancelled)]
    [InlineData("completing", SlurmTaskState.Completing)]
    [InlineData("SOMETHING_NEW", SlurmTaskState.Other)]
    [InlineData("3", SlurmTaskState.Other)]
    [InlineData("UNKNOWN", SlurmTaskState.Other)]
    public void State_names_are_read_like_slurm_writes_them(string text, SlurmTaskState state)
    {
        Assert.Equal(state, SlurmStates.Parse(text));
        if (state != SlurmTaskState.Other) Assert.Equal(text.Split(' ')[0].TrimEnd('+').ToUpperInvariant(), SlurmStates.Name(state));
    }

    [Fact]
    public void Failed_indices_are_the_tasks_that_ended_without_completing()
    {
        var tasks = SlurmStates.ParseSacct(SacctOutput, 12).Values.Append(new SlurmTaskStatus(10, 12, SlurmTaskState.Unknown, "")).OrderBy(t => t.Index);
        var status = new SlurmArrayStatus(tasks.ToArray());

        Assert.Equal([1, 2, 3, 4, 5, 6], status.FailedIndices);
        Assert.Equal([10], status.UnknownIndices);
        Assert.False(status.IsDone);
        Assert.Equal([1, 2, 3, 4, 5, 6, 10], status.ResubmitIndices(_ => false));
        Assert.Equal([1, 2, 3, 4, 5, 6], status.ResubmitIndices(i => i == 10));
        Assert.Equal("3 PENDING, 1 UNKNOWN, 1 COMPLETED, 1 FAILED, 1 CANCELLED, 1 TIMEOUT, 1 PREEMPTED, 1 NODE_FAIL, 1 OUT_OF_MEMORY", status.Summary());
        Assert.True(new SlurmArrayStatus(status.Tasks.Where(t => t.State != SlurmTaskState.Pending).ToArray()).IsDone);
    }

    [SkippableFact]
    public void Missing_sbatch_is_a_message_that_says_this_is_not_a_slurm_host()
    {
        Skip.IfNot(File.Exists("/bin/sh"), "the stand-in programs are shell scripts");
        var executor = new SlurmExecutor(new SlurmCommands(binDirectory: Bin()));

        var error = Assert.Throws<ExperimentException>(() => executor.Submit(Request()));

        Assert.Contains("`sbatch --parsable ", error.Message);
        Assert.Contains("sbatch was not found", error.Message);
        Assert.Contains("Slurm submit host", error.Message);
    }

    [SkippableFact]
    public void A_refused_submission_names_the_command_its_exit_code_and_stderr()
    {
        Skip.IfNot(File.Exists("/bin/sh"), "the stand-in programs are shell scripts");
        string bin = Bin(("sbatch", "echo 'sbatch: error: invalid partition specified: gpu' >&2\necho 'sbatch: error: Batch job submission failed: Invalid partition name specified' >&2\nexit 1"));
        var executor = new SlurmExecutor(new SlurmCommands(binDirectory: bin));

        var error = Assert.Throws<ExperimentException>(() => executor.Submit(Request()));

        Assert.StartsWith($"`sbatch --parsable {Path.Combine(Sweep, "sweep.sbatch")}` failed with exit code 1: sbatch: error: invalid partition", error.Message);
        Assert.Contains("Invalid partition name specified", error.Message);
        Assert.False(File.Exists(Path.Combine(Sweep, SlurmExecutor.JournalFileName)));
    }

    [SkippableFact]
    public void Submissions_are_recorded_and_each_index_takes_its_state_from_its_latest_job()
    {
        Skip.IfNot(File.Exists("/bin/sh"), "the stand-in programs are shell scripts");
        string jobs = Path.Combine(_directory.Path, "next-job");
        File.WriteAllText(jobs, "100\n");
        string log = Path.Combine(_directory.Path, "calls.log");
        string bin = Bin(
            ("sbatch", $"echo \"$@\" >> '{log}'\nread id < '{jobs}'\necho $((id + 1)) > '{jobs}'\nif [ $id = 101 ]; then echo \"$id;cluster2\"; else echo $id; fi"),
            // Job 100's tasks 0-3 ended; the controller forgot index 3 (cancelled while pending). Job 101 runs index 2 again.
            ("squeue", $"echo squeue \"$@\" >> '{log}'\ncase \"$*\" in *--jobs=100*) printf '100|0|COMPLETED|None\\n100|1|COMPLETED|None\\n100|2|CANCELLED|None\\n';; *--jobs=101*) echo '101|2|RUNNING|None';; esac"),
            ("sacct", $"echo sacct \"$@\" >> '{log}'\necho 'Slurm accounting storage is disabled' >&2\nexit 1"));
        var executor = new SlurmExecutor(new SlurmCommands(binDirectory: bin));
        var shown = new StringWriter();

        var first = executor.Submit(Request() with { Indices = [0, 1, 2, 3] }, shown);
        Assert.Equal(new[] { 2, 3 }, executor.Status(Sweep).ResubmitIndices(_ => false));
        var second = executor.Submit(Request() with { Indices = [2] });

        Assert.Equal((100L, (string?)null, "0-3"), (first.JobId, first.Cluster, first.Array));
        Assert.Equal((101L, "cluster2", "2"), (second.JobId, second.Cluster, second.Array));
        Assert.Equal(SlurmScript.Hash(File.ReadAllText(Path.Combine(Sweep, "sweep.sbatch"))), second.ScriptSha256);
        Assert.NotEqual(first.ScriptSha256, second.ScriptSha256);
        Assert.Equal([first, second], SlurmExecutor.Submissions(Sweep));
        Assert.Contains("#SBATCH --array=0-3", shown.ToString());
        Assert.Contains("Submitted Slurm job 100 (array 0-3)", shown.ToString());

        var status = executor.Status(Sweep);
        Assert.Equal(
            ["run 0 (job 100_0): COMPLETED", "run 1 (job 100_1): COMPLETED", "run 2 (job 101_2): RUNNING", "run 3 (job 100_3): UNKNOWN"],
            status.Tasks.Select(t => t.ToString()));
        Assert.Empty(status.FailedIndices);
        string calls = File.ReadAllText(log);
        Assert.Contains("--clusters=cluster2 --noheader --array --states=all --jobs=101 --format=%F|%K|%T|%r", calls);
        // sacct failed once (no accounting) and was not asked again.
        Assert.Single(calls.Split('\n'), l => l.StartsWith("sacct", StringComparison.Ordinal));
    }

    [Fact]
    public void A_broken_submissions_file_is_named_in_the_message()
    {
        Directory.CreateDirectory(Sweep);
        File.WriteAllText(Path.Combine(Sweep, SlurmExecutor.JournalFileName), """{ "submissions": [ { "jobId": 5, "array": "x-y" } ] }""");

        var error = Assert.Throws<InvalidDataException>(() => SlurmExecutor.Submissions(Sweep));

        Assert.Contains(SlurmExecutor.JournalFileName, error.Message);
        Assert.Contains("'x-y'", error.Message);
    }

    private string Sweep => Path.Combine(_directory.Path, "sweep");

    private SlurmJobRequest Request() => new(Sweep, [0, 1], new SlurmTaskCommand(_directory.Path, "/bin/true", ["{index}"]));

    /// <summary>A folder of stand-in programs (shell scripts).</summary>
    private string Bin(params (string Name, string Body)[] programs)
    {
        string bin = Path.Combine(_directory.Path, "bin-" + Guid.NewGuid().ToString("N")[..6]);
        Directory.CreateDirectory(bin);
        foreach (var (name, body) in programs)
        {
            string path = Path.Combine(bin, name);
            File.WriteAllText(path, "#!/bin/sh\n" + body + "\n");
            if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
        return bin;
    }
}
