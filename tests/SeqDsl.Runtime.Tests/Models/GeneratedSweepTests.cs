using SeqDsl.Runtime.Experiments;
using static TorchSharp.torch;

namespace SeqDsl.Runtime.Tests.Models;

/// <summary>
/// examples/Weather/weather_gru_sweep.yaml compiled by the real generator: each layer variant is a model class of its own,
/// and the spec's experiment lists the runs with their variant's model and their training values.
/// </summary>
public class GeneratedSweepTests
{
    [Fact]
    public void The_variants_are_classes_with_the_swept_width()
    {
        Assert.Equal("WeatherGruSweepV0", WeatherGruSweepV0Model.ModelName);
        Assert.Equal("weather_gru_sweep.yaml", WeatherGruSweepV1Model.SpecFile);
        // GRU(16) over 14 features: 3·(14·16 + 16·16 + 2·16) = 1,536 (TorchSharp's two biases), and dense 16 + 1.
        Assert.Equal(1_553, WeatherGruSweepV0Model.ParameterCount);
        Assert.Equal(WeatherGruModel.ParameterCount, WeatherGruSweepV1Model.ParameterCount);
        Assert.Equal(WeatherGruModel.ParameterCount, WeatherGruSweepModel.ParameterCount);

        using var scope = NewDisposeScope();
        using var model = new WeatherGruSweepV0Model();
        model.eval();
        Assert.Equal(new long[] { 2, 1 }, model.forward(randn(2, WeatherGruSweepV0Model.InputTime!.Value, WeatherGruSweepV0Model.InputFeatures)).shape);
    }

    [Fact]
    public void The_spec_experiment_lists_every_run_in_grid_order()
    {
        var sweep = WeatherGruSweepModel.Experiment.Sweep!;
        Assert.Equal("WeatherGruSweep", sweep.Name);
        Assert.Equal("weather_gru_sweep.yaml", sweep.SpecFile);
        Assert.Equal(new[] { 0, 1, 2, 3 }, sweep.Runs.Select(r => r.Index));
        Assert.Equal(new[] { "WeatherGruSweepV0", "WeatherGruSweepV0", "WeatherGruSweepV1", "WeatherGruSweepV1" }, sweep.Runs.Select(r => r.Experiment.Name));
        Assert.Equal(new double?[] { 0.001, 0.0005, 0.001, 0.0005 }, sweep.Runs.Select(r => r.Experiment.Training.Optimizer.LearningRate));
        Assert.Equal(new[] { "layers.gru_1.units=16, training.optimizer.learning_rate=0.0005" }, new[] { string.Join(", ", sweep.Runs[1].Settings) });
        // Everything the sweep does not set is the spec's: seed, epochs, data.
        Assert.All(sweep.Runs, r =>
        {
            Assert.Equal(42, r.Experiment.Training.Seed);
            Assert.Equal(8, r.Experiment.Training.Epochs);
            Assert.Equal(WeatherGruSweepModel.Experiment.Data!.Window, r.Experiment.Data!.Window);
            Assert.Equal(WeatherGruSweepModel.Experiment.Data.TargetText, r.Experiment.Data.TargetText);
            Assert.Null(r.Experiment.Sweep);
        });
        // Each run builds its variant's model.
        using var model = sweep.Runs[2].Experiment.CreateModel(ModelSizes.None);
        Assert.IsType<WeatherGruSweepV1Model>(model);
        Assert.Null(WeatherGruSweepV0Model.Experiment.Sweep);
    }

    [Fact]
    public void The_registry_lists_the_spec_then_its_variants()
    {
        var names = SeqDslExperiments.All.Select(e => e.Name).ToList();
        int own = names.IndexOf("WeatherGruSweep");
        Assert.Equal(new[] { "WeatherGruSweep", "WeatherGruSweepV0", "WeatherGruSweepV1" }, names.Skip(own).Take(3));
    }
}
