using SeqDsl.Runtime.Experiments;
using SeqDsl.Runtime.Layers;
using TorchSharp;
using static TorchSharp.torch;

namespace SeqDsl.Runtime.Tests.Models;

/// <summary>
/// The example specs compiled by the real generator into this assembly: what the build inferred must be
/// what TorchSharp really does.
/// </summary>
public class GeneratedModelTests
{
    private const long Batch = 3;
    private const long OpenTime = 17;

    public static TheoryData<string> ModelTypes()
    {
        var data = new TheoryData<string>();
        foreach (var experiment in GeneratedExperiments()) data.Add(experiment.Name);
        return data;
    }

    private static IEnumerable<ExperimentSpec> GeneratedExperiments()
        => SeqDslExperiments.All.OrderBy(e => e.Name, StringComparer.Ordinal);

    /// <summary>Models sized by a text vocabulary are built for this many symbols.</summary>
    private const int Vocabulary = 57;

    /// <summary>The model through the generated contract, for the run's sizes; the experiment's table and count agree with the instance's.</summary>
    private static (nn.Module<Tensor, Tensor> Model, IReadOnlyList<LayerSummary> Layers, long Parameters, int Features, int? Time) Create(string name)
    {
        var experiment = GeneratedExperiments().Single(e => e.Name == name);
        var sizes = new ModelSizes(Vocabulary);
        var module = experiment.CreateModel(sizes);
        var model = Assert.IsAssignableFrom<ISeqDslModel>(module);
        Assert.Equal(experiment.ParameterCount(sizes), model.ParameterCount);
        Assert.Equal(experiment.Layers(sizes).Select(l => l.Name), model.Layers.Select(l => l.Name));
        Assert.Equal(experiment.Name, model.ModelName);
        // An episodes model over a flat representation reads one vector per record: its input shape is (None, features).
        int? inputTime = !model.Input.Tokens && model.Input.Shape.Count(c => c == ',') == 1 ? FlatInput : model.Input.Time;
        return (module, model.Layers, model.ParameterCount, model.Input.Features, inputTime);
    }

    /// <summary>Stands for "no time axis" in <see cref="SampleInput"/>: a (batch, features) input.</summary>
    private const int FlatInput = -1;

    private static Tensor SampleInput(int features, int? time)
        => features == 0 ? randint(0, 50, new long[] { Batch, time ?? OpenTime }, dtype: int64)
            : time == FlatInput ? randn(Batch, features)
            : randn(Batch, time ?? OpenTime, features);

    [Fact]
    public void Every_example_spec_became_a_model()
        => Assert.True(GeneratedExperiments().Count() >= 10, string.Join(", ", GeneratedExperiments().Select(e => e.Name)));

    [Theory]
    [MemberData(nameof(ModelTypes))]
    public void Each_layers_real_output_shape_equals_the_inferred_shape(string name)
    {
        using var scope = NewDisposeScope();
        manual_seed(1);
        var (model, layers, _, features, time) = Create(name);
        model.eval();
        var children = model.named_children().ToDictionary(c => c.name, c => (nn.Module<Tensor, Tensor>)c.module);
        // A channel-independent model's layers read one column at a time: their input has one feature.
        bool perChannel = GeneratedExperiments().Single(e => e.Name == name).ChannelIndependent;

        var rows = layers.ToDictionary(l => l.Name);
        var checkedRows = new HashSet<string>();
        var x = SampleInput(perChannel ? 1 : features, time);
        // With a static branch the model splits the statics off each step first: the layers read the rest, the branch them.
        Tensor? statics = null;
        if (model.GetType().GetField("StaticFeatures")?.GetValue(null) is int staticFeatures)
            (x, statics) = StaticBranch.Split(x, staticFeatures);
        // The model's own list runs in order; a block's layers (Depth > 0) run inside it, each path from the block's input.
        foreach (var layer in layers.Where(l => l.Depth == 0))
        {
            // The model's instance normalization reads the whole window, outside any per-column reshape; its row's shape
            // is the window's, so it is checked on the full input and the layers go on from the per-column one.
            if (perChannel && children[layer.Name] is InstanceNormalization normalization)
                RunAndCheck(normalization, SampleInput(features, time), rows, checkedRows);
            else
                x = RunAndCheck(children[layer.Name], x, rows, checkedRows, statics);
        }
        Assert.Equal(rows.Keys.Order(), checkedRows.Order());
        var output = model.forward(SampleInput(features, time));
        // … and each column's (batch, horizon) comes back as (batch, horizon, columns).
        Assert.Equal(perChannel ? new[] { Batch, x.shape[1], features } : x.shape, output.shape);
    }

