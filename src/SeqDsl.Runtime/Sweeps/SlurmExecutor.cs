using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Threading;
using SeqDsl.Runtime.Experiments;
using SeqDsl.Runtime.IO;

namespace SeqDsl.Runtime.Sweeps;

/// <summary>One <c>sbatch</c> of a sweep, as <c>slurm.json</c> records it.</summary>
/// <param name="JobId">The array job's id.</param>
/// <param name="Cluster">The cluster sbatch named (<c>--parsable</c> prints <c>id;cluster</c> in a federation); null for the local one.</param>
/// <param name="Array">The run indices submitted, as Slurm's array list (<c>0-3,5</c>).</param>
/// <param name="Submitted">When it was submitted (UTC).</param>
/// <param name="Script">The script's file name in the sweep folder.</param>
/// <param name="ScriptSha256">SHA-256 of the script as submitted (a later submission rewrites the file).</param>
public sealed record SlurmSubmission(long JobId, string? Cluster, string Array, DateTimeOffset Submitted, string Script, string ScriptSha256)
{
    /// <summary>The run indices of <see cref="Array"/>.</summary>
    [JsonIgnore]
    public IReadOnlyList<int> Indices => SlurmArray.Expand(Array);
}

/// <summary>
/// Runs sweep runs as one Slurm job array: writes <c>sweep.sbatch</c>, submits it with <c>sbatch --parsable</c>,
/// records each submission in <c>&lt;sweep folder&gt;/slurm.json</c>, reads the tasks' states (squeue, then sacct for
/// tasks the controller no longer holds) and waits for them. A resubmission of some indices is another submission;
/// each index's state comes from the latest submission that holds it.
/// </summary>
/// <param name="commands">Runs sbatch, squeue and sacct; null: from <c>PATH</c> with this process's environment.</param>
public sealed class SlurmExecutor(SlurmCommands? commands = null)
{
    /// <summary>The record of the sweep's submissions, in the sweep folder.</summary>
    public const string JournalFileName = "slurm.json";

    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        WriteIndented = true,
    };

    private readonly SlurmCommands _commands = commands ?? new SlurmCommands();

    /// <summary>Whether sacct answered (null: not asked yet); a cluster without accounting storage makes it fail every time.</summary>
    private bool? _sacctWorks;

    /// <summary>
    /// Writes the script of <paramref name="request"/>, submits it and records the submission in <c>slurm.json</c>.
    /// </summary>
    /// <param name="request">The sweep folder, indices, task command and sbatch options.</param>
    /// <param name="show">Where the script and the job id are shown; null: nowhere.</param>
    /// <exception cref="ExperimentException">The request cannot go into a script, sbatch is missing or refused the job.</exception>
    /// <exception cref="InvalidDataException">The sweep's slurm.json is broken (nothing is submitted).</exception>
    public SlurmSubmission Submit(SlurmJobRequest request, TextWriter? show = null)
    {
        string sweepFolder = Path.GetFullPath(request.SweepFolder);
        // Read first: a broken record stops the submission before a job exists that it could not record.
        var earlier = Submissions(sweepFolder);
        var (path, text) = SlurmScript.Write(request);
        show?.WriteLine($"{path}:");
        show?.Write(text);
        var result = _commands.Run("sbatch", ["--parsable", path]);
        if (result.ExitCode != 0) throw new ExperimentException(result.FailureMessage());
        string printed = result.Output.Trim().Split('\n')[0].Trim();
        var parts = printed.Split(';', 2);
        if (!long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out long jobId))
            throw new ExperimentException($"`{result.CommandLine}` printed '{printed}', not a job id.");
        var submission = new SlurmSubmission(
            jobId, parts.Length > 1 && parts[1].Length > 0 ? parts[1] : null, SlurmArray.Compress(request.Indices),
            DateTimeOffset.UtcNow, SlurmScript.FileName, SlurmScript.Hash(text));
        var journal = earlier.Append(submission).ToArray();
        AtomicFile.WriteText(Path.Combine(sweepFolder, JournalFileName), JsonSerializer.Serialize(new SlurmJournal(journal), JsonOptions) + "\n");
        show?.WriteLine($"Submitted Slurm job {jobId} (array {submission.Array}); each task's output: <run folder>/{SlurmScript.OutputFileName}");
        return submission;
    }

    /// <summary>The submissions <c>slurm.json</c> records, oldest first; none when the sweep was never submitted.</summary>
    /// <exception cref="InvalidDataException">slurm.json is not such a record.</exception>
    public static IReadOnlyList<SlurmSubmission> Submissions(string sweepFolder)
    {
        string path = Path.Combine(sweepFolder, JournalFileName);
        if (!File.Exists(path)) return [];
        var journal = JsonFile.Read<SlurmJournal>(path, "the Slurm submissions file", "a Slurm submissions file", JsonOptions);
        foreach (var submission in journal.Submissions ?? [])
        {
            try
            {
                _ = submission.Indices;
            }
            catch (FormatException e)
            {
                throw new InvalidDataException($"{path}: job {submission.JobId}: {e.Message}", e);
            }
        }
        return journal.Submissions ?? [];
    }

    /// <summary>
    /// The state of every index the sweep submitted, each from the latest submission that holds it: squeue (with
    /// <c>--states=all</c>, which covers tasks that ended while the controller still holds them), then sacct for the
    /// rest where the cluster keeps accounting; <see cref="SlurmTaskState.Unknown"/> where neither knows it.
    /// </summary>
    /// <exception cref="ExperimentException">squeue is missing or failed.</exception>
    public SlurmArrayStatus Status(string sweepFolder)
    {
        var latest = new Dictionary<int, SlurmSubmission>();
        foreach (var submission in Submissions(sweepFolder))
            foreach (int index in submission.Indices) latest[index] = submission;

        var tasks = new List<SlurmTaskStatus>();
        foreach (var group in latest.GroupBy(p => p.Value, p => p.Key))
        {
            var submission = group.Key;
            var known = Squeue(submission);
            var missing = group.Where(i => !known.ContainsKey(i)).ToArray();
            var accounted = missing.Length > 0 ? Sacct(submission) : new Dictionary<int, SlurmTaskStatus>();
            foreach (int index in group)
                tasks.Add(known.GetValueOrDefault(index) ?? accounted.GetValueOrDefault(index)
                          ?? new SlurmTaskStatus(index, submission.JobId, SlurmTaskState.Unknown, ""));
        }
        return new SlurmArrayStatus(tasks.OrderBy(t => t.Index).ToArray());
    }

    /// <summary>The indices whose latest task failed, was cancelled, preempted, timed out…: what a resubmission runs again.</summary>
    public IReadOnlyList<int> FailedIndices(string sweepFolder) => Status(sweepFolder).FailedIndices;

    /// <summary>
    /// Polls <see cref="Status"/> every <paramref name="pollInterval"/> until no task waits or runs, calling
    /// <paramref name="onChange"/> with each task whose state or detail changed (every task on the first poll).
    /// </summary>
    /// <returns>The last status.</returns>
    /// <exception cref="OperationCanceledException"><paramref name="cancel"/> was cancelled.</exception>
    /// <exception cref="ExperimentException">squeue failed three polls in a row.</exception>
    public SlurmArrayStatus Wait(string sweepFolder, Action<SlurmTaskStatus> onChange, TimeSpan pollInterval, CancellationToken cancel = default)
    {
        const int FailuresTolerated = 3;
        var seen = new Dictionary<int, SlurmTaskStatus>();
        int failures = 0;
        while (true)
        {
            cancel.ThrowIfCancellationRequested();
            SlurmArrayStatus status;
            try
            {
                status = Status(sweepFolder);
                failures = 0;
            }
            catch (ExperimentException) when (++failures < FailuresTolerated)
            {
                // A busy controller times out now and then; the next poll usually answers.
                cancel.WaitHandle.WaitOne(pollInterval);
                continue;
            }
            foreach (var task in status.Tasks)
            {
                if (seen.TryGetValue(task.Index, out var before) && before == task) continue;
                seen[task.Index] = task;
                onChange(task);
            }
            if (status.IsDone) return status;
            cancel.WaitHandle.WaitOne(pollInterval);
        }
    }

    private IReadOnlyDictionary<int, SlurmTaskStatus> Squeue(SlurmSubmission submission)
    {
        var result = _commands.Run("squeue", [.. ClusterArguments(submission),
            "--noheader", "--array", "--states=all", $"--jobs={submission.JobId}", $"--format={SlurmStates.SqueueFormat}"]);
        if (result.ExitCode == 0) return SlurmStates.ParseSqueue(result.Output, submission.JobId);
        // The controller has forgotten the job (MinJobAge after it ended): sacct may still know it.
        if (result.Error.Contains("Invalid job id", StringComparison.OrdinalIgnoreCase)) return new Dictionary<int, SlurmTaskStatus>();
        throw new ExperimentException(result.FailureMessage());
    }

    private IReadOnlyDictionary<int, SlurmTaskStatus> Sacct(SlurmSubmission submission)
    {
        if (_sacctWorks == false) return new Dictionary<int, SlurmTaskStatus>();
        SlurmCommandResult result;
        try
        {
            result = _commands.Run("sacct", [.. ClusterArguments(submission),
                $"--jobs={submission.JobId}", "--allocations", "--noheader", "--parsable2", $"--format={SlurmStates.SacctFields}"]);
        }
        catch (ExperimentException)
        {
            _sacctWorks = false;
            return new Dictionary<int, SlurmTaskStatus>();
        }
        // Without slurmdbd sacct fails ("Slurm accounting storage is disabled"); squeue is then all there is.
        _sacctWorks = result.ExitCode == 0;
        return _sacctWorks == true ? SlurmStates.ParseSacct(result.Output, submission.JobId) : new Dictionary<int, SlurmTaskStatus>();
    }

    private static string[] ClusterArguments(SlurmSubmission submission) =>
        submission.Cluster is null ? [] : [$"--clusters={submission.Cluster}"];

    /// <summary>slurm.json's content.</summary>
    private sealed record SlurmJournal(IReadOnlyList<SlurmSubmission>? Submissions);
}
