using System.Diagnostics;
using System.Text.Json;
using SeqDsl.Runtime.Sweeps;
using SeqDsl.Runtime.Tests.Infrastructure;
using SeqDsl.Runtime.Training;

namespace SeqDsl.Runtime.Tests.Sweeps;

/// <summary>
/// Runs tests/SeqDsl.SweepApp (tiny dense specs; SweepDense sweeps 2 learning rates × 2 seeds) as
/// real processes under <c>dotnet</c>, as a user would: <c>sweep --parallel 2</c> once for the class, then checks against
/// it. Every run gets --threads 1, so that a run in the sweep and the same run alone compute with the same thread count.
/// </summary>
public sealed class SweepAppTests : IClassFixture<SweepAppTests.SweptOnce>
{
    /// <summary>The test program's assembly, built before this project (see the project file).</summary>
    private static string AppPath => TestPrograms.PathOf(TestPrograms.SweepApp);

    /// <summary>Runs the test program in <paramref name="directory"/>; returns its exit code and its output and errors together.</summary>
    private static (int Code, string Output) App(string directory, params string[] args) => TestPrograms.Run(TestPrograms.SweepApp, directory, null, args);

    /// <summary>A temporary directory with the sweep of SweepDense run once (4 runs, 2 at a time) and its leaderboard.</summary>
    public sealed class SweptOnce : IDisposable
    {
        public string Directory { get; } = System.IO.Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), "seqdsl-sweep-app-" + Guid.NewGuid().ToString("N"))).FullName;
        public string Sweep => Path.Combine(Directory, "runs", "SweepDense-sweep");
        public (int Code, string Output) First { get; }
        public (int Code, string Output) Report { get; }

        public SweptOnce()
        {
            First = App(Directory, "sweep", "-e", "SweepDense", "--parallel", "2", "--threads", "1", "--device", "cpu");
            Report = App(Directory, "report", "-e", "SweepDense");
        }

        public void Dispose() => System.IO.Directory.Delete(Directory, recursive: true);
    }

    private readonly SweptOnce _swept;

    public SweepAppTests(SweptOnce swept) => _swept = swept;

    [Fact]
    public void Sweep_runs_every_run_in_its_own_folder_with_a_log_and_prints_one_line_per_start_and_finish()
    {
        var (code, output) = _swept.First;

        Assert.True(code == 0, output);
        Assert.Contains("sweep SweepDense: 4 runs in", output);
        Assert.Contains("2 at a time with 1 thread each", output);
        for (int i = 0; i < 4; i++)
        {
            Assert.Contains($"run 00{i} started: SweepDense (training.optimizer.learning_rate=", output);
            Assert.Matches($@"run 00{i} finished in [0-9.]+ s: best val_loss [0-9.]+ \(epoch [12]\)", output);
            string folder = Path.Combine(_swept.Sweep, $"00{i}");
            Assert.Contains($"train -e SweepDense --run {i} --out {_swept.Sweep} --threads 1 --device cpu", File.ReadAllText(Path.Combine(folder, "train.log")));
            Assert.Equal(SweepRunState.Finished, SweepRunFolder.Inspect(folder).State);
        }
        var file = SweepFile.Read(_swept.Sweep)!;
        Assert.Equal(new[] { "0.001/1", "0.001/2", "0.003/1", "0.003/2" }, file.Runs.Select(r => $"{r.Settings[0].Value}/{r.Settings[1].Value}"));
    }

    [Fact]
    public async Task Each_run_of_the_sweep_has_exactly_the_metrics_of_the_same_run_trained_alone()
    {
        // Bit-identical, not within a tolerance: the same program, seed, data and thread count on the CPU compute the same
        // sums in the same order, whether the process was started by sweep or by hand, and whatever runs beside it.
        string alone = Path.Combine(_swept.Directory, "alone");
        var runs = Enumerable.Range(0, 4).Select(i => Task.Run(() => App(_swept.Directory, "train", "-e", "SweepDense", "--run", $"{i}", "--out", alone, "--threads", "1", "--device", "cpu")));
        foreach (var (code, output) in await Task.WhenAll(runs)) Assert.True(code == 0, output);

        for (int i = 0; i < 4; i++)
        {
            string Figures(string folder, string file) => File.ReadAllText(Path.Combine(folder, $"00{i}", file));
            using var swept = JsonDocument.Parse(Figures(_swept.Sweep, "metrics.json"));
            using var single = JsonDocument.Parse(Figures(alone, "metrics.json"));
            foreach (string key in new[] { "best_val_mae", "best_val_mse", "test_mae", "test_mse", "naive_val_mae", "best_epoch" })
                Assert.Equal(swept.RootElement.GetProperty(key).GetRawText(), single.RootElement.GetProperty(key).GetRawText());
            var sweptLosses = TrainingHistory.ReadJson(Path.Combine(_swept.Sweep, $"00{i}", "history.json")).Epochs.Select(e => (e.Loss, e.ValLoss));
            var singleLosses = TrainingHistory.ReadJson(Path.Combine(alone, $"00{i}", "history.json")).Epochs.Select(e => (e.Loss, e.ValLoss));
            Assert.Equal(sweptLosses, singleLosses);
        }
        // The runs differ from each other: the learning rates and seeds were applied.
        var bests = Enumerable.Range(0, 4).Select(i => File.ReadAllText(Path.Combine(alone, $"00{i}", "metrics.json"))).Distinct();
        Assert.Equal(4, bests.Count());
    }

    [Fact]
    public void A_second_sweep_skips_the_finished_runs()
    {
        var (code, output) = App(_swept.Directory, "sweep", "-e", "SweepDense", "--parallel", "2", "--threads", "1", "--device", "cpu");

        Assert.True(code == 0, output);
        Assert.Contains("4 finished earlier, 0 to run", output);
        Assert.DoesNotContain("started", output);
        Assert.Contains("run 002 finished earlier: best val_loss", output);
    }

    [Fact]
    public void Report_ranks_the_runs_by_best_validation_loss_and_writes_csv_markdown_and_png()
    {
        var (code, output) = _swept.Report;
        Assert.True(code == 0, output);

        string[] csv = File.ReadAllLines(Path.Combine(_swept.Sweep, "leaderboard.csv"));
        Assert.Equal("rank,index,experiment,training.optimizer.learning_rate,training.seed,state,best val_loss,test_mae,test_mse,best epoch,epochs,seconds", csv[0]);
        Assert.Equal(5, csv.Length);
        var rows = csv.Skip(1).Select(l => l.Split(',')).ToArray();
        Assert.Equal(new[] { "1", "2", "3", "4" }, rows.Select(r => r[0]));
        var bests = rows.Select(r => double.Parse(r[6], System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        Assert.Equal(bests.OrderBy(b => b), bests);
        foreach (var row in rows)
        {
            int index = int.Parse(row[1], System.Globalization.CultureInfo.InvariantCulture);
            var history = TrainingHistory.ReadJson(Path.Combine(_swept.Sweep, $"00{index}", "history.json"));
            Assert.Equal(history.BestValLoss!.Value.ToString("R", System.Globalization.CultureInfo.InvariantCulture), row[6]);
            Assert.Equal(history.BestEpoch.ToString(System.Globalization.CultureInfo.InvariantCulture), row[9]);
            Assert.Equal("finished", row[5]);
            Assert.Equal(SpecValues(index), (row[3], row[4]));
        }
        string markdown = File.ReadAllText(Path.Combine(_swept.Sweep, "leaderboard.md"));
        Assert.Contains("| rank | index | experiment | training.optimizer.learning_rate | training.seed | state | best val_loss | test_mae | test_mse | best epoch | epochs | seconds |", markdown);
        Assert.Equal(4, markdown.Split('\n').Count(l => l.StartsWith("| ", StringComparison.Ordinal) && l.Contains("| finished |", StringComparison.Ordinal)));
        Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, File.ReadAllBytes(Path.Combine(_swept.Sweep, "leaderboard.png")).Take(4));
        Assert.Contains("Leaderboard: SweepDense (4 of 4 runs ranked)", output);
        Assert.DoesNotContain("NaN", output + markdown + string.Join("\n", csv));
    }

    /// <summary>Run i's values in sweep_dense.yaml's grid: learning rate slowest, seed fastest.</summary>
    private static (string Rate, string Seed) SpecValues(int index) => (new[] { "0.001", "0.003" }[index / 2], new[] { "1", "2" }[index % 2]);

    [Fact]
    public void Several_experiments_without_a_sweep_run_as_one_run_each_and_a_failing_run_is_named_with_its_log()
    {
        var (code, output) = App(_swept.Directory, "sweep", "-e", "SweepLinear", "-e", "SweepWide", "--parallel", "2", "--threads", "1", "--epochs", "1");
        Assert.True(code == 0, output);
        string sweep = Path.Combine(_swept.Directory, "runs", "SweepLinear+SweepWide-sweep");
        Assert.Equal("SweepLinear", SweepRunRecord.Read(Path.Combine(sweep, "000"))!.Experiment);
        Assert.Equal("SweepWide", SweepRunRecord.Read(Path.Combine(sweep, "001"))!.Experiment);
        var (reportCode, report) = App(_swept.Directory, "report", "-e", "SweepLinear", "-e", "SweepWide");
        Assert.True(reportCode == 0, report);
        Assert.Equal("rank,index,experiment,state,best val_loss,test_mae,test_mse,best epoch,epochs,seconds", File.ReadLines(Path.Combine(sweep, "leaderboard.csv")).First());

        // A CSV too short for the splits: every run fails on its own, and the sweep names each with its log.
        string shortCsv = Path.Combine(_swept.Directory, "short.csv");
        File.WriteAllLines(shortCsv, new[] { "Date Time,T (degC)" }.Concat(Enumerable.Range(0, 5).Select(i => $"01.01.2009 00:{i}0:00,{i}.0")));
        var (failed, failure) = App(_swept.Directory, "sweep", "-e", "SweepLinear", "-e", "SweepWide", "--parallel", "2", "--threads", "1", "--data", shortCsv,
            "--out", Path.Combine(_swept.Directory, "failing"));
        Assert.Equal(1, failed);
        string log = Path.Combine(_swept.Directory, "failing", "000", "train.log");
        Assert.Contains("run 000 failed (exit 1)", failure);
        Assert.Contains($"(log: {log})", failure);
        Assert.Contains("error: ", failure);
        Assert.Contains("failed: run 000 (" + log + "); run 001 (", failure);
    }

    [Fact]
    public async Task Sigterm_stops_the_sweep_and_its_children_and_exits_1_saying_which_runs_were_interrupted()
    {
        // Signals and /proc are Linux's; elsewhere there is nothing to check this way.
        if (!OperatingSystem.IsLinux()) return;
        string folder = Path.Combine(_swept.Directory, "stopped");
        var start = new ProcessStartInfo("dotnet") { WorkingDirectory = _swept.Directory, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string argument in new[] { AppPath, "sweep", "-e", "SweepDense", "--parallel", "2", "--threads", "1", "--epochs", "500", "--steps-per-epoch", "500", "--out", folder })
            start.ArgumentList.Add(argument);
        using var sweep = Process.Start(start)!;
        var error = sweep.StandardError.ReadToEndAsync();
        var output = new System.Text.StringBuilder();
        string? line;
        while ((line = sweep.StandardOutput.ReadLine()) is not null && !line.StartsWith("run 001 started", StringComparison.Ordinal))
            output.AppendLine(line);
        // Both children are training once each has written its epoch line into its log.
        var until = DateTime.UtcNow.AddSeconds(60);
        while (DateTime.UtcNow < until && !new[] { "000", "001" }.All(r => File.Exists(Path.Combine(folder, r, "train.log")) && File.ReadAllText(Path.Combine(folder, r, "train.log")).Contains("Epoch 1/500", StringComparison.Ordinal)))
            await Task.Delay(100);

        using (var kill = Process.Start("kill", new[] { "-TERM", sweep.Id.ToString(System.Globalization.CultureInfo.InvariantCulture) })) kill.WaitForExit();
        output.Append(await sweep.StandardOutput.ReadToEndAsync());
        Assert.True(sweep.WaitForExit(30_000), "the sweep did not exit");
        string errors = await error;

        Assert.Equal(1, sweep.ExitCode);
        Assert.Contains("stopping 2 runs", output.ToString());
        Assert.Contains("sweep SweepDense stopped: runs 000, 001 interrupted", output.ToString() + errors);
        // No child is left: no process has this sweep folder on its command line.
        var children = Directory.GetDirectories("/proc").Where(p => int.TryParse(Path.GetFileName(p), out _)).Where(p =>
        {
            try { return File.ReadAllText(Path.Combine(p, "cmdline")).Contains(folder, StringComparison.Ordinal); }
            catch (IOException) { return false; }
            catch (UnauthorizedAccessException) { return false; }
        });
        Assert.Empty(children);
        Assert.NotEqual(SweepRunState.Finished, SweepRunFolder.Inspect(Path.Combine(folder, "000")).State);
    }
}
