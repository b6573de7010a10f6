using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;
using System.Threading;
using System.Threading.Tasks;

namespace SeqDsl.Runtime.Sweeps;

/// <summary>
/// Runs a sweep on this machine: up to <see cref="SweepJob.Parallel"/> child processes of this program at a time, each
/// <c>train --run I</c> with max(1, cores / parallel) libtorch threads and its output in <c>&lt;run folder&gt;/train.log</c>
/// (appended, one header line per start). Finished runs are skipped; one line per run start and end is printed (with the
/// run's best validation figure); Ctrl+C or SIGTERM stops the children (SIGTERM, then a kill after a grace period),
/// whose folders keep their last completed epoch for the next sweep to resume.
/// </summary>
public sealed class LocalExecutor : ISweepExecutor
{
    private readonly ChildProgram? _program;

    /// <param name="program">The program to start; null: this process's (<see cref="ChildProgram.Current"/>).</param>
    public LocalExecutor(ChildProgram? program = null) => _program = program;

    /// <summary>How long stopped children get to exit before they are killed.</summary>
    public static readonly TimeSpan GracePeriod = TimeSpan.FromSeconds(10);

    /// <inheritdoc/>
    public string Name => "local";

    /// <inheritdoc/>
    public string Description => "child processes of this program on this machine";

    /// <inheritdoc/>
    public IReadOnlyList<string> Flags => Array.Empty<string>();

    private sealed record Child(string Folder, int Index, Process Process, StreamWriter Log, Stopwatch Clock, Task Exited);

