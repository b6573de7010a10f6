using SeqDsl.Runtime.Layers;
using static TorchSharp.torch;

namespace SeqDsl.Runtime.Tests.Layers;

public class RecurrentLayerTests
{
    private const long Batch = 2, Steps = 5, Features = 3, Units = 4;

    public static TheoryData<RecurrentKind, Activation, bool, bool> FusedCases()
    {
        var data = new TheoryData<RecurrentKind, Activation, bool, bool>();
        foreach (var (kind, activation) in new[]
        {
            (RecurrentKind.Gru, Activation.Tanh), (RecurrentKind.Lstm, Activation.Tanh),
            (RecurrentKind.SimpleRnn, Activation.Tanh), (RecurrentKind.SimpleRnn, Activation.Relu),
        })
        {
            foreach (var returnSequences in new[] { false, true })
                foreach (var goBackwards in new[] { false, true })
                    data.Add(kind, activation, returnSequences, goBackwards);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(FusedCases))]
    public void Fused_and_loop_paths_agree_on_equal_weights(RecurrentKind kind, Activation activation, bool returnSequences, bool goBackwards)
    {
        using var scope = NewDisposeScope();
        manual_seed(11);
        var options = new RecurrentOptions(Units) { Activation = activation, ReturnSequences = returnSequences, GoBackwards = goBackwards };
        var fused = RecurrentLayer.Create(kind, "fused", Features, options);
        var loop = RecurrentLayer.Create(kind, "loop", Features, options with { Implementation = RecurrentImplementation.Loop });
        loop.load_state_dict(fused.state_dict());
        Assert.True(fused.UsesFusedPath);
        Assert.False(loop.UsesFusedPath);

        var x = randn(Batch, Steps, Features);
        var expected = fused.call(x);
        var actual = loop.call(x);

        Assert.True(fused.LastRunFused);
        Assert.False(loop.LastRunFused);
        TensorAssert.Shape(actual, returnSequences ? new[] { Batch, Steps, Units } : new[] { Batch, Units });
        TensorAssert.Close(expected, actual);
    }

    [Theory]
    [InlineData(RecurrentKind.Gru)]
    [InlineData(RecurrentKind.Lstm)]
    [InlineData(RecurrentKind.SimpleRnn)]
    public void Fused_and_loop_paths_agree_from_an_explicit_state_and_return_the_same_final_state(RecurrentKind kind)
    {
        using var scope = NewDisposeScope();
        manual_seed(12);
        var options = new RecurrentOptions(Units) { ReturnSequences = true };
        var fused = RecurrentLayer.Create(kind, "fused", Features, options);
        var loop = RecurrentLayer.Create(kind, "loop", Features, options with { Implementation = RecurrentImplementation.Loop });
        loop.load_state_dict(fused.state_dict());
        var x = randn(Batch, Steps, Features);
        var initial = Enumerable.Range(0, kind == RecurrentKind.Lstm ? 2 : 1).Select(_ => randn(Batch, Units)).ToArray();

        var (fusedOut, fusedState) = fused.ForwardWithState(x, initial);
        var (loopOut, loopState) = loop.ForwardWithState(x, initial);

        TensorAssert.Close(fusedOut, loopOut);
        Assert.Equal(initial.Length, loopState.Length);
        for (int i = 0; i < loopState.Length; i++)
            TensorAssert.Close(fusedState[i], loopState[i]);
        // Final h is the last output step.
        TensorAssert.Close(loopOut.select(1, Steps - 1), loopState[0]);
    }

    [Theory]
    [InlineData(RecurrentKind.Gru, false)]
    [InlineData(RecurrentKind.Lstm, true)]
    [InlineData(RecurrentKind.SimpleRnn, true)]
    public void Loop_gradients_match_the_fused_kernel(RecurrentKind kind, bool returnSequences)
    {
        using var scope = NewDisposeScope();
        manual_seed(13);
        var options = new RecurrentOptions(Units) { ReturnSequences = returnSequences };
        var fused = RecurrentLayer.Create(kind, "fused", Features, options);
        var loop = RecurrentLayer.Create(kind, "loop", Features, options with { Implementation = RecurrentImplementation.Loop });
        loop.load_state_dict(fused.state_dict());
        var x = randn(Batch, Steps, Features);

        fused.call(x).square().sum().backward();
        loop.call(x).square().sum().backward();

        var expected = fused.named_parameters().ToDictionary(p => p.name, p => p.parameter.grad!);
        foreach (var (name, parameter) in loop.named_parameters())
            TensorAssert.Close(expected[name], parameter.grad!, atol: 1e-4);
    }

