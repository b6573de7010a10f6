using SeqDsl.Runtime.Generation;
using SeqDsl.Runtime.Layers;
using SeqDsl.Runtime.Sampling;
using SeqDsl.Runtime.Text;
using static TorchSharp.torch;

namespace SeqDsl.Runtime.Tests.Generation;

/// <summary>
/// The managed stateful step against the layers' own tensor forward: after every prefix of a character sequence,
/// its logits equal those of running the layers over the whole prefix at once. When the two disagree, the stack
/// written out in double precision (<see cref="ReferenceLogits"/>) says which side is wrong.
/// </summary>
public sealed class HostStepperTests
{
    private const int Vocabulary = 11;

    public static TheoryData<string> Stacks => new() { "lstm", "gru", "simple_rnn_relu", "stacked", "embedding", "dense_first" };

    private static List<nn.Module<Tensor, Tensor>> Build(string stack)
    {
        RecurrentOptions Units(long units) => new(units);
        return stack switch
        {
            "lstm" => new() { RecurrentLayer.Create(RecurrentKind.Lstm, "lstm", Vocabulary, Units(16)), Logits(16) },
            "gru" => new() { RecurrentLayer.Create(RecurrentKind.Gru, "gru", Vocabulary, Units(16)), Logits(16) },
            "simple_rnn_relu" => new()
            {
                RecurrentLayer.Create(RecurrentKind.SimpleRnn, "rnn", Vocabulary, Units(12) with { Activation = Activation.Relu }), Logits(12),
            },
            "stacked" => new()
            {
                RecurrentLayer.Create(RecurrentKind.Lstm, "lstm", Vocabulary, Units(16) with { ReturnSequences = true, RecurrentActivation = Activation.HardSigmoid }),
                new Dropout("dropout", 0.3),
                RecurrentLayer.Create(RecurrentKind.Gru, "gru", 16, Units(8) with { Activation = Activation.Elu, Dropout = 0.2, RecurrentDropout = 0.2 }),
                new Dense("hidden", 8, new DenseOptions(10) { Activation = Activation.Relu }),
                Logits(10),
            },
            "embedding" => new()
            {
                new Embedding("embedding", Vocabulary, 6),
                RecurrentLayer.Create(RecurrentKind.Lstm, "lstm", 6, Units(9)), Logits(9),
            },
            "dense_first" => new()
            {
                new Dense("project", Vocabulary, new DenseOptions(7) { Activation = Activation.Tanh }),
                RecurrentLayer.Create(RecurrentKind.Gru, "gru", 7, Units(5)), Logits(5),
            },
            _ => throw new ArgumentOutOfRangeException(nameof(stack)),
        };
    }

    private static Dense Logits(long inputs) => new("output", inputs, new DenseOptions(Vocabulary) { Activation = Activation.Softmax });

