using System.Text.Json;
using SeqDsl.Runtime.Experiments;
using SeqDsl.Runtime.Reporting;
using SeqDsl.Runtime.Training;
using TorchSharp;

namespace SeqDsl.Runtime.Tests.Experiments;

/// <summary>
/// Multivariate runs end to end on small synthetic series: several targets (Specs/small_multivariate.yaml) and a
/// channel-independent model with one target (Specs/small_channel_independent.yaml), both compiled into this assembly.
/// </summary>
public sealed class MultivariateExperimentTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "seqdsl-mv-" + Guid.NewGuid().ToString("N"));

    private ExperimentRunner Runner(ExperimentSpec spec, StringWriter? output = null)
        => new(spec, new RunOptions { OutputDirectory = _folder }, output ?? new StringWriter(), NullProgress.Instance);

    private static void AssertFinite(double? value, string what)
        => Assert.True(value is double v && double.IsFinite(v), $"{what} is {value?.ToString() ?? "missing"}");

    [Fact]
    public void Several_targets_train_evaluate_and_report_averaged_and_per_column_metrics()
    {
        var output = new StringWriter();
        var report = Runner(SmallMultivariateModel.Experiment, output).Train();

        var metrics = MetricsReport.Read(Path.Combine(_folder, "metrics.json"));
        Assert.Equal("T (degC), Tdew (degC), rh (%)", metrics.Target);
        Assert.Null(metrics.TargetStd);    // three columns share no unit
        foreach (var (value, name) in new[] { (metrics.BestValMae, "val MAE"), (metrics.BestValMse, "val MSE"), (metrics.TestMae, "test MAE"),
                     (metrics.TestMse, "test MSE"), (metrics.NaiveValMae, "naive val MAE"), (metrics.NaiveTestMae, "naive test MAE") })
            AssertFinite(value, name);
        Assert.Equal(new[] { "T (degC)", "Tdew (degC)", "rh (%)" }, metrics.Channels.Select(c => c.Channel));
        // The headline figures are the columns' average (each column has as many values).
        Assert.Equal(metrics.Channels.Average(c => c.TestMae!.Value), metrics.TestMae!.Value, 9);
        Assert.Equal(metrics.Channels.Average(c => c.TestMse!.Value), metrics.TestMse!.Value, 9);
        Assert.Equal(metrics.Channels.Average(c => c.NaiveTestMae!.Value), metrics.NaiveTestMae!.Value, 9);
        Assert.Null(metrics.AllChannels);
        Assert.Equal(report.TestMae, metrics.TestMae);
        string json = File.ReadAllText(Path.Combine(_folder, "metrics.json"));
        Assert.DoesNotContain("NaN", json);
        Assert.DoesNotContain("_target_units", json);
        Assert.Contains("averaged over 3 targets", output.ToString());
        Assert.Contains("Per target (normalized):", output.ToString());

        // evaluate scores best.pt the same way.
        var evaluated = Runner(SmallMultivariateModel.Experiment).Evaluate();
        Assert.Equal(metrics.TestMae!.Value, evaluated.TestMae!.Value, 6);
        Assert.Equal(metrics.BestValMse!.Value, evaluated.BestValMse!.Value, 6);
    }

    [Fact]
    public void The_multivariate_windows_and_the_model_agree_on_batch_horizon_columns()
    {
        var runner = Runner(SmallMultivariateModel.Experiment);
        using var prepared = runner.PrepareData(torch.CPU);
        using var generator = runner.Windows(prepared, SmallMultivariateModel.Experiment.Data!.Validation!, shuffle: false, seed: 0);
        var (inputs, targets) = generator.Next();
        Assert.Equal(new long[] { 16, 12, 3 }, inputs.shape);
        Assert.Equal(new long[] { 16, 4, 3 }, targets.shape);
        Assert.Equal(new[] { 0, 1, 2 }, prepared.ForecastColumns);
        // Each column is normalized with its own training statistics.
        Assert.Equal(3, prepared.Normalizer!.Std.Distinct().Count());
    }

    [Fact]
    public void Channel_independent_training_uses_every_column_and_scores_the_target()
    {
        var output = new StringWriter();
        Runner(SmallChannelIndependentModel.Experiment, output).Train();

        var metrics = MetricsReport.Read(Path.Combine(_folder, "metrics.json"));
        Assert.Equal("T (degC)", metrics.Target);
        Assert.Equal("degC", metrics.TargetUnit);   // one target: its unit is meaningful
        AssertFinite(metrics.TestMae, "test MAE");
        AssertFinite(metrics.TestMse, "test MSE");
        Assert.Empty(metrics.Channels);
        var all = Assert.IsType<ChannelMetrics>(metrics.AllChannels);
        Assert.Equal("all 3 columns", all.Channel);
        AssertFinite(all.TestMae, "all columns' test MAE");
        AssertFinite(all.NaiveTestMae, "all columns' naive test MAE");
        Assert.NotEqual(all.TestMae, metrics.TestMae);
        Assert.Contains("channel-independent: the layers run on each of the 3 input columns", output.ToString());
        Assert.Contains("trained on all 3 columns as separate series", output.ToString());

        // The model forecasts all three columns; the generator yields them all as targets.
        var runner = Runner(SmallChannelIndependentModel.Experiment);
        using var prepared = runner.PrepareData(torch.CPU);
        Assert.Equal(new[] { 0 }, prepared.ScoredChannels);
        using var generator = runner.Windows(prepared, SmallChannelIndependentModel.Experiment.Data!.Test!, shuffle: false, seed: 0);
        var (inputs, targets) = generator.Next();
        var model = SmallChannelIndependentModel.Experiment.CreateModel(ModelSizes.None);
        Assert.Equal(targets.shape, model.call(inputs).shape);
        Assert.Equal(4 * 12 + 4, ((ISeqDslModel)model).ParameterCount); // dense over one column's 12 steps: one feature per step
    }

    [Fact]
    public void RevIN_around_channel_independent_layers_trains_and_shifts_each_column_with_its_own_statistics()
    {
        var report = Runner(SmallRevinChannelIndependentModel.Experiment).Train();
        AssertFinite(report.TestMae, "test MAE");

        var runner = Runner(SmallRevinChannelIndependentModel.Experiment);
        using var prepared = runner.PrepareData(torch.CPU);
        using var generator = runner.Windows(prepared, SmallRevinChannelIndependentModel.Experiment.Data!.Test!, shuffle: false, seed: 0);
        var (inputs, targets) = generator.Next();
        var model = SmallRevinChannelIndependentModel.Experiment.CreateModel(ModelSizes.None);
        model.eval();
        using var _ = torch.no_grad();
        var output = model.call(inputs);
        Assert.Equal(targets.shape, output.shape);
        // RevIN (per column over the whole window) + the shared per-column map: one affine pair per column, one dense.
        Assert.Equal(3 * 2 + 12 * 4 + 4, ((ISeqDslModel)model).ParameterCount);

        // Translation equivariance, column by column: each window is centred with its own per-column mean and the
        // forecast moved back by it, so shifting column c by k_c shifts column c of the forecast by k_c. A normalization
        // run on the wrong columns (or inside the per-column reshape with another column's statistics) breaks it.
        var shift = torch.tensor(new float[] { 3f, -5f, 11f });
        var shifted = model.call(inputs + shift);
        // float32: inputs ~ N(0, 1) shifted by up to 11 lose ~1e-6 relative precision in the mean; 1e-4 leaves room.
        Assert.True(torch.allclose(shifted, output + shift, rtol: 0, atol: 1e-4),
            $"largest difference {(shifted - output - shift).abs().max().item<float>()}");
    }

    public void Dispose()
    {
        if (Directory.Exists(_folder)) Directory.Delete(_folder, recursive: true);
    }
}