    [Fact]
    public void Gru_loop_matches_the_reset_after_equations()
    {
        using var scope = NewDisposeScope();
        var gru = new Gru("gru", 2, new RecurrentOptions(2) { ReturnSequences = true, Implementation = RecurrentImplementation.Loop });
        var weights = ReferenceWeights(gru, 3, 2, 2, seed: 5);
        var input = new[] { 0.5f, -1.0f, 0.25f, 0.75f, -0.3f, 0.1f };

        var actual = gru.call(tensor(input).reshape(1, 3, 2));

        var expected = ReferenceGru(weights, input, steps: 3, features: 2, units: 2, Math.Tanh);
        TensorAssert.Close(tensor(expected).reshape(1, 3, 2), actual);
    }

    [Fact]
    public void Gru_with_relu_activation_runs_the_loop_and_follows_the_equations()
    {
        using var scope = NewDisposeScope();
        var gru = new Gru("relu_gru", 2, new RecurrentOptions(2) { Activation = Activation.Relu, ReturnSequences = true });
        Assert.False(gru.UsesFusedPath);
        var weights = ReferenceWeights(gru, 3, 2, 2, seed: 9);
        var input = new[] { 1.5f, -1.0f, 0.25f, 2.0f, -0.3f, 0.9f };

        var actual = gru.call(tensor(input).reshape(1, 3, 2));

        Assert.False(gru.LastRunFused);
        var expected = ReferenceGru(weights, input, steps: 3, features: 2, units: 2, v => Math.Max(v, 0));
        TensorAssert.Close(tensor(expected).reshape(1, 3, 2), actual);
    }

    [Theory]
    [InlineData(RecurrentKind.Gru, 3)]
    [InlineData(RecurrentKind.Lstm, 4)]
    [InlineData(RecurrentKind.SimpleRnn, 1)]
    public void Parameter_count_matches_torch_layout(RecurrentKind kind, long gates)
    {
        using var scope = NewDisposeScope();
        var layer = RecurrentLayer.Create(kind, "rnn", 7, new RecurrentOptions(5));
        Assert.Equal(gates * (5 * 7 + 5 * 5 + 2 * 5), TensorAssert.ParameterCount(layer));

        var noBias = RecurrentLayer.Create(kind, "rnn", 7, new RecurrentOptions(5) { UseBias = false });
        Assert.Equal(gates * (5 * 7 + 5 * 5), TensorAssert.ParameterCount(noBias));
        Assert.Equal(new[] { "rnn.weight_ih_l0", "rnn.weight_hh_l0" }, noBias.state_dict().Keys.OrderByDescending(k => k.Contains("ih")));
    }

    [Fact]
    public void Parameters_use_stable_state_dict_keys()
    {
        using var scope = NewDisposeScope();
        var layer = new Gru("gru", 3, new RecurrentOptions(4));
        Assert.Equal(
            new[] { "rnn.bias_hh_l0", "rnn.bias_ih_l0", "rnn.weight_hh_l0", "rnn.weight_ih_l0" },
            layer.state_dict().Keys.Order());
    }

    [Fact]
    public void Initializers_follow_keras()
    {
        using var scope = NewDisposeScope();
        manual_seed(3);
        const long units = 6, features = 5;
        var lstm = new Lstm("lstm", features, new RecurrentOptions(units));
        var p = lstm.named_parameters().ToDictionary(n => n.name, n => n.parameter);

        var bih = p["rnn.bias_ih_l0"];
        var bhh = p["rnn.bias_hh_l0"];
        TensorAssert.Close(ones(units), bih.narrow(0, units, units));
        Assert.Equal(0f, bih.narrow(0, 0, units).abs().sum().item<float>());
        Assert.Equal(0f, bih.narrow(0, 2 * units, 2 * units).abs().sum().item<float>());
        Assert.Equal(0f, bhh.abs().sum().item<float>());
        // The forget gate starts at +1 when both bias vectors are added, as with Keras unit_forget_bias.
        TensorAssert.Close(ones(units), (bih + bhh).narrow(0, units, units));

        // Recurrent kernel (4U, U): orthonormal columns, i.e. the Keras (U, 4U) kernel has orthonormal rows.
        var whh = p["rnn.weight_hh_l0"];
        TensorAssert.Close(eye(units), whh.t().matmul(whh), atol: 1e-5);

        var limit = Math.Sqrt(6.0 / (features + 4 * units));
        Assert.True(p["rnn.weight_ih_l0"].abs().max().item<float>() <= limit);
    }

