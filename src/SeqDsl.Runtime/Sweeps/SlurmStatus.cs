using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;

namespace SeqDsl.Runtime.Sweeps;

/// <summary>An array task's state, as squeue's <c>%T</c> and sacct's <c>State</c> name them (NODE_FAIL → NodeFail).</summary>
public enum SlurmTaskState
{
    /// <summary>Slurm no longer knows the task: the controller forgot it (MinJobAge) and there is no accounting (sacct).</summary>
    Unknown,
    /// <summary>A state this code does not know; treated as still in the queue.</summary>
    Other,
    /// <summary>Waiting for resources or its turn.</summary>
    Pending,
    /// <summary>Allocated; its node is being set up.</summary>
    Configuring,
    /// <summary>Running.</summary>
    Running,
    /// <summary>Ended; Slurm is cleaning up its processes.</summary>
    Completing,
    /// <summary>Suspended by an administrator or preemption (it resumes).</summary>
    Suspended,
    /// <summary>Stopped by a signal (it resumes).</summary>
    Stopped,
    /// <summary>Being sent a signal.</summary>
    Signaling,
    /// <summary>Changing its size.</summary>
    Resizing,
    /// <summary>Staging its files out.</summary>
    StageOut,
    /// <summary>Put back into the queue (preemption, node failure, <c>scontrol requeue</c>); it runs again.</summary>
    Requeued,
    /// <summary>Requeued and held; it runs again once released.</summary>
    RequeueHold,
    /// <summary>Requeued by a federation.</summary>
    RequeueFed,
    /// <summary>Held because its reservation was deleted.</summary>
    ResvDelHold,
    /// <summary>Requeued and held after a special exit code.</summary>
    SpecialExit,
    /// <summary>Finished with exit code 0.</summary>
    Completed,
    /// <summary>Finished with a non-zero exit code.</summary>
    Failed,
    /// <summary>Cancelled (scancel, or by an administrator).</summary>
    Cancelled,
    /// <summary>Killed at its time limit.</summary>
    Timeout,
    /// <summary>Preempted and not requeued.</summary>
    Preempted,
    /// <summary>Its node failed and it was not requeued.</summary>
    NodeFail,
    /// <summary>Its node failed to boot.</summary>
    BootFail,
    /// <summary>Not run by its deadline.</summary>
    Deadline,
    /// <summary>Killed for exceeding its memory.</summary>
    OutOfMemory,
    /// <summary>Revoked (a federation ran it elsewhere).</summary>
    Revoked,
}

/// <summary>One array task of a submission.</summary>
/// <param name="Index">The run index (the array task id).</param>
/// <param name="JobId">The array job's id (<c>sbatch --parsable</c>'s number).</param>
/// <param name="State">Its state.</param>
/// <param name="Detail">Slurm's reason (squeue: <c>Resources</c>, <c>NonZeroExitCode</c>) or exit code (sacct: <c>exit 3:0</c>); empty when none.</param>
public sealed record SlurmTaskStatus(int Index, long JobId, SlurmTaskState State, string Detail)
{
    /// <summary>Finished for good: it will not run again unless resubmitted.</summary>
    public bool IsFinished => SlurmStates.IsFinished(State);

    /// <summary>Finished without completing: failed, cancelled, preempted, timed out, out of memory, node failure….</summary>
    public bool IsFailure => IsFinished && State != SlurmTaskState.Completed;

    /// <inheritdoc/>
    public override string ToString() =>
        $"run {Index} (job {JobId}_{Index}): {SlurmStates.Name(State)}" + (Detail.Length > 0 ? $" ({Detail})" : "");
}

/// <summary>Every task of a sweep's submissions, each from the latest submission that holds its index.</summary>
public sealed record SlurmArrayStatus(IReadOnlyList<SlurmTaskStatus> Tasks)
{
    /// <summary>No task is waiting or running: each finished, or Slurm no longer knows it.</summary>
    public bool IsDone => Tasks.All(t => t.IsFinished || t.State == SlurmTaskState.Unknown);

    /// <summary>The indices whose task finished without completing (failed, cancelled, preempted, timeout, …): the ones to resubmit.</summary>
    public IReadOnlyList<int> FailedIndices => Tasks.Where(t => t.IsFailure).Select(t => t.Index).ToArray();

    /// <summary>The indices Slurm no longer knows (without accounting the controller forgets a job MinJobAge after it ends).</summary>
    public IReadOnlyList<int> UnknownIndices => Tasks.Where(t => t.State == SlurmTaskState.Unknown).Select(t => t.Index).ToArray();

    /// <summary>
    /// The indices a resubmission should run: the failed ones and those Slurm no longer knows (a task cancelled before
    /// it started leaves no record; without accounting neither does one the controller forgot) whose run did not finish.
    /// </summary>
    /// <param name="runFinished">Whether run <c>i</c> finished, from its run folder.</param>
    public IReadOnlyList<int> ResubmitIndices(Func<int, bool> runFinished) =>
        Tasks.Where(t => t.IsFailure || (t.State == SlurmTaskState.Unknown && !runFinished(t.Index))).Select(t => t.Index).ToArray();

