using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Runtime.Versioning;
using System.Text;
using SeqDsl.Runtime.Sweeps;

namespace SeqDsl.Runtime.Tests.Infrastructure;

/// <summary>
/// A real one-node Slurm cluster on this machine for the tests of one run: munged, slurmctld and slurmd (Debian's
/// slurm-wlm 22.05), all files in a temporary folder, its own munge socket and ports, reached through
/// <c>SLURM_CONF</c> (<see cref="Commands"/>). It installs the packages from Debian when they are missing and the
/// process is root with apt-get. Where it cannot run, <see cref="SkipReason"/> says why.
/// </summary>
/// <remarks>
/// Every process of the cluster (the daemons, slurmstepd, the jobs' tasks) carries this cluster's SLURM_CONF in its
/// environment; that is how <see cref="Dispose"/> finds them all, and how a later run finds those a killed test run
/// left behind (their folder names a test host that is gone).
/// </remarks>
public sealed class SlurmCluster : IDisposable
{
    private const string FolderPrefix = "seqdsl-slurm-";
    private const string OwnerFile = "owner.pid";
    private const string NodeName = "localhost";
    private static readonly string[] Packages = ["slurmctld", "slurmd", "slurm-client", "munge"];
    private static readonly TimeSpan InstallTimeout = TimeSpan.FromMinutes(10);
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);

    private readonly List<Process> _daemons = [];

    public SlurmCluster()
    {
        Root = Path.Combine(Path.GetTempPath(), FolderPrefix + Guid.NewGuid().ToString("N")[..10]);
        ConfigFile = Path.Combine(Root, "slurm.conf");
        Environment = new Dictionary<string, string> { ["SLURM_CONF"] = ConfigFile };
        Commands = new SlurmCommands(Environment, timeout: TimeSpan.FromSeconds(30));
        try
        {
            SkipReason = Start();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.ComponentModel.Win32Exception or InvalidOperationException)
        {
            SkipReason = $"the Slurm cluster could not be set up: {e.Message}{LogTails()}";
        }
        if (SkipReason is not null) Stop();
    }

    /// <summary>Why the cluster is not running; null when it is.</summary>
    public string? SkipReason { get; }

    /// <summary>The cluster's folder: slurm.conf, the munge key and socket, state, spool and logs.</summary>
    public string Root { get; }

    /// <summary>The cluster's slurm.conf.</summary>
    public string ConfigFile { get; }

    /// <summary>What Slurm's commands need to reach this cluster: <c>SLURM_CONF</c>.</summary>
    public IReadOnlyDictionary<string, string> Environment { get; }

    /// <summary>sbatch, squeue, sacct, scancel, … against this cluster.</summary>
    public SlurmCommands Commands { get; }

    /// <summary>How long installing the packages took; null when they were there.</summary>
    public TimeSpan? InstallTime { get; private set; }

    /// <summary>How long the daemons took until the node was idle.</summary>
    public TimeSpan StartTime { get; private set; }

    /// <summary>The CPUs of the node (this machine's).</summary>
    public int Cpus { get; } = System.Environment.ProcessorCount;

    /// <summary>Runs a Slurm command against the cluster and fails the test when it fails.</summary>
    public string Run(string program, params string[] arguments)
    {
        var result = Commands.Run(program, arguments);
        if (result.ExitCode != 0) throw new InvalidOperationException(result.FailureMessage());
        return result.Output;
    }

    public void Dispose() => Stop();

    private string? Start()
    {
        if (!OperatingSystem.IsLinux()) return "a local Slurm cluster needs Linux.";
        RemoveLeftovers();
        if (Missing().Count > 0)
        {
            if (geteuid() != 0) return $"Slurm is not installed ({string.Join(", ", Missing())} missing) and installing it needs root.";
            if (Find("apt-get") is null) return $"Slurm is not installed ({string.Join(", ", Missing())} missing) and there is no apt-get to install it.";
            if (Install() is { } failure) return failure;
            if (Missing().Count > 0) return $"{string.Join(", ", Missing())} still missing after installing {string.Join(" ", Packages)}.";
        }
        if (geteuid() != 0) return "slurmd runs jobs as their users and must run as root; this process is not root.";

        var clock = Stopwatch.StartNew();
        WriteFiles();
        StartDaemon("munged", "--foreground", $"--key-file={Munge("munge.key")}", $"--socket={Munge("munge.socket")}",
            $"--pid-file={Munge("munged.pid")}", $"--seed-file={Munge("munged.seed")}", $"--log-file={Log("munged.log")}");
        if (!WaitFor(() => File.Exists(Munge("munge.socket")), TimeSpan.FromSeconds(15)))
            return $"munged did not create its socket within 15 s.{LogTails()}";
        StartDaemon("slurmctld", "-D", "-f", ConfigFile);
        StartDaemon("slurmd", "-D", "-N", NodeName, "-f", ConfigFile);
        if (!WaitFor(NodeIdle, StartTimeout))
            return $"the node did not become idle within {StartTimeout.TotalSeconds:0} s.{LogTails()}";
        StartTime = clock.Elapsed;
        return null;
    }

    private bool NodeIdle()
    {
        if (_daemons.Any(d => d.HasExited)) return false;
        var result = Commands.Run("sinfo", ["--noheader", "--format=%t"]);
        return result.ExitCode == 0 && result.Output.Trim() == "idle";
    }

    /// <summary>The cluster's files: a munge key only root reads, slurm.conf, folders for state, spool and logs.</summary>
    [SupportedOSPlatform("linux")]
    private void WriteFiles()
    {
        Directory.CreateDirectory(Root);
        File.WriteAllText(Path.Combine(Root, OwnerFile), System.Environment.ProcessId.ToString(CultureInfo.InvariantCulture));
        // munged checks its socket's folders: owned by root, not writable by others, searchable by all (whatever the umask).
        Directory.CreateDirectory(Munge(""));
        foreach (string folder in new[] { Root, Munge("") })
            File.SetUnixFileMode(folder, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
                | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
        File.WriteAllBytes(Munge("munge.key"), System.Security.Cryptography.RandomNumberGenerator.GetBytes(1024));
        File.SetUnixFileMode(Munge("munge.key"), UnixFileMode.UserRead);
        foreach (string folder in new[] { "state", "spool", "log" }) Directory.CreateDirectory(Path.Combine(Root, folder));
        File.WriteAllText(ConfigFile, Config(FreePort(), FreePort()));
    }

    /// <summary>
    /// slurm.conf of one node with this machine's CPUs: cons_tres with CR_CPU lets one-CPU tasks run side by side;
    /// no cgroups (linuxproc, task/none), no accounting database (sacct then says accounting is disabled; the executor
    /// reads finished tasks from squeue). The recipe in docs/scaling.md writes the same file.
    /// </summary>
    private string Config(int controllerPort, int nodePort)
    {
        long memoryMb = MemoryMb();
        return $"""
            ClusterName=seqdsl
            SlurmctldHost={NodeName}(127.0.0.1)
            SlurmctldPort={controllerPort}
            SlurmdPort={nodePort}
            SlurmUser=root
            SlurmdUser=root
            AuthType=auth/munge
            CredType=cred/munge
            AuthInfo=socket={Munge("munge.socket")}
            StateSaveLocation={Path.Combine(Root, "state")}
            SlurmdSpoolDir={Path.Combine(Root, "spool")}
            SlurmctldPidFile={Path.Combine(Root, "slurmctld.pid")}
            SlurmdPidFile={Path.Combine(Root, "slurmd.pid")}
            SlurmctldLogFile={Log("slurmctld.log")}
            SlurmdLogFile={Log("slurmd.log")}
            ProctrackType=proctrack/linuxproc
            TaskPlugin=task/none
            SelectType=select/cons_tres
            SelectTypeParameters=CR_CPU
            JobAcctGatherType=jobacct_gather/none
            AccountingStorageType=accounting_storage/none
            JobCompType=jobcomp/none
            MpiDefault=none
            ReturnToService=2
            SlurmdParameters=config_overrides
            KillWait=5
            NodeName={NodeName} NodeAddr=127.0.0.1 CPUs={Cpus} RealMemory={memoryMb} State=UNKNOWN
            PartitionName=debug Nodes={NodeName} Default=YES MaxTime=INFINITE State=UP

            """;
    }

    /// <summary>
    /// apt-get update and install of the packages, with a policy-rc.d that keeps the packages from starting their system
    /// daemons (Docker images ship one; elsewhere this writes it for the install and removes it after).
    /// </summary>
    [SupportedOSPlatform("linux")]
    private string? Install()
    {
        const string policy = "/usr/sbin/policy-rc.d";
        bool ownPolicy = !File.Exists(policy);
        var before = DaemonProcesses();
        var clock = Stopwatch.StartNew();
        try
        {
            if (ownPolicy)
            {
                File.WriteAllText(policy, "#!/bin/sh\n# Written by the SeqDsl tests while installing Slurm: no service starts.\nexit 101\n");
                File.SetUnixFileMode(policy, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead
                    | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
            }
            foreach (var arguments in new[] { new[] { "update" }, ["install", "-y", "--no-install-recommends", .. Packages] })
            {
                var (code, output) = RunTool("apt-get", arguments, InstallTimeout);
                if (code != 0)
                    return $"`apt-get {string.Join(' ', arguments)}` failed with exit code {code} (is the Debian mirror reachable?):\n{Tail(output)}";
            }
        }
        finally
        {
            if (ownPolicy) File.Delete(policy);
            // Whatever the packages started despite the policy is ours to stop: it would outlive the tests.
            foreach (int pid in DaemonProcesses().Except(before)) Kill(pid);
        }
        InstallTime = clock.Elapsed;
        return null;
    }

    private void StartDaemon(string name, params string[] arguments)
    {
        string program = Find(name) ?? throw new InvalidOperationException($"{name} is not installed.");
        // exec keeps the daemon's pid; its own output (foreground mode) goes to its log beside the one it writes itself.
        var start = new ProcessStartInfo("/bin/sh") { UseShellExecute = false };
        foreach (string argument in new[] { "-c", "exec \"$@\" >>\"$SEQDSL_DAEMON_LOG\" 2>&1", "sh", program }.Concat(arguments))
            start.ArgumentList.Add(argument);
        start.Environment["SLURM_CONF"] = ConfigFile;
        start.Environment["SEQDSL_DAEMON_LOG"] = Log(name + ".out");
        _daemons.Add(Process.Start(start) ?? throw new InvalidOperationException($"{name} could not be started."));
    }

    /// <summary>Stops every process of this cluster (daemons first, then slurmstepd and tasks they left) and deletes its folder.</summary>
    private void Stop()
    {
        // SIGTERM first: slurmctld then stops and reaps its own helper (slurmscriptd) instead of leaving it to init.
        foreach (var daemon in _daemons.Where(d => !d.HasExited)) _ = kill(daemon.Id, SignalTerminate);
        foreach (var daemon in _daemons)
        {
            try
            {
                if (!daemon.WaitForExit(5000)) daemon.Kill(entireProcessTree: true);
                daemon.WaitForExit(5000);
            }
            catch (InvalidOperationException)
            {
                // It exited between the check and the kill.
            }
            daemon.Dispose();
        }
        _daemons.Clear();
        StopProcessesOf(Root);
        try
        {
            if (Directory.Exists(Root)) Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
            // A task still closing a file; the next run removes the folder (its owner is gone by then).
        }
    }

    /// <summary>Kills every process whose SLURM_CONF is in <paramref name="root"/>: slurmstepd and job tasks outlive slurmd.</summary>
    private static void StopProcessesOf(string root)
    {
        string marker = "SLURM_CONF=" + Path.Combine(root, "slurm.conf");
        for (int round = 0; round < 3; round++)
        {
            var pids = ProcessIds().Where(pid => pid != System.Environment.ProcessId && EnvironmentOf(pid).Contains(marker)).ToArray();
            if (pids.Length == 0) return;
            foreach (int pid in pids) Kill(pid);
            Thread.Sleep(200);
        }
    }

    /// <summary>Clusters of earlier test runs whose test host is gone (killed mid-run): their processes and folders.</summary>
    private static void RemoveLeftovers()
    {
        foreach (string folder in Directory.EnumerateDirectories(Path.GetTempPath(), FolderPrefix + "*"))
        {
            string owner = Path.Combine(folder, OwnerFile);
            if (File.Exists(owner) && int.TryParse(File.ReadAllText(owner), out int pid) && Directory.Exists($"/proc/{pid}")) continue;
            StopProcessesOf(folder);
            try
            {
                Directory.Delete(folder, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }

    private static IEnumerable<int> ProcessIds() =>
        Directory.EnumerateDirectories("/proc").Select(Path.GetFileName).Select(n => int.TryParse(n, out int pid) ? pid : -1).Where(p => p > 0);

    private static string EnvironmentOf(int pid)
    {
        try
        {
            return Encoding.UTF8.GetString(File.ReadAllBytes($"/proc/{pid}/environ")).Replace('\0', '\n');
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return "";
        }
    }

    /// <summary>munged, slurmctld and slurmd processes, whoever started them.</summary>
    private static HashSet<int> DaemonProcesses()
    {
        var pids = new HashSet<int>();
        foreach (int pid in ProcessIds())
        {
            try
            {
                if (File.ReadAllText($"/proc/{pid}/comm").Trim() is "munged" or "slurmctld" or "slurmd") pids.Add(pid);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
            }
        }
        return pids;
    }

    private static void Kill(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            process.Kill();
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            // Already gone.
        }
    }

    private static List<string> Missing() =>
        new[] { "munged", "slurmctld", "slurmd", "sbatch", "squeue", "sinfo", "scancel" }.Where(p => Find(p) is null).ToList();

    /// <summary>A program on PATH or in the sbin folders (root's PATH has them; a test host's may not).</summary>
    private static string? Find(string program) =>
        (System.Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Concat(["/usr/sbin", "/sbin", "/usr/bin", "/bin"])
            .Select(folder => Path.Combine(folder, program))
            .FirstOrDefault(File.Exists);

    private static (int Code, string Output) RunTool(string program, IEnumerable<string> arguments, TimeSpan timeout)
    {
        var start = new ProcessStartInfo(Find(program) ?? program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string argument in arguments) start.ArgumentList.Add(argument);
        start.Environment["DEBIAN_FRONTEND"] = "noninteractive";
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            return (-1, $"timed out after {timeout.TotalMinutes:0} min");
        }
        process.WaitForExit();
        return (process.ExitCode, output.Result + error.Result);
    }

    private static bool WaitFor(Func<bool> condition, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < timeout)
        {
            if (condition()) return true;
            Thread.Sleep(250);
        }
        return condition();
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Nine tenths of this machine's memory in MB (slurmd's own figure is a little below /proc/meminfo's).</summary>
    private static long MemoryMb()
    {
        string line = File.ReadLines("/proc/meminfo").First(l => l.StartsWith("MemTotal:", StringComparison.Ordinal));
        long kb = long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
        return Math.Max(1, kb / 1024 * 9 / 10);
    }

    private string Munge(string name) => Path.Combine(Root, "munge", name);

    private string Log(string name) => Path.Combine(Root, "log", name);

    private string LogTails()
    {
        var text = new StringBuilder();
        string folder = Path.Combine(Root, "log");
        if (!Directory.Exists(folder)) return "";
        foreach (string log in Directory.GetFiles(folder).Order())
            text.Append($"\n--- {Path.GetFileName(log)} (last lines) ---\n").Append(Tail(File.ReadAllText(log)));
        return text.ToString();
    }

    private static string Tail(string text) => string.Join('\n', text.TrimEnd().Split('\n').TakeLast(15));

    private const int SignalTerminate = 15;

    [DllImport("libc", SetLastError = false)]
    private static extern uint geteuid();

    [DllImport("libc", SetLastError = false)]
    private static extern int kill(int pid, int signal);
}

/// <summary>The tests that use the Slurm cluster: one cluster for the test run, its tests one after another.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class SlurmClusterCollection : ICollectionFixture<SlurmCluster>
{
    public const string Name = "Slurm cluster";
}
