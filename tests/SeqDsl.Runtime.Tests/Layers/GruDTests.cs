using SeqDsl.Runtime.Layers;
using static TorchSharp.torch;

namespace SeqDsl.Runtime.Tests.Layers;

// The weights come from torch's global generator, which tests running beside these would draw from too.
[Collection(TorchGeneratorCollection.Name)]
public class GruDTests
{
    private const int Batch = 3, Steps = 6, Variables = 2, Statics = 1, Units = 4;
    private const int Features = 3 * Variables + Statics;

    /// <summary>
    /// The layer's input: per step 2 values, their indicators (each variable observed at some steps only), their
    /// scaled times since observed, and one static; the value of an unobserved step is the one carried forward.
    /// </summary>
    private static float[] Input()
    {
        var random = new Random(5);
        var input = new float[Batch * Steps * Features];
        for (int b = 0; b < Batch; b++)
        {
            var carried = new float[Variables];
            var since = new float[Variables];
            float stat = (float)(random.NextDouble() * 2 - 1);
            for (int t = 0; t < Steps; t++)
            {
                int row = (b * Steps + t) * Features;
                for (int v = 0; v < Variables; v++)
                {
                    bool seen = t == 0 || random.NextDouble() < 0.4;
                    if (seen) { carried[v] = (float)(random.NextDouble() * 4 - 2); since[v] = 0; }
                    else since[v] += 1;
                    input[row + v] = carried[v];
                    input[row + Variables + v] = seen ? 1 : 0;
                    input[row + 2 * Variables + v] = since[v] * 0.7f - 0.5f;
                }
                input[row + 3 * Variables] = stat;
            }
        }
        return input;
    }

    private static float[] Values(Tensor t) => t.detach().contiguous().data<float>().ToArray();