    /// <inheritdoc/>
    public int Run(SweepJob job, CancellationToken cancel)
    {
        var program = _program ?? ChildProgram.Current();
        int parallel = job.Parallel ?? 1;
        int threads = job.ThreadsPerRun(parallel);
        string folder = Path.GetFullPath(job.Folder);
        Directory.CreateDirectory(folder);
        SweepFile.Of(job.Plan).Write(folder);

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, StopOn(stop));
        using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, StopOn(stop));

        var output = TextWriter.Synchronized(job.Out);
        var pending = new Queue<int>();
        var skipped = new List<int>();
        foreach (var run in job.Plan.Runs)
        {
            // Only the same run with the same overrides counts as done; any other folder goes to train --run, which refuses it.
            if (job.RunFinished(run.Index))
                skipped.Add(run.Index);
            else
                pending.Enqueue(run.Index);
        }
        output.WriteLine($"sweep {job.Plan.Name}: {job.Plan.Runs.Count} runs in {folder}; {skipped.Count} finished earlier, " +
                         $"{pending.Count} to run, {parallel} at a time with {threads} thread{(threads == 1 ? "" : "s")} each (logs: <run>/{SweepRunFolder.LogFile})");
        foreach (int index in skipped)
            output.WriteLine($"run {SweepPlan.RunFolderName(index)} finished earlier: {job.Outcome(index)} (skipped)");

        var running = new List<Child>();
        var failed = new List<(int Index, string Log)>();
        int finished = 0;
        while ((pending.Count > 0 && !stop.IsCancellationRequested) || running.Count > 0)
        {
            while (running.Count < parallel && pending.Count > 0 && !stop.IsCancellationRequested)
            {
                int index = pending.Dequeue();
                running.Add(Start(program, job, folder, index, threads));
                var run = job.Plan.Runs[index];
                output.WriteLine($"run {SweepPlan.RunFolderName(index)} started: {run.Experiment.Name}{(run.Settings.Count > 0 ? " (" + string.Join(", ", run.Settings) + ")" : "")}");
            }
            if (running.Count == 0) break;
            var waits = running.Select(c => c.Exited).Append(Task.Delay(Timeout.Infinite, stop.Token)).ToArray();
            try
            {
                Task.WaitAny(waits);
            }
            catch (AggregateException)
            {
                // The delay was cancelled: handled below.
            }
            if (stop.IsCancellationRequested)
            {
                StopAll(running, output);
                output.WriteLine($"sweep {job.Plan.Name} stopped: run{(running.Count == 1 ? "" : "s")} {string.Join(", ", running.Select(c => SweepPlan.RunFolderName(c.Index)))} " +
                                 "interrupted; their folders keep the last completed epoch, and the same sweep command resumes them.");
                foreach (var child in running) Finish(child);
                return 1;
            }
            foreach (var child in running.Where(c => c.Exited.IsCompleted).ToArray())
            {
                running.Remove(child);
                int code = Finish(child);
                string name = SweepPlan.RunFolderName(child.Index);
                string seconds = child.Clock.Elapsed.TotalSeconds.ToString("F1", CultureInfo.InvariantCulture);
                string log = Path.Combine(child.Folder, SweepRunFolder.LogFile);
                if (code == 0)
                {
                    finished++;
                    output.WriteLine($"run {name} finished in {seconds} s: {job.Outcome(child.Index)}");
                }
                else
                {
                    failed.Add((child.Index, log));
                    output.WriteLine($"run {name} failed (exit {code}) after {seconds} s: {LastError(log)} (log: {log})");
                }
            }
        }

        output.WriteLine($"sweep {job.Plan.Name}: {finished} run{(finished == 1 ? "" : "s")} finished now, {skipped.Count} earlier, {failed.Count} failed.");
        if (failed.Count == 0) return 0;
        output.WriteLine("failed: " + string.Join("; ", failed.OrderBy(f => f.Index).Select(f => $"run {SweepPlan.RunFolderName(f.Index)} ({f.Log})")));
        return 1;
    }

    private static Action<PosixSignalContext> StopOn(CancellationTokenSource stop) => context =>
    {
        // The sweep stops its children itself and then exits with its own code.
        context.Cancel = true;
        stop.Cancel();
    };

    private static Child Start(ChildProgram program, SweepJob job, string folder, int index, int threads)
    {
        string runFolder = SweepPlan.RunFolder(folder, index);
        Directory.CreateDirectory(runFolder);
        var start = new ProcessStartInfo(program.FileName)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
        };
        foreach (string argument in program.LeadingArguments.Concat(job.TrainArguments(index.ToString(CultureInfo.InvariantCulture), folder, threads)))
            start.ArgumentList.Add(argument);
        var log = new StreamWriter(new FileStream(Path.Combine(runFolder, SweepRunFolder.LogFile), FileMode.Append, FileAccess.Write, FileShare.Read)) { AutoFlush = true };
        log.WriteLine($"=== {DateTimeOffset.Now:yyyy-MM-dd HH:mm:ss zzz} {program.DisplayName} {string.Join(" ", start.ArgumentList.Skip(program.LeadingArguments.Count))}");
        var process = new Process { StartInfo = start };
        void Write(object sender, DataReceivedEventArgs line)
        {
            if (line.Data is null) return;
            lock (log) log.WriteLine(line.Data);
        }
        process.OutputDataReceived += Write;
        process.ErrorDataReceived += Write;
        process.Start();
        process.StandardInput.Close();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return new Child(runFolder, index, process, log, Stopwatch.StartNew(), process.WaitForExitAsync());
    }

    /// <summary>Waits for the child's output to drain, closes its log and returns its exit code.</summary>
    private static int Finish(Child child)
    {
        child.Process.WaitForExit();
        int code = child.Process.ExitCode;
        lock (child.Log) child.Log.Dispose();
        child.Process.Dispose();
        return code;
    }

    /// <summary>Asks every child to stop (SIGTERM; on Windows a kill), then kills those still running after <see cref="GracePeriod"/>.</summary>
    private static void StopAll(IReadOnlyList<Child> running, TextWriter output)
    {
        output.WriteLine($"stopping {running.Count} run{(running.Count == 1 ? "" : "s")}…");
        foreach (var child in running.Where(c => !c.Process.HasExited))
        {
            if (OperatingSystem.IsWindows() || Terminate(child.Process.Id) != 0)
                child.Process.Kill(entireProcessTree: true);
        }
        var deadline = Stopwatch.StartNew();
        foreach (var child in running)
        {
            var left = GracePeriod - deadline.Elapsed;
            if (!child.Process.WaitForExit(left > TimeSpan.Zero ? left : TimeSpan.Zero))
                child.Process.Kill(entireProcessTree: true);
        }
    }

    private const int SigTerm = 15;

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int SendSignal(int pid, int signal);

    /// <summary>Sends SIGTERM, which a .NET child answers by exiting (its checkpoints are written atomically); non-zero when it could not be sent.</summary>
    private static int Terminate(int pid)
    {
        try
        {
            return SendSignal(pid, SigTerm);
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return -1;
        }
    }

    /// <summary>The last "error: …" line of a log (what the run printed when it failed), else its last line.</summary>
    private static string LastError(string log)
    {
        try
        {
            var lines = File.ReadAllLines(log).Where(l => l.Trim().Length > 0).ToArray();
            return lines.LastOrDefault(l => l.StartsWith("error:", StringComparison.Ordinal)) ?? lines.LastOrDefault() ?? "no output";
        }
        catch (IOException e)
        {
            return $"its log cannot be read: {e.Message}";
        }
    }
}