    /// <summary>Runs a layer, checks its output against its table row, and does the same for the layers of a block's paths.</summary>
    private static Tensor RunAndCheck(nn.Module<Tensor, Tensor> module, Tensor x, Dictionary<string, LayerSummary> rows, HashSet<string> checkedRows, Tensor? statics = null)
    {
        var y = module is StaticBranch joined ? joined.forward(x, statics!) : module.forward(x);
        var row = rows[module.GetName()];
        var expected = row.OutputShape.Select((d, i) => i == 0 ? Batch : d ?? OpenTime).ToArray();
        Assert.True(expected.SequenceEqual(y.shape), $"{row.Name}: inferred {row.ShapeText}, real ({string.Join(", ", y.shape)})");
        checkedRows.Add(row.Name);
        void Path(LayerPath path, Tensor input)
        {
            foreach (var layer in path.Layers) input = RunAndCheck(layer, input, rows, checkedRows);
        }
        switch (module)
        {
            case Branches branches:
                foreach (var path in branches.Paths) Path(path, x);
                break;
            case Residual residual:
                Path(residual.Body, x);
                break;
            case SeriesDecomposition decomposition:
                var (trend, seasonal) = decomposition.Decompose(x);
                Path(decomposition.Trend, trend);
                Path(decomposition.Seasonal, seasonal);
                break;
            case StaticBranch branch:
                Path(branch.Layers, statics!);
                break;
        }
        return y;
    }

    [Theory]
    [MemberData(nameof(ModelTypes))]
    public void Summary_parameter_counts_equal_the_real_counts(string name)
    {
        var (model, layers, parameters, _, _) = Create(name);
        var children = model.named_children().ToDictionary(c => c.name, c => c.module);

        Assert.Equal(parameters, ModelSummary.CountParameters(model));
        foreach (var layer in layers)
            Assert.True(layer.Parameters == ModelSummary.CountParameters(children[layer.Name]), $"{layer.Name}: summary {layer.Parameters}");
        string summary = ((ISeqDslModel)model).Summary();
        Assert.Contains("Total params: " + parameters.ToString("N0", System.Globalization.CultureInfo.InvariantCulture), summary);
    }

    [Theory]
    [MemberData(nameof(ModelTypes))]
    public void Weights_are_saved_under_the_layer_names_and_load_back(string name)
    {
        using var scope = NewDisposeScope();
        manual_seed(2);
        var (model, layers, _, features, time) = Create(name);
        var (copy, _, _, _, _) = Create(name);
        var keys = model.state_dict().Keys.ToList();
        Assert.All(keys, k => Assert.Contains(layers, l => k.StartsWith(l.Name + ".", StringComparison.Ordinal)));

        string path = Path.Combine(Path.GetTempPath(), $"seqdsl-{name}-{Guid.NewGuid():N}.bin");
        try
        {
            model.save(path);
            copy.load(path);
        }
        finally
        {
            File.Delete(path);
        }
        model.eval();
        copy.eval();
        var input = SampleInput(features, time);
        Assert.True(model.forward(input).allclose(copy.forward(input)), "loaded weights give another output");
    }

    [Fact]
    public void Lecture_models_have_the_expected_parameter_counts()
    {
        // Keras's published counts for the lecture's models (the LSTM differs: Keras keeps one bias vector).
        Assert.Equal(107_585, WeatherMlpModel.ParameterCount);
        Assert.Equal(4_641, WeatherGruModel.ParameterCount);
        Assert.Equal(23_489, WeatherStackedGruModel.ParameterCount);
        Assert.Equal(9_281, WeatherBidirectionalGruModel.ParameterCount);
        // The char LSTM is sized by its corpus: 57 symbols for the lecture's Nietzsche text.
        Assert.Equal(102_585, CharLstmModel.KerasParameterCountFor(57));
        Assert.Equal(103_097, CharLstmModel.ParameterCountFor(57));
        Assert.Equal(103_097, ModelSummary.CountParameters(new CharLstmModel(57)));
    }

    [Fact]
    public void A_wrong_input_shape_is_an_argument_error_not_a_native_abort()
    {
        using var scope = NewDisposeScope();
        var model = new WeatherGruModel();
        var error = Assert.Throws<ArgumentException>(() => model.forward(randn(2, 240, 13)));
        Assert.Contains("WeatherGru", error.Message);
        Assert.Contains("(batch, 240, 14) float32", error.Message);
        Assert.Contains("(2, 240, 13)", error.Message);
        Assert.Throws<ArgumentException>(() => model.forward(randn(2, 239, 14)));
        Assert.Throws<ArgumentException>(() => model.forward(randn(240, 14)));
    }

    [Fact]
    public void Dropout_gru_is_random_in_training_and_deterministic_in_eval()
    {
        using var scope = NewDisposeScope();
        manual_seed(3);
        var model = new WeatherGruDropoutModel();
        var input = randn(4, 240, 14);

        model.train();
        Assert.False(model.forward(input).allclose(model.forward(input)), "training mode should draw new masks");
        model.eval();
        Assert.True(model.forward(input).allclose(model.forward(input)), "eval mode must not drop anything");
        Assert.False(model.Gru1.UsesFusedPath); // recurrent dropout needs the step loop in training
        Assert.True(new WeatherGruModel().Gru1.UsesFusedPath);
    }

    [Fact]
    public void Typed_layer_properties_expose_the_spec_options()
    {
        var model = new WeatherStackedGruModel();
        Assert.Equal(32, model.Gru1.Options.Units);
        Assert.True(model.Gru1.Options.ReturnSequences);
        Assert.Equal(Activation.Relu, model.Gru2.Options.Activation);
        Assert.Equal(0.5, model.Gru2.Options.RecurrentDropout);
        Assert.Equal(240, WeatherStackedGruModel.InputTime);
    }
}
