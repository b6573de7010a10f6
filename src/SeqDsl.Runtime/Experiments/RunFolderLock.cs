using System;
using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using SeqDsl.Runtime.IO;

namespace SeqDsl.Runtime.Experiments;

/// <summary>
/// The one writer of a run folder: <c>run.lock</c> holds the owner's process id and start time. The file is created
/// complete and atomically (written beside it, then moved to its name only if no lock is there), so two processes
/// can never both own a folder. A lock whose process is gone (killed, crashed) is stale and taken over; disposing
/// releases the lock.
/// </summary>
public sealed class RunFolderLock : IDisposable
{
    /// <summary>The lock's file name inside the run folder.</summary>
    public const string FileName = "run.lock";

    private static readonly TimeSpan StartTimeTolerance = TimeSpan.FromSeconds(2);

    private readonly string _path;
    private readonly string _content;
    private bool _released;

    private RunFolderLock(string folder, string path, string content)
    {
        Folder = folder;
        _path = path;
        _content = content;
    }

    /// <summary>The locked folder.</summary>
    public string Folder { get; }

    /// <summary>
    /// Creates <paramref name="folder"/> when needed and locks it. Creating the lock is also the check that the folder
    /// is writable, before any work starts.
    /// </summary>
    /// <param name="folder">The run folder.</param>
    /// <param name="notice">Where taking over a stale lock is reported.</param>
    /// <exception cref="ExperimentException">Another live process holds the lock, or the folder cannot be created or written.</exception>
    public static RunFolderLock Acquire(string folder, TextWriter notice)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(folder);
        ArgumentNullException.ThrowIfNull(notice);
        string path = Path.Combine(folder, FileName);
        string content = Describe(Environment.ProcessId, OwnStartTicks());
        try
        {
            Directory.CreateDirectory(folder);
            for (int attempt = 0; ; attempt++)
            {
                if (TryCreate(path, content))
                    return new RunFolderLock(folder, path, content);
                var (pid, startTicks) = ReadOwner(path);
                if (pid is int owner && IsRunning(owner, startTicks))
                    throw new ExperimentException(
                        $"--out '{folder}' is in use by process {owner} (lock file {path}); wait for that run to finish, or choose another --out.");
                if (attempt > 0)
                    throw new ExperimentException($"--out '{folder}': the lock file {path} could not be taken over; remove it if no run uses the folder.");
                notice.WriteLine(pid is int gone
                    ? $"note: taking over the stale lock {path} of process {gone}, which is no longer running."
                    : $"note: taking over the unreadable lock {path}.");
                File.Delete(path);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ExperimentException($"--out '{folder}': the run folder cannot be created or written ({e.Message}).");
        }
    }

    /// <summary>Deletes the lock if it is still this process's.</summary>
    public void Dispose()
    {
        if (_released) return;
        _released = true;
        try
        {
            if (File.Exists(_path) && File.ReadAllText(_path) == _content) File.Delete(_path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // A lock that cannot be deleted is stale once this process ends, and is taken over then.
        }
    }

    private static bool TryCreate(string path, string content)
    {
        string temp = AtomicFile.TemporaryPath(path);
        File.WriteAllText(temp, content);
        try
        {
            // A move that does not overwrite fails when a lock exists: creation and content in one step.
            File.Move(temp, path, overwrite: false);
            return true;
        }
        catch (IOException) when (File.Exists(path))
        {
            File.Delete(temp);
            return false;
        }
    }

    private static string Describe(int pid, long? startTicks)
        => $"pid {pid.ToString(CultureInfo.InvariantCulture)}\nstarted {startTicks?.ToString(CultureInfo.InvariantCulture) ?? "unknown"}\n";

    private static (int? Pid, long? StartTicks) ReadOwner(string path)
    {
        string[] lines;
        try
        {
            lines = File.ReadAllLines(path);
        }
        catch (FileNotFoundException)
        {
            return (null, null);
        }
        int? pid = lines.Length > 0 && lines[0].StartsWith("pid ", StringComparison.Ordinal)
                   && int.TryParse(lines[0].AsSpan(4), NumberStyles.None, CultureInfo.InvariantCulture, out int p) ? p : null;
        long? start = lines.Length > 1 && lines[1].StartsWith("started ", StringComparison.Ordinal)
                      && long.TryParse(lines[1].AsSpan(8), NumberStyles.None, CultureInfo.InvariantCulture, out long t) ? t : null;
        return (pid, start);
    }

    /// <summary>Whether the process is alive and, when its start time was recorded, is the same process (ids are reused).</summary>
    private static bool IsRunning(int pid, long? startTicks)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            if (process.HasExited) return false;
            // Start times are derived from the boot time, which .NET recomputes on each query: allow for its jitter.
            return startTicks is not long recorded || Math.Abs(process.StartTime.ToUniversalTime().Ticks - recorded) < StartTimeTolerance.Ticks;
        }
        catch (ArgumentException)
        {
            return false;
        }
        catch (Exception e) when (e is InvalidOperationException or Win32Exception or NotSupportedException)
        {
            // Unknown: assume the owner is alive rather than let two runs share the folder.
            return true;
        }
    }

    private static long? OwnStartTicks()
    {
        try
        {
            using var self = Process.GetCurrentProcess();
            return self.StartTime.ToUniversalTime().Ticks;
        }
        catch (Exception e) when (e is InvalidOperationException or Win32Exception or NotSupportedException)
        {
            return null;
        }
    }
}