    /// <summary>The layers over a whole (1, T) sequence, the last layer's logits at its last step.</summary>
    private static float[] TensorLogits(List<nn.Module<Tensor, Tensor>> layers, int[] tokens, TextEncoding encoding)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var x = tensor(tokens.Select(t => (long)t).ToArray(), new long[] { 1, tokens.Length });
        if (encoding == TextEncoding.OneHot) x = nn.functional.one_hot(x, Vocabulary).to_type(float32);
        for (int i = 0; i < layers.Count; i++)
            x = layers[i] is Dense dense && i == layers.Count - 1 ? dense.Logits(x) : layers[i].call(x);
        if (x.dim() == 3) x = x[0, -1];
        return x.reshape(-1).data<float>().ToArray();
    }

    /// <summary>
    /// The stack over one (T) sequence in double precision with plain loops (<see cref="RecurrentCellMath"/> for the
    /// recurrent layers; dropout is the identity in eval mode): the logits of the last layer at the last step.
    /// </summary>
    private static double[] ReferenceLogits(List<nn.Module<Tensor, Tensor>> layers, int[] tokens, TextEncoding encoding)
    {
        static float[] Values(Tensor t) => t.detach().contiguous().data<float>().ToArray();
        double[][] sequence = tokens.Select(token => encoding == TextEncoding.OneHot
            ? Enumerable.Range(0, Vocabulary).Select(v => v == token ? 1.0 : 0.0).ToArray()
            : new double[] { token }).ToArray();
        for (int i = 0; i < layers.Count; i++)
        {
            switch (layers[i])
            {
                case Embedding embedding:
                {
                    float[] table = Values(embedding.Table);
                    int width = (int)embedding.Table.shape[1];
                    sequence = sequence.Select(v => table.Skip((int)v[0] * width).Take(width).Select(x => (double)x).ToArray()).ToArray();
                    break;
                }
                case Dropout:
                    break;
                case Dense dense:
                {
                    float[] kernel = Values(dense.Kernel);
                    float[]? bias = dense.Bias is null ? null : Values(dense.Bias);
                    int units = (int)dense.Options.Units, inputs = (int)dense.InputFeatures;
                    bool logits = i == layers.Count - 1;
                    sequence = sequence.Select(v => Enumerable.Range(0, units).Select(u =>
                    {
                        double sum = bias?[u] ?? 0;
                        for (int k = 0; k < inputs; k++) sum += kernel[u * inputs + k] * v[k];
                        return logits ? sum : RecurrentCellMath.Apply(dense.Options.Activation, sum);
                    }).ToArray()).ToArray();
                    break;
                }
                case RecurrentLayer recurrent:
                {
                    var (wih, whh, bih, bhh) = recurrent.Weights();
                    var weights = new RecurrentCellMath.Weights(Values(wih), Values(whh), bih is null ? null : Values(bih), bhh is null ? null : Values(bhh));
                    int units = (int)recurrent.Options.Units, features = sequence[0].Length;
                    float[] input = sequence.SelectMany(v => v.Select(x => (float)x)).ToArray();
                    var (outputs, state) = RecurrentCellMath.Run(recurrent.Kind, recurrent.Options.Activation,
                        recurrent.Options.RecurrentActivation, weights, input, 1, sequence.Length, features, units);
                    sequence = recurrent.Options.ReturnSequences
                        ? Enumerable.Range(0, sequence.Length).Select(t => outputs.Skip(t * units).Take(units).ToArray()).ToArray()
                        : new[] { state[0] };
                    break;
                }
                default:
                    throw new NotSupportedException(layers[i].GetName());
            }
        }
        return sequence[^1];
    }

    [Theory]
    [MemberData(nameof(Stacks))]
    public void Each_step_matches_the_tensor_forward_over_the_prefix(string stack)
    {
        manual_seed(17);
        var layers = Build(stack);
        foreach (var layer in layers) layer.eval();
        var encoding = stack == "embedding" ? TextEncoding.Indices : TextEncoding.OneHot;
        var host = HostStepper.TryCreate(layers, Vocabulary, encoding, out string? reason);
        Assert.True(host is not null, reason);
        Assert.Equal(Vocabulary, host.OutputWidth);

        var random = new Random(3);
        var tokens = Enumerable.Range(0, 25).Select(_ => random.Next(Vocabulary)).ToArray();
        for (int t = 0; t < tokens.Length; t++)
        {
            float[] stepped = host.Step(tokens[t]).ToArray();
            float[] expected = TensorLogits(layers, tokens[..(t + 1)], encoding);
            Assert.Equal(expected.Length, stepped.Length);
            for (int k = 0; k < expected.Length; k++)
            {
                if (Math.Abs(expected[k] - stepped[k]) <= 1e-4f * (1 + Math.Abs(expected[k]))) continue;
                double reference = ReferenceLogits(layers, tokens[..(t + 1)], encoding)[k];
                string Side(string name, float value) => Math.Abs(value - reference) <= 1e-4 * (1 + Math.Abs(reference))
                    ? $"{name} {value} agrees with it"
                    : $"{name} {value} is off by {Math.Abs(value - reference):G3}";
                Assert.Fail($"{stack}, step {t}, logit {k}: the tensor forward and the managed step disagree; against the stack " +
                            $"written out in double precision ({reference:G7}), {Side("the tensor forward (libtorch)", expected[k])} and " +
                            $"{Side("the managed step", stepped[k])}. Recurrent kernel self-check: {RecurrentKernels.Check().Summary}");
            }
        }
        for (int k = 0; k < Vocabulary; k++)
            Assert.True(Math.Abs(ReferenceLogits(layers, tokens, encoding)[k] - TensorLogits(layers, tokens, encoding)[k]) <= 1e-4,
                $"{stack}: the tensor forward over all {tokens.Length} tokens is off the stack written out in double precision at logit {k}");
        foreach (var layer in layers) layer.Dispose();
    }

    [Fact]
    public void Layers_it_does_not_run_are_named_and_left_to_the_tensor_path()
    {
        var layers = new List<nn.Module<Tensor, Tensor>>
        {
            new Conv1D("conv", Vocabulary, new Conv1DOptions(4, 3)),
            RecurrentLayer.Create(RecurrentKind.Gru, "gru", 4, new RecurrentOptions(5)),
            Logits(5),
        };
        Assert.Null(HostStepper.TryCreate(layers, Vocabulary, TextEncoding.OneHot, out string? reason));
        Assert.Contains("'conv'", reason);

        var backwards = new List<nn.Module<Tensor, Tensor>>
        {
            RecurrentLayer.Create(RecurrentKind.Lstm, "reader", Vocabulary, new RecurrentOptions(5) { GoBackwards = true }), Logits(5),
        };
        Assert.Null(HostStepper.TryCreate(backwards, Vocabulary, TextEncoding.OneHot, out reason));
        Assert.Contains("'reader'", reason);

        var gelu = new List<nn.Module<Tensor, Tensor>>
        {
            RecurrentLayer.Create(RecurrentKind.Lstm, "lstm", Vocabulary, new RecurrentOptions(5)),
            new Dense("gelu", 5, new DenseOptions(5) { Activation = Activation.Gelu }), Logits(5),
        };
        Assert.Null(HostStepper.TryCreate(gelu, Vocabulary, TextEncoding.OneHot, out reason));
        Assert.Contains("'gelu'", reason);
    }

    [Fact]
    public void The_weights_are_read_when_the_stepper_is_built()
    {
        manual_seed(5);
        var layers = Build("gru");
        var before = HostStepper.TryCreate(layers, Vocabulary, TextEncoding.OneHot, out _)!;
        float[] first = before.Step(3).ToArray();
        using (no_grad())
            foreach (var p in layers[0].parameters()) p.add_(0.5);
        var after = HostStepper.TryCreate(layers, Vocabulary, TextEncoding.OneHot, out _)!;
        float[] changed = after.Step(3).ToArray();
        Assert.NotEqual(first, changed);
        float[] expected = TensorLogits(layers, new[] { 3 }, TextEncoding.OneHot);
        for (int k = 0; k < expected.Length; k++)
            Assert.Equal(expected[k], changed[k], 4);
    }

    [Fact]
    public void The_generated_char_lstm_generates_statefully_on_the_managed_step_and_both_paths_write_text()
    {
        var vocabulary = new CharVocabulary("abcdefghij ".ToCharArray());
        manual_seed(8);
        using var model = new CharLstmModel(vocabulary.Size);
        var generator = new TextGenerator(model, vocabulary, 60);
        var sampling = new SamplingOptions { Temperature = 1.0 };

        var managed = generator.Generate("a bad cafe", 200, new Sampler(sampling, 4), GenerationMode.Stateful);
        Assert.Equal((true, (string?)null), generator.LastStatefulPath);
        Assert.Equal(200, managed.Generated.Length);
        Assert.All(managed.Generated, c => Assert.Contains(c, vocabulary.Chars));

        generator.UseManagedStatefulStep = false;
        var tensors = generator.Generate("a bad cafe", 200, new Sampler(sampling, 4), GenerationMode.Stateful);
        Assert.False(generator.LastStatefulPath.OnHost);
        Assert.Equal(200, tensors.Generated.Length);
        // Same model, same sampler seed: the two paths agree on the first characters (float rounding may only
        // move a draw that falls right on a boundary of the cumulative distribution).
        Assert.Equal(tensors.Generated[..20], managed.Generated[..20]);
    }
}