    /// <summary>How many tasks are in each state, e.g. <c>2 COMPLETED, 1 RUNNING, 1 PENDING</c>.</summary>
    public string Summary() =>
        string.Join(", ", Tasks.GroupBy(t => t.State).OrderByDescending(g => g.Count()).ThenBy(g => g.Key)
            .Select(g => $"{g.Count()} {SlurmStates.Name(g.Key)}"));
}

/// <summary>Slurm's state names and what squeue and sacct print, read into <see cref="SlurmTaskStatus"/>es.</summary>
public static class SlurmStates
{
    /// <summary>The squeue format the executor asks for: array job id, task id, state, reason.</summary>
    public const string SqueueFormat = "%F|%K|%T|%r";

    /// <summary>The sacct fields the executor asks for (with <c>--parsable2 --noheader --allocations</c>).</summary>
    public const string SacctFields = "JobID,State,ExitCode";

    /// <summary>Slurm's name of a state: <c>NODE_FAIL</c> for <see cref="SlurmTaskState.NodeFail"/>.</summary>
    public static string Name(SlurmTaskState state) =>
        string.Concat(state.ToString().Select((c, i) => i > 0 && char.IsUpper(c) ? "_" + c : c.ToString())).ToUpperInvariant();

    /// <summary>The state Slurm names <paramref name="text"/> (<c>NODE_FAIL</c>, <c>CANCELLED by 0</c>); <see cref="SlurmTaskState.Other"/> for a name this code does not know.</summary>
    public static SlurmTaskState Parse(string text)
    {
        string word = text.Trim().Split(' ', 2)[0].Replace("_", "", StringComparison.Ordinal).TrimEnd('+');
        return Enum.TryParse(word, ignoreCase: true, out SlurmTaskState state) && word.Length > 0 && !char.IsDigit(word[0])
            && state is not SlurmTaskState.Unknown and not SlurmTaskState.Other
            ? state
            : SlurmTaskState.Other;
    }

    /// <summary>Whether a task in <paramref name="state"/> has finished for good (Slurm will not start it again by itself).</summary>
    public static bool IsFinished(SlurmTaskState state) => state is SlurmTaskState.Completed or SlurmTaskState.Failed
        or SlurmTaskState.Cancelled or SlurmTaskState.Timeout or SlurmTaskState.Preempted or SlurmTaskState.NodeFail
        or SlurmTaskState.BootFail or SlurmTaskState.Deadline or SlurmTaskState.OutOfMemory or SlurmTaskState.Revoked;

    /// <summary>
    /// The tasks of array job <paramref name="jobId"/> in the output of
    /// <c>squeue --noheader --array --states=all --jobs=&lt;id&gt; --format=%F|%K|%T|%r</c>, by index. With
    /// <c>--states=all</c> squeue also lists tasks that ended, while the controller still holds them (MinJobAge).
    /// </summary>
    public static IReadOnlyDictionary<int, SlurmTaskStatus> ParseSqueue(string output, long jobId)
    {
        var tasks = new Dictionary<int, SlurmTaskStatus>();
        foreach (string line in Lines(output))
        {
            var fields = line.Split('|');
            if (fields.Length < 4 || !IsJob(fields[0], jobId)) continue;
            string reason = fields[3].Trim() is "None" or "(null)" ? "" : fields[3].Trim();
            foreach (int index in Indices(fields[1]))
                tasks[index] = new SlurmTaskStatus(index, jobId, Parse(fields[2]), reason);
        }
        return tasks;
    }

    /// <summary>
    /// The tasks of array job <paramref name="jobId"/> in the output of
    /// <c>sacct --jobs=&lt;id&gt; --allocations --noheader --parsable2 --format=JobID,State,ExitCode</c>, by index:
    /// lines such as <c>12_3|CANCELLED by 0|0:15</c> and, for tasks not started yet, <c>12_[4-6%2]|PENDING|0:0</c>.
    /// </summary>
    public static IReadOnlyDictionary<int, SlurmTaskStatus> ParseSacct(string output, long jobId)
    {
        var tasks = new Dictionary<int, SlurmTaskStatus>();
        string prefix = jobId.ToString(CultureInfo.InvariantCulture) + "_";
        foreach (string line in Lines(output))
        {
            var fields = line.Split('|');
            if (fields.Length < 3 || !fields[0].StartsWith(prefix, StringComparison.Ordinal) || fields[0].Contains('.')) continue;
            var state = Parse(fields[1]);
            string exit = fields[2].Trim();
            string detail = state == SlurmTaskState.Completed || exit is "" or "0:0" ? "" : $"exit {exit}";
            foreach (int index in Indices(fields[0][prefix.Length..]))
                tasks[index] = new SlurmTaskStatus(index, jobId, state, detail);
        }
        return tasks;
    }

    private static bool IsJob(string field, long jobId) =>
        long.TryParse(field.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out long id) && id == jobId;

    /// <summary>A task field: one index or a list (<c>N/A</c>, for a job that is not an array, gives none).</summary>
    private static IReadOnlyList<int> Indices(string field)
    {
        try
        {
            return SlurmArray.Expand(field);
        }
        catch (FormatException)
        {
            return [];
        }
    }

    private static IEnumerable<string> Lines(string output) =>
        output.Split('\n').Select(l => l.TrimEnd('\r')).Where(l => l.Trim().Length > 0);
}
