using SeqDsl.Runtime.Cli;
using SeqDsl.Runtime.Data;
using SeqDsl.Runtime.Experiments;
using SeqDsl.Runtime.Reporting;
using SeqDsl.Runtime.Training;
using TorchSharp;
using DeviceType = TorchSharp.DeviceType;

namespace SeqDsl.Runtime.Tests.Experiments;

/// <summary>A whole experiment on a small synthetic series: files written, baseline beside the model, resume, CLI errors.</summary>
public sealed class ExperimentRunnerTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "seqdsl-run-" + Guid.NewGuid().ToString("N"));

    /// <summary>The experiment of Specs/small_weather.yaml, compiled into this assembly by the generator.</summary>
    private static ExperimentSpec Small(int epochs = 2)
        => SmallWeatherModel.Experiment with { Training = SmallWeatherModel.Experiment.Training with { Epochs = epochs } };

    private ExperimentRunner Runner(ExperimentSpec spec, RunOptions? options = null, StringWriter? output = null)
        => new(spec, (options ?? new RunOptions()) with { OutputDirectory = _folder }, output ?? new StringWriter(), NullProgress.Instance);

    [Fact]
    public void Train_writes_metrics_history_plot_and_checkpoints_and_reports_the_baseline()
    {
        var output = new StringWriter();
        var report = Runner(Small(), output: output).Train();

        foreach (var file in new[] { "metrics.json", "history.csv", "history.json", "loss.png", "best.pt", "last.pt" })
            Assert.True(File.Exists(Path.Combine(_folder, file)), file);
        Assert.Equal(3, File.ReadAllLines(Path.Combine(_folder, "history.csv")).Length); // header + 2 epochs
        var metrics = MetricsReport.Read(Path.Combine(_folder, "metrics.json"));
        Assert.NotNull(metrics.NaiveValMae);
        Assert.NotNull(metrics.BestValMae);
        Assert.NotNull(metrics.TestMae);
        Assert.Equal("degC", metrics.TargetUnit);
        Assert.Equal(report.TestMae, metrics.TestMae);
        string text = File.ReadAllText(Path.Combine(_folder, "metrics.json"));
        Assert.Contains("\"naive_val_mae_target_units\"", text);
        Assert.Contains("naive baseline on validation: MAE", output.ToString());
        Assert.Contains("model (best epoch", output.ToString());
    }

    [Fact]
    public void Resume_continues_from_the_last_checkpoint()
    {
        Runner(Small(epochs: 1)).Train();
        var resumed = Runner(Small(epochs: 3), new RunOptions { Resume = true }).Train();

        Assert.Equal(3, resumed.Epochs);
        var history = TrainingHistory.ReadJson(Path.Combine(_folder, "history.json"));
        Assert.Equal(new[] { 1, 2, 3 }, history.Epochs.Select(e => e.Epoch));
    }

    [Fact]
    public void The_naive_baseline_sees_the_validation_batches_in_target_units()
    {
        var runner = Runner(Small());
        using var prepared = runner.PrepareData(torch.CPU);
        var naive = runner.Baseline(prepared, Small().Data!.Validation, 4)!;

        Assert.Equal(4, naive.Batches);
        Assert.InRange(naive.Mae, 0.01, 2.0);
        Assert.Equal(prepared.Normalizer!.Std[prepared.TargetColumn], prepared.TargetScale, 6);
    }

    [Fact]
    public void Normalization_uses_the_rows_training_reads()
    {
        var spec = Small();
        using var prepared = Runner(spec).PrepareData(torch.CPU);
        var data = spec.Data!;
        int trainEnd = data.Train.MaxIndex!.Value - 1 + data.Window.Delay + data.Window.Horizon;
        var expected = Normalizer.Fit(prepared.Frame, 0, trainEnd);
        Assert.Equal(expected.Mean, prepared.Normalizer!.Mean);
        Assert.NotEqual(Normalizer.Fit(prepared.Frame, 0, data.Train.MaxIndex!.Value).Mean, prepared.Normalizer.Mean);
    }

    [Fact]
    public void Data_flag_reads_a_csv_in_place_of_the_source()
    {
        string csv = Path.Combine(Path.GetTempPath(), $"seqdsl-{Guid.NewGuid():N}.csv");
        var frame = SyntheticClimate.Generate(4000, seed: 7);
        using (var writer = new StreamWriter(csv))
        {
            writer.WriteLine("\"Date Time\"," + string.Join(",", frame.Columns.Select(c => $"\"{c}\"")));
            for (int r = 0; r < frame.Rows; r++)
                writer.WriteLine(frame.Timestamps![r].ToString("dd.MM.yyyy HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture) + "," +
                                 string.Join(",", Enumerable.Range(0, frame.ColumnCount).Select(c => frame[r, c].ToString(System.Globalization.CultureInfo.InvariantCulture))));
        }
        try
        {
            using var prepared = Runner(Small(), new RunOptions { DataPath = csv }).PrepareData(torch.CPU);
            Assert.Equal(4000, prepared.Frame.Rows);
            Assert.Contains(csv, prepared.Description);
            Assert.Equal(frame[100, 1], prepared.Frame[100, 1], 3);
        }
        finally
        {
            File.Delete(csv);
        }
    }

    [Fact]
    public void Evaluate_without_a_checkpoint_says_what_to_do()
    {
        var error = Assert.Throws<ExperimentException>(() => Runner(Small()).Evaluate());
        Assert.Contains("train first", error.Message);
    }

    [Theory]
    [InlineData(new[] { "--epochs", "zero" }, "--epochs takes a whole number of at least 1; received 'zero'")]
    [InlineData(new[] { "--epochs" }, "Required argument missing for option: '--epochs'")]
    [InlineData(new[] { "--frobnicate" }, "Unrecognized command or argument '--frobnicate'")]
    [InlineData(new[] { "fly" }, "Unrecognized command or argument 'fly'")]
    [InlineData(new[] { "--device", "tpu" }, "--device takes auto, cpu or cuda; received 'tpu'")]
    [InlineData(new[] { "--data", "/no/such/file.csv" }, "--data: no file at '/no/such/file.csv'")]
    [InlineData(new[] { "--experiment", "Nope" }, "--experiment 'Nope' is not an experiment of this project")]
    public void Bad_command_lines_get_a_clear_message_and_exit_code_2(string[] args, string message)
    {
        var error = new StringWriter();
        int code = SeqDslCli.Run(args, new[] { Small() }, "SmallWeather", new StringWriter(), error);
        Assert.Equal(2, code);
        Assert.Contains(message, error.ToString());
    }

    [Fact]
    public void Cuda_without_cuda_fails_with_a_message_and_auto_falls_back_to_the_cpu()
    {
        if (torch.cuda.is_available())
        {
            Assert.Equal(DeviceType.CUDA, Runner(Small(), new RunOptions { Device = DeviceChoice.Auto }).ResolveDevice().type);
            return;
        }
        var error = new StringWriter();
        int code = SeqDslCli.Run(new[] { "baseline", "--device", "cuda" }, new[] { Small() }, null, new StringWriter(), error);
        Assert.Equal(1, code);
        Assert.Contains("CUDA is not available", error.ToString());
        Assert.Equal(torch.CPU.type, Runner(Small(), new RunOptions { Device = DeviceChoice.Auto }).ResolveDevice().type);
    }

    [Fact]
    public void Summary_and_list_commands()
    {
        var output = new StringWriter();
        Assert.Equal(0, SeqDslCli.Run(new[] { "summary" }, new[] { Small() }, null, output, new StringWriter()));
        Assert.Contains("Total params: " + SmallWeatherModel.ParameterCount.ToString("N0", System.Globalization.CultureInfo.InvariantCulture), output.ToString());
        output = new StringWriter();
        Assert.Equal(0, SeqDslCli.Run(new[] { "list" }, new[] { Small() }, "SmallWeather", output, new StringWriter()));
        Assert.Contains("(default)", output.ToString());
    }

    [Fact]
    public void A_model_only_spec_cannot_be_trained()
    {
        var error = new StringWriter();
        Assert.Equal(1, SeqDslCli.Run(new[] { "train" }, new[] { Small() with { Data = null } }, null, new StringWriter(), error));
        Assert.Contains("add a 'data' section", error.ToString());
    }

    public void Dispose()
    {
        try { Directory.Delete(_folder, recursive: true); } catch (DirectoryNotFoundException) { }
    }
}