    [Fact]
    public void Wrong_input_shape_names_the_layer_and_both_shapes()
    {
        using var scope = NewDisposeScope();
        var gru = new Gru("encoder_gru", 3, new RecurrentOptions(4));

        var wrongWidth = Assert.Throws<ArgumentException>(() => gru.call(zeros(2, 5, 4)));
        Assert.Contains("encoder_gru", wrongWidth.Message);
        Assert.Contains("(batch, time, 3)", wrongWidth.Message);
        Assert.Contains("(2, 5, 4)", wrongWidth.Message);

        var wrongRank = Assert.Throws<ArgumentException>(() => gru.call(zeros(2, 3)));
        Assert.Contains("encoder_gru", wrongRank.Message);
        Assert.Contains("(2, 3)", wrongRank.Message);

        var wrongState = Assert.Throws<ArgumentException>(() => gru.ForwardWithState(zeros(2, 5, 3), new[] { zeros(2, 5) }));
        Assert.Contains("encoder_gru", wrongState.Message);
    }

    [Fact]
    public void Fused_implementation_rejects_options_it_cannot_run()
    {
        var relu = Assert.Throws<ArgumentException>(() =>
            new Gru("g", 3, new RecurrentOptions(4) { Activation = Activation.Relu, Implementation = RecurrentImplementation.Fused }));
        Assert.Contains("Activation", relu.Message);

        var gates = Assert.Throws<ArgumentException>(() =>
            new Lstm("l", 3, new RecurrentOptions(4) { RecurrentActivation = Activation.HardSigmoid, Implementation = RecurrentImplementation.Fused }));
        Assert.Contains("RecurrentActivation", gates.Message);

        var dropout = Assert.Throws<ArgumentException>(() =>
            new SimpleRnn("s", 3, new RecurrentOptions(4) { RecurrentDropout = 0.2, Implementation = RecurrentImplementation.Fused }));
        Assert.Contains("RecurrentDropout", dropout.Message);

        // SimpleRNN has no gates, and torch's RNN has a relu variant.
        using var ok = new SimpleRnn("s", 3, new RecurrentOptions(4)
        {
            Activation = Activation.Relu, RecurrentActivation = Activation.HardSigmoid, Implementation = RecurrentImplementation.Fused,
        });
        Assert.True(ok.UsesFusedPath);
    }

    [Fact]
    public void Hard_sigmoid_lstm_runs_the_loop()
    {
        using var scope = NewDisposeScope();
        var lstm = new Lstm("lstm", 3, new RecurrentOptions(4) { RecurrentActivation = Activation.HardSigmoid });
        Assert.False(lstm.UsesFusedPath);
        var y = lstm.call(randn(2, 5, 3));
        TensorAssert.Shape(y, 2, 4);
        Assert.False(lstm.LastRunFused);
    }

    /// <summary>Fills the layer's parameters with fixed pseudo-random values and returns them (torch layout, row-major).</summary>
    internal static Dictionary<string, float[]> ReferenceWeights(RecurrentLayer layer, int gates, int features, int units, int seed)
    {
        var random = new Random(seed);
        float[] Next(int n) => Enumerable.Range(0, n).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
        var weights = new Dictionary<string, float[]>
        {
            ["rnn.weight_ih_l0"] = Next(gates * units * features),
            ["rnn.weight_hh_l0"] = Next(gates * units * units),
            ["rnn.bias_ih_l0"] = Next(gates * units),
            ["rnn.bias_hh_l0"] = Next(gates * units),
        };
        foreach (var (key, values) in weights)
            TensorAssert.SetParameter(layer, key, values);
        return weights;
    }

    /// <summary>GRU with reset_after, written out scalar by scalar; gate order r, z, n; batch 1.</summary>
    internal static float[] ReferenceGru(Dictionary<string, float[]> w, float[] input, int steps, int features, int units, Func<double, double> act)
    {
        double Sigmoid(double v) => 1 / (1 + Math.Exp(-v));
        var wih = w["rnn.weight_ih_l0"];
        var whh = w["rnn.weight_hh_l0"];
        var bih = w["rnn.bias_ih_l0"];
        var bhh = w["rnn.bias_hh_l0"];
        var h = new double[units];
        var output = new List<float>();
        for (int t = 0; t < steps; t++)
        {
            double Xp(int row) => bih[row] + Enumerable.Range(0, features).Sum(j => wih[row * features + j] * (double)input[t * features + j]);
            double Hp(int row) => bhh[row] + Enumerable.Range(0, units).Sum(j => whh[row * units + j] * h[j]);
            var next = new double[units];
            for (int u = 0; u < units; u++)
            {
                var r = Sigmoid(Xp(u) + Hp(u));
                var z = Sigmoid(Xp(units + u) + Hp(units + u));
                var n = act(Xp(2 * units + u) + r * Hp(2 * units + u));
                next[u] = (1 - z) * n + z * h[u];
            }
            h = next;
            output.AddRange(h.Select(v => (float)v));
        }
        return output.ToArray();
    }
}
