using System.Globalization;
using SeqDsl.Runtime.Cli;
using SeqDsl.Runtime.Data;
using SeqDsl.Runtime.Experiments;
using SeqDsl.Runtime.IO;
using SeqDsl.Runtime.Layers;
using SeqDsl.Runtime.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace SeqDsl.Runtime.Tests.Experiments;

/// <summary>
/// A run folder holds one run's results: diverged runs report nothing, a second writer is refused, problems with
/// the data or the folder stop a run before its first step, and leftovers of killed writes are removed.
/// </summary>
public sealed class RunFolderSafetyTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "seqdsl-safety-" + Guid.NewGuid().ToString("N"));

    private static ExperimentSpec Small => SmallWeatherModel.Experiment with { Training = SmallWeatherModel.Experiment.Training with { Epochs = 1, StepsPerEpoch = 2, ValidationSteps = 1 } };

    private (int Code, string Output, string Error) Cli(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int code = SeqDslCli.Run(args.Concat(new[] { "--out", _folder, "--device", "cpu" }).ToArray(), new[] { Small }, null, output, error);
        return (code, output.ToString(), error.ToString());
    }

    /// <summary>A model whose every prediction is NaN, as after a diverged update.</summary>
    private sealed class NaNModel : nn.Module<Tensor, Tensor>
    {
        private readonly Dense dense = new("dense", 14, new DenseOptions(1));

        public NaNModel() : base("nan") => RegisterComponents();

        public override Tensor forward(Tensor input) => dense.call(input[.., -1, ..]) * float.NaN;
    }

    [Fact]
    public void A_diverged_run_reports_nothing_and_never_another_runs_checkpoint()
    {
        // Another run's best checkpoint in the folder.
        Directory.CreateDirectory(_folder);
        string best = Path.Combine(_folder, "best.pt");
        Checkpoint.SaveAtomic(SmallWeatherModel.Experiment.CreateModel(ModelSizes.None), best, new CheckpointInfo { RunId = "earlier-run", Epoch = 3, Model = "SmallWeather" });
        byte[] before = File.ReadAllBytes(best);

        var runner = new ExperimentRunner(Small with { CreateModel = _ => new NaNModel() }, new RunOptions { OutputDirectory = _folder, Device = DeviceChoice.Cpu },
            new StringWriter(), NullProgress.Instance);
        var error = Assert.Throws<TrainingDivergedException>(() => runner.Train());

        Assert.Contains("training loss at epoch 1, step 1 is NaN", error.Message);
        Assert.Contains("No result is reported", error.Message);
        Assert.False(File.Exists(Path.Combine(_folder, "metrics.json")));
        Assert.False(File.Exists(Path.Combine(_folder, "history.json")));
        Assert.Equal(before, File.ReadAllBytes(best));
        Assert.False(File.Exists(Path.Combine(_folder, RunFolderLock.FileName)));
    }

    [Fact]
    public void A_second_writer_is_refused_naming_the_folder_and_the_owner()
    {
        using (RunFolderLock.Acquire(_folder, TextWriter.Null))
        {
            var second = Assert.Throws<ExperimentException>(() => RunFolderLock.Acquire(_folder, TextWriter.Null));
            Assert.Contains($"--out '{_folder}' is in use by process {Environment.ProcessId}", second.Message);

            var (code, _, error) = Cli("train");
            Assert.Equal(1, code);
            Assert.Contains($"is in use by process {Environment.ProcessId}", error);
            Assert.DoesNotContain("   at ", error);
        }
        Assert.False(File.Exists(Path.Combine(_folder, RunFolderLock.FileName)));
    }

    [Theory]
    [InlineData("pid 999999999\nstarted 0\n", "of process 999999999, which is no longer running")]
    [InlineData("pid {self}\nstarted 1\n", "of process {self}, which is no longer running")]   // the id was reused by another process
    [InlineData("garbage", "taking over the unreadable lock")]
    public void A_stale_lock_is_taken_over_and_says_so(string content, string notice)
    {
        Directory.CreateDirectory(_folder);
        string self = Environment.ProcessId.ToString(CultureInfo.InvariantCulture);
        string lockPath = Path.Combine(_folder, RunFolderLock.FileName);
        File.WriteAllText(lockPath, content.Replace("{self}", self));
        var output = new StringWriter();

        using (RunFolderLock.Acquire(_folder, output))
        {
            Assert.Contains(notice.Replace("{self}", self), output.ToString());
            Assert.StartsWith($"pid {self}\n", File.ReadAllText(lockPath));
        }
    }

    [Fact]
    public void Leftovers_of_killed_writes_are_removed_when_a_run_starts()
    {
        Directory.CreateDirectory(_folder);
        string[] leftovers = { "last.pt" + AtomicFile.TempInfix + new string('a', 32), "metrics.json" + AtomicFile.TempInfix + Guid.NewGuid().ToString("N") };
        foreach (var name in leftovers) File.WriteAllText(Path.Combine(_folder, name), "partial");
        File.WriteAllText(Path.Combine(_folder, "notes.tmp-keep"), "not ours");
        var output = new StringWriter();

        using (RunFolder.Start(_folder, output))
        {
            foreach (var name in leftovers) Assert.False(File.Exists(Path.Combine(_folder, name)), name);
            Assert.True(File.Exists(Path.Combine(_folder, "notes.tmp-keep")));
            Assert.Contains("removed 2 temporary file(s)", output.ToString());
        }
    }

    [Fact]
    public void A_csv_too_short_for_the_test_split_fails_before_training()
    {
        Directory.CreateDirectory(_folder);
        string csv = Path.Combine(_folder, "short.csv");
        WriteClimateCsv(csv, rows: 3220);   // the test split [3201, end] needs 3201 + lookback 24 + delay 6 + 1 rows

        var (code, output, error) = Cli("train", "--data", csv);

        Assert.Equal(1, code);
        Assert.Contains($"{csv}: the test split [3201, end] of small_weather.yaml has no room for a window in the data's 3,220 rows", error);
        Assert.DoesNotContain("Epoch", output);
        Assert.False(File.Exists(Path.Combine(_folder, "last.pt")));
    }

    [Fact]
    public void An_unwritable_out_folder_fails_before_training()
    {
        Directory.CreateDirectory(_folder);
        string file = Path.Combine(_folder, "a-file");
        File.WriteAllText(file, "x");
        string outFolder = Path.Combine(file, "run");
        var error = new StringWriter();

        int code = SeqDslCli.Run(new[] { "train", "--out", outFolder, "--device", "cpu" }, new[] { Small }, null, new StringWriter(), error);

        Assert.Equal(1, code);
        Assert.Contains($"--out '{outFolder}': the run folder cannot be created or written", error.ToString());
    }

    [Fact]
    public void Threads_are_capped_at_the_core_count_with_a_note()
    {
        var output = new StringWriter();
        RunFolder.ConfigureTorch(5000, output);

        Assert.Contains($"--threads 5000 is more than the {Environment.ProcessorCount} cores of this machine; using {Environment.ProcessorCount}", output.ToString());
        Assert.Equal(Environment.ProcessorCount, torch.get_num_threads());
    }

    [Theory]
    [InlineData("/dev/zero", "--data: the data file '/dev/zero' is empty or is not a regular file")]
    [InlineData("/tmp", "--data: the data file '/tmp' is a directory")]
    // An option that takes a value takes the next word, even one that looks like an option (here the --out that Cli adds).
    [InlineData("--time-order", "--time-order takes require, sort or as-is; received '--out'")]
    public void Devices_directories_and_bad_time_orders_are_refused_as_flags(string path, string message)
    {
        if (path.StartsWith('/') && !Path.Exists(path)) return;
        var (code, _, error) = path.StartsWith('/') ? Cli("train", "--data", path) : Cli("train", path);
        Assert.Equal(2, code);
        Assert.Contains(message, error);
    }

    private static void WriteClimateCsv(string path, int rows)
    {
        var frame = SyntheticClimate.Generate(rows, seed: 3);
        using var writer = new StreamWriter(path);
        writer.WriteLine("\"Date Time\"," + string.Join(",", frame.Columns.Select(c => $"\"{c}\"")));
        for (int r = 0; r < frame.Rows; r++)
            writer.WriteLine(frame.Timestamps![r].ToString("dd.MM.yyyy HH:mm:ss", CultureInfo.InvariantCulture) + "," +
                             string.Join(",", Enumerable.Range(0, frame.ColumnCount).Select(c => frame[r, c].ToString(CultureInfo.InvariantCulture))));
    }

    public void Dispose()
    {
        try { Directory.Delete(_folder, recursive: true); } catch (DirectoryNotFoundException) { }
    }
}
