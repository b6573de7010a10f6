using SeqDsl.Generator.Model;
using SeqDsl.Generator.Parsing;

namespace SeqDsl.Generator.Tests;

/// <summary>The binder turns a spec's experiment sections into typed settings with the catalog's defaults resolved.</summary>
public class BinderTests
{
    private static ExperimentSettings Bind(string sections)
    {
        var parsed = SpecParser.Parse(new SpecFile("m.yaml", "model: M\ninput: {}\nlayers:\n  - gru: { units: 4 }\n  - dense: { units: 1 }\n" + sections, null));
        Assert.Empty(parsed.Diagnostics);
        return parsed.Spec!.Experiment;
    }

    [Fact]
    public void Data_settings_are_typed_with_defaults_resolved()
    {
        var experiment = Bind("data:\n  source: synthetic-climate\n  target: T (degC)\n  window: { lookback: 12, step: 3 }\n  splits: { train: [0, 1000], test: [2000, end] }\n"
            + "training: { optimizer: { adam: { beta_1: 0.8 } } }\nbaseline: { seasonal_naive: { season: 24 } }\n");

        var data = Assert.IsType<DataSettings>(experiment.Data);
        Assert.Null(experiment.Text);
        Assert.Equal(DataSourceKind.SyntheticClimate, data.Source);
        Assert.Equal(new WindowSettings(12, 3, 0, 128, 1, Reverse: false, Shuffle: true), data.Window);
        Assert.Equal(4, data.Window.TimeSteps);
        Assert.Equal((0L, (long?)1000L), (data.Train!.Start, data.Train.End));
        Assert.Null(data.Validation);
        Assert.Null(data.Test!.End);
        Assert.Equal(420551, data.Rows);
        Assert.Equal(new OptimizerSettings(OptimizerKind.Adam, 0.001, null, null, 1e-7, 0.8, 0.999, null), experiment.Training.Optimizer);
        Assert.Equal(LossKind.Mae, experiment.Training.Loss);
        Assert.Null(experiment.Training.ValidationSteps);
        Assert.Equal(new BaselineSettings(BaselineKind.SeasonalNaive, 24), experiment.Baseline);
    }

    [Fact]
    public void A_text_task_is_typed_and_trains_with_cross_entropy()
    {
        var experiment = Bind("text: { maxlen: 40, encoding: indices }\nsampling: { temperatures: [0.5, 1] }\n");

        var text = Assert.IsType<TextSettings>(experiment.Text);
        Assert.Null(experiment.Data);
        Assert.Equal((40L, TextEncoding.Indices, 0.05), (text.MaxLen, text.Encoding, text.ValidationFraction));
        Assert.Equal(LossKind.CategoricalCrossEntropy, experiment.Training.Loss);
        Assert.Equal(new[] { 0.5, 1.0 }, experiment.Sampling.Temperatures);
        Assert.Equal(OptimizerKind.RmsProp, experiment.Training.Optimizer.Kind);
    }
}