    [Fact]
    public void Output_matches_the_decays_and_the_GRU_step_written_out_in_double_precision()
    {
        using var scope = NewDisposeScope();
        manual_seed(21);
        var layer = new GruD("gru_d", Features, Variables, new RecurrentOptions(Units) { ReturnSequences = true });
        // Decays that act: positive rates, some clipped at 0 where δ is small (the scaled δ starts at -0.5).
        TensorAssert.SetParameter(layer, "input_decay_weight", new[] { 0.9f, 1.6f });
        TensorAssert.SetParameter(layer, "input_decay_bias", new[] { 0.2f, -0.3f });
        TensorAssert.SetParameter(layer, "state_decay_weight", new[] { 0.5f, 1.1f, -0.4f, 0.8f, 1.3f, 0.2f, 0.7f, -0.9f });
        TensorAssert.SetParameter(layer, "state_decay_bias", new[] { 0.1f, -0.2f, 0.3f, 0f });
        var parameters = layer.named_parameters().ToDictionary(p => p.name, p => Values(p.parameter));
        var inputValues = Input();

        var actual = Values(layer.call(tensor(inputValues).reshape(Batch, Steps, Features)));

        var expected = Reference(inputValues, parameters);
        Assert.Equal(expected.Length, actual.Length);
        // float32 against double over 6 steps of 4 units: rounding stays near 1e-6; 1e-5 leaves room and still catches
        // any wrong term (a missing decay moves outputs by 1e-2 and more here).
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= 1e-5, $"output {i}: layer {actual[i]}, reference {expected[i]}");
    }

    [Fact]
    public void Without_decay_it_is_a_GRU_over_the_values_indicators_and_statics()
    {
        using var scope = NewDisposeScope();
        manual_seed(22);
        var options = new RecurrentOptions(Units) { ReturnSequences = true };
        var gruD = new GruD("gru_d", Features, Variables, options);
        // Weights 0 and negative biases: max(0, ·) = 0, so both decays are exp(0) = 1.
        TensorAssert.SetParameter(gruD, "input_decay_weight", zeros(Variables));
        TensorAssert.SetParameter(gruD, "input_decay_bias", full(Variables, -1f));
        TensorAssert.SetParameter(gruD, "state_decay_weight", zeros(Units, Variables));
        TensorAssert.SetParameter(gruD, "state_decay_bias", full(Units, -1f));
        var gru = new Gru("gru", 2 * Variables + Statics, options);
        foreach (var (name, parameter) in gru.named_parameters())
            TensorAssert.SetParameter(gru, name, gruD.named_parameters().Single(p => p.name == name).parameter);
        var x = tensor(Input()).reshape(Batch, Steps, Features);
        var cellInput = cat(new[] { x.narrow(2, 0, 2 * Variables), x.narrow(2, 3 * Variables, Statics) }, 2);

        TensorAssert.Close(gru.call(cellInput), gruD.call(x), atol: 1e-6);
    }

    [Fact]
    public void A_records_padding_does_not_reach_its_real_steps()
    {
        using var scope = NewDisposeScope();
        manual_seed(23);
        ILengthAwareModule layer = new GruD("gru_d", Features, Variables, new RecurrentOptions(Units) { ReturnSequences = true });
        var x = tensor(Input()).reshape(Batch, Steps, Features);
        var lengths = new long[] { 6, 4, 2 };
        // The padding holds large values where the real steps end.
        var padded = x.clone();
        for (int b = 0; b < Batch; b++)
            if (lengths[b] < Steps) padded[b].narrow(0, lengths[b], Steps - lengths[b]).fill_(50f);

        var output = layer.forward(padded, tensor(lengths));

        for (int b = 0; b < Batch; b++)
        {
            var alone = ((nn.Module<Tensor, Tensor>)layer).call(x[b].narrow(0, 0, lengths[b]).unsqueeze(0));
            TensorAssert.Close(alone[0], output[b].narrow(0, 0, lengths[b]), atol: 1e-6);
        }
    }

    [Fact]
    public void Without_return_sequences_it_returns_the_state_after_each_records_last_real_step()
    {
        using var scope = NewDisposeScope();
        manual_seed(24);
        var sequences = new GruD("gru_d", Features, Variables, new RecurrentOptions(Units) { ReturnSequences = true });
        var last = new GruD("gru_d", Features, Variables, new RecurrentOptions(Units));
        last.load_state_dict(sequences.state_dict());
        var x = tensor(Input()).reshape(Batch, Steps, Features);
        var lengths = tensor(new long[] { 6, 4, 2 });

        var all = sequences.forward(x, lengths);
        var final = last.forward(x, lengths);

        TensorAssert.Shape(final, Batch, Units);
        TensorAssert.Close(stack(new[] { all[0][5], all[1][3], all[2][1] }), final, atol: 1e-6);
    }

    [Fact]
    public void Training_reaches_both_decays_and_the_cell()
    {
        using var scope = NewDisposeScope();
        manual_seed(25);
        var layer = new GruD("gru_d", Features, Variables, new RecurrentOptions(Units) { ReturnSequences = true, Dropout = 0.2, RecurrentDropout = 0.2 });
        layer.train();
        Assert.False(layer.UsesFusedPath);

        layer.call(tensor(Input()).reshape(Batch, Steps, Features)).square().sum().backward();

        Assert.False(layer.LastRunFused);
        foreach (var name in new[] { "input_decay_weight", "input_decay_bias", "state_decay_weight", "state_decay_bias", "rnn.weight_ih_l0", "rnn.weight_hh_l0" })
        {
            var grad = layer.named_parameters().Single(p => p.name == name).parameter.grad;
            Assert.True(grad is not null && grad.abs().sum().item<float>() > 0, $"{name} received no gradient");
        }
    }

    [Fact]
    public void Its_parameters_are_the_cells_over_two_channels_per_variable_and_the_statics_plus_the_decays()
    {
        var layer = new GruD("gru_d", Features, Variables, new RecurrentOptions(Units));
        long cell = 3 * (Units * (2 * Variables + Statics) + Units * Units + 2 * Units);
        long decays = 2 * Variables + Units * Variables + Units;
        Assert.Equal(cell + decays, TensorAssert.ParameterCount(layer));
        Assert.Equal(2 * Variables + Statics, layer.CellInputs);
    }

    [Fact]
    public void Without_statics_the_cell_reads_the_decayed_values_and_indicators()
    {
        using var scope = NewDisposeScope();
        manual_seed(26);
        var layer = new GruD("gru_d", 3 * Variables, Variables, new RecurrentOptions(Units));
        var x = tensor(Input()).reshape(Batch, Steps, Features).narrow(2, 0, 3 * Variables);

        var output = layer.call(x);

        Assert.Equal(2 * Variables, layer.CellInputs);
        TensorAssert.Shape(output, Batch, Units);
        Assert.True(output.isfinite().all().item<bool>());
    }

    [Fact]
    public void Options_it_cannot_honour_are_refused_with_the_reason()
    {
        var tooMany = Assert.Throws<ArgumentOutOfRangeException>(() => new GruD("gru_d", Features, 3, new RecurrentOptions(Units)));
        Assert.Contains("7 input features hold at most 2 variables", tooMany.Message);
        var backwards = Assert.Throws<ArgumentException>(() => new GruD("gru_d", Features, Variables, new RecurrentOptions(Units) { GoBackwards = true }));
        Assert.Contains("forward in time", backwards.Message);
        var fused = Assert.Throws<ArgumentException>(() => new GruD("gru_d", Features, Variables, new RecurrentOptions(Units) { Implementation = RecurrentImplementation.Fused }));
        Assert.Contains("GRU-D's decays", fused.Message);
    }

    /// <summary>GRU-D from the paper's equations, in double precision, from the layer's parameters (torch layout, gates r, z, n).</summary>
    private static double[] Reference(float[] input, Dictionary<string, float[]> p)
    {
        int cellInputs = 2 * Variables + Statics;
        var wih = p["rnn.weight_ih_l0"]; var whh = p["rnn.weight_hh_l0"]; var bih = p["rnn.bias_ih_l0"]; var bhh = p["rnn.bias_hh_l0"];
        var wx = p["input_decay_weight"]; var bx = p["input_decay_bias"]; var wh = p["state_decay_weight"]; var bh = p["state_decay_bias"];
        static double Sigmoid(double v) => 1 / (1 + Math.Exp(-v));
        var output = new double[Batch * Steps * Units];
        for (int b = 0; b < Batch; b++)
        {
            var h = new double[Units];
            for (int t = 0; t < Steps; t++)
            {
                int row = (b * Steps + t) * Features;
                var cell = new double[cellInputs];
                for (int v = 0; v < Variables; v++)
                {
                    double x = input[row + v], m = input[row + Variables + v], delta = input[row + 2 * Variables + v];
                    double gamma = Math.Exp(-Math.Max(0, wx[v] * delta + bx[v]));
                    cell[v] = m * x + (1 - m) * (gamma * x + (1 - gamma) * 0);
                    cell[Variables + v] = m;
                }
                for (int s = 0; s < Statics; s++) cell[2 * Variables + s] = input[row + 3 * Variables + s];
                var hat = new double[Units];
                for (int u = 0; u < Units; u++)
                {
                    double sum = bh[u];
                    for (int v = 0; v < Variables; v++) sum += wh[u * Variables + v] * input[row + 2 * Variables + v];
                    hat[u] = Math.Exp(-Math.Max(0, sum)) * h[u];
                }
                double Gate(int g, int u, bool recurrent)
                {
                    int r = g * Units + u;
                    double sum = recurrent ? bhh[r] : bih[r];
                    if (recurrent) for (int k = 0; k < Units; k++) sum += whh[r * Units + k] * hat[k];
                    else for (int k = 0; k < cellInputs; k++) sum += wih[r * cellInputs + k] * cell[k];
                    return sum;
                }
                var next = new double[Units];
                for (int u = 0; u < Units; u++)
                {
                    double reset = Sigmoid(Gate(0, u, false) + Gate(0, u, true));
                    double update = Sigmoid(Gate(1, u, false) + Gate(1, u, true));
                    double candidate = Math.Tanh(Gate(2, u, false) + reset * Gate(2, u, true));
                    next[u] = (1 - update) * candidate + update * hat[u];
                }
                h = next;
                Array.Copy(h, 0, output, (b * Steps + t) * Units, Units);
            }
        }
        return output;
    }
}
