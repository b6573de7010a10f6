using SeqDsl.Runtime.Layers;
using static TorchSharp.torch;

namespace SeqDsl.Runtime.Tests.Layers;

/// <summary>
/// The length-aware forward (<see cref="ILengthAwareModule"/>) of the recurrent layers and the bidirectional wrapper:
/// a padded batch of records of distinct lengths against each record run alone, unpadded, through the plain forward.
/// </summary>
[Collection(TorchGeneratorCollection.Name)]
public sealed class LengthAwareRecurrentTests
{
    private const int Features = 5, Units = 6, Time = 7;

    /// <summary>Distinct lengths: the full span, a middle one, a single step, and one just short of full.</summary>
    private static readonly long[] Lengths = { 7, 3, 1, 6 };

    /// <summary>
    /// The padded batch and the record alone go through the same maths in float32 but in batches of different size,
    /// so BLAS may sum in another order: differences of a few 1e-7 over 7 steps of tanh-bounded states. 1e-5 leaves a
    /// margin of ten and is far below what one padding step leaking in changes (the padding is drawn 10x larger).
    /// </summary>
    private const double Tolerance = 1e-5;

    public static TheoryData<RecurrentKind, bool, bool> KindsAndDirections()
    {
        var data = new TheoryData<RecurrentKind, bool, bool>();
        foreach (var kind in new[] { RecurrentKind.Gru, RecurrentKind.Lstm, RecurrentKind.SimpleRnn })
            foreach (bool returnSequences in new[] { true, false })
                foreach (bool goBackwards in new[] { false, true })
                    data.Add(kind, returnSequences, goBackwards);
        return data;
    }

    public static TheoryData<MergeMode, bool> MergeModes() => new()
    {
        { MergeMode.Concat, true }, { MergeMode.Concat, false }, { MergeMode.Sum, true }, { MergeMode.Sum, false },
    };

    [Theory]
    [MemberData(nameof(KindsAndDirections))]
    public void A_padded_batch_gives_each_record_the_output_of_the_record_run_alone(RecurrentKind kind, bool returnSequences, bool goBackwards)
    {
        using var scope = NewDisposeScope();
        manual_seed(61);
        var layer = RecurrentLayer.Create(kind, "rnn", Features, new RecurrentOptions(Units) { ReturnSequences = returnSequences, GoBackwards = goBackwards });
        layer.eval();
        var (x, lengths) = PaddedBatch();

        var output = layer.forward(x, lengths);

        AssertEachRecordAlone(output, x, layer.forward, returnSequences, $"{kind} return_sequences={returnSequences} go_backwards={goBackwards}");
    }

    [Theory]
    [MemberData(nameof(MergeModes))]
    public void A_bidirectional_layer_gives_each_record_the_output_of_the_record_run_alone(MergeMode mergeMode, bool returnSequences)
    {
        using var scope = NewDisposeScope();
        manual_seed(62);
        var layer = new Bidirectional("bi", RecurrentKind.Lstm, Features, new RecurrentOptions(Units) { ReturnSequences = returnSequences }, mergeMode);
        layer.eval();
        var (x, lengths) = PaddedBatch();

        var output = layer.forward(x, lengths);

        AssertEachRecordAlone(output, x, layer.forward, returnSequences, $"bidirectional {mergeMode} return_sequences={returnSequences}");
    }

    [Theory]
    [MemberData(nameof(KindsAndDirections))]
    public void Every_kernel_route_gives_the_same_padded_result(RecurrentKind kind, bool returnSequences, bool goBackwards)
    {
        using var scope = NewDisposeScope();
        manual_seed(63);
        var layer = RecurrentLayer.Create(kind, "rnn", Features, new RecurrentOptions(Units) { ReturnSequences = returnSequences, GoBackwards = goBackwards });
        layer.eval();
        var (x, lengths) = PaddedBatch();
        layer.KernelRouteOverride = RecurrentKernelRoute.Loop;
        var loop = layer.forward(x, lengths);
        Assert.False(layer.LastRunFused);

        foreach (var route in new[] { RecurrentKernelRoute.Fused, RecurrentKernelRoute.FusedWithoutOneDnn })
        {
            layer.KernelRouteOverride = route;
            var fused = layer.forward(x, lengths);
            Assert.True(layer.LastRunFused);
            AssertRealStepsClose(loop, fused, returnSequences, $"{kind} route {route} (actual) against the step loop (expected)");
        }
    }

    [Theory]
    [MemberData(nameof(KindsAndDirections))]
    public void With_every_length_equal_to_time_the_result_is_exactly_the_plain_forward(RecurrentKind kind, bool returnSequences, bool goBackwards)
    {
        using var scope = NewDisposeScope();
        var options = new RecurrentOptions(Units) { ReturnSequences = returnSequences, GoBackwards = goBackwards, Dropout = 0.3 };
        manual_seed(64);
        var fused = RecurrentLayer.Create(kind, "fused", Features, options);
        // Recurrent dropout sends training calls through the step loop with both masks drawn.
        var loop = RecurrentLayer.Create(kind, "loop", Features, options with { RecurrentDropout = 0.4 });
        using var x = randn(Lengths.Length, Time, Features);
        using var allTime = full(Lengths.Length, Time, dtype: ScalarType.Int64);

        foreach (var (layer, training) in new[] { (fused, false), (fused, true), (loop, false), (loop, true) })
        {
            layer.train(training);
            manual_seed(65);
            var plain = layer.forward(x);
            manual_seed(65);
            var lengthAware = layer.forward(x, allTime);
            Assert.True(plain.equal(lengthAware).all().item<bool>(),
                $"{kind} {layer.GetName()} training={training}: lengths all {Time} differ from the plain forward by " +
                $"{(plain - lengthAware).abs().max().item<float>():G3}; they must be identical");
        }
    }

    [Theory]
    [InlineData(MergeMode.Concat, true)]
    [InlineData(MergeMode.Sum, false)]
    public void A_bidirectional_layer_with_every_length_equal_to_time_is_exactly_the_plain_forward(MergeMode mergeMode, bool returnSequences)
    {
        using var scope = NewDisposeScope();
        manual_seed(66);
        var layer = new Bidirectional("bi", RecurrentKind.Gru, Features, new RecurrentOptions(Units) { ReturnSequences = returnSequences }, mergeMode);
        layer.eval();
        using var x = randn(Lengths.Length, Time, Features);

        var plain = layer.forward(x);
        var lengthAware = layer.forward(x, full(Lengths.Length, Time, dtype: ScalarType.Int64));

        Assert.True(plain.equal(lengthAware).all().item<bool>(), "lengths all equal to time must give exactly the plain forward");
    }

    [Theory]
    [MemberData(nameof(KindsAndDirections))]
    public void Padding_gets_no_gradient_from_a_loss_over_real_outputs(RecurrentKind kind, bool returnSequences, bool goBackwards)
    {
        var options = new RecurrentOptions(Units) { ReturnSequences = returnSequences, GoBackwards = goBackwards };
        // The fused kernel in evaluation, and the step loop under recurrent dropout in training.
        foreach (var (layerOptions, training) in new[] { (options, false), (options with { RecurrentDropout = 0.3 }, true) })
        {
            using var scope = NewDisposeScope();
            manual_seed(67);
            var layer = RecurrentLayer.Create(kind, "rnn", Features, layerOptions);
            layer.train(training);
            AssertNoGradientToPadding(x => layer.forward(x, LengthTensor()), returnSequences, $"{kind} return_sequences={returnSequences} go_backwards={goBackwards} training={training}");
        }
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void A_bidirectional_layer_gives_padding_no_gradient(bool returnSequences)
    {
        using var scope = NewDisposeScope();
        manual_seed(68);
        var layer = new Bidirectional("bi", RecurrentKind.Gru, Features, new RecurrentOptions(Units) { ReturnSequences = returnSequences }, MergeMode.Concat);
        AssertNoGradientToPadding(x => layer.forward(x, LengthTensor()), returnSequences, $"bidirectional return_sequences={returnSequences}");
    }

    [Fact]
    public void Lengths_of_another_integer_type_are_read_as_int64()
    {
        using var scope = NewDisposeScope();
        manual_seed(69);
        var layer = new Gru("gru", Features, new RecurrentOptions(Units));
        layer.eval();
        var (x, lengths) = PaddedBatch();
        Assert.True(layer.forward(x, lengths).equal(layer.forward(x, lengths.to_type(ScalarType.Int32))).all().item<bool>());
    }

    public static TheoryData<string, long[], string> BadLengths() => new()
    {
        { "a zero length", new long[] { 7, 0, 1, 6 }, "between 1 and the input's 7 steps, but the lengths run from 0 to 7" },
        { "a length beyond time", new long[] { 7, 3, 8, 6 }, "between 1 and the input's 7 steps, but the lengths run from 3 to 8" },
        { "too few lengths", new long[] { 7, 3, 1 }, "expects lengths of shape (4), one per record of the input (4, 7, 5), but received (3)" },
    };

    [Theory]
    [MemberData(nameof(BadLengths))]
    public void Bad_lengths_are_refused_with_a_message_naming_the_layer(string what, long[] lengths, string message)
    {
        using var scope = NewDisposeScope();
        var layer = new Lstm("lstm_1", Features, new RecurrentOptions(Units));
        var bidirectional = new Bidirectional("bi_1", RecurrentKind.Gru, Features, new RecurrentOptions(Units), MergeMode.Concat);
        using var x = randn(4, Time, Features);
        using var bad = tensor(lengths);

        var error = Assert.Throws<ArgumentException>(() => layer.forward(x, bad));
        Assert.Contains("'lstm_1'", error.Message);
        Assert.True(error.Message.Contains(message, StringComparison.Ordinal), $"{what}: the message '{error.Message}' should say '{message}'");
        var biError = Assert.Throws<ArgumentException>(() => bidirectional.forward(x, bad));
        Assert.Contains("'bi_1'", biError.Message);
        Assert.Contains(message, biError.Message);
    }

    [Fact]
    public void Lengths_of_another_shape_or_type_are_refused()
    {
        using var scope = NewDisposeScope();
        var layer = new SimpleRnn("rnn_1", Features, new RecurrentOptions(Units));
        using var x = randn(4, Time, Features);

        var matrix = Assert.Throws<ArgumentException>(() => layer.forward(x, ones(4, 1, dtype: ScalarType.Int64)));
        Assert.Contains("expects lengths of shape (4)", matrix.Message);
        Assert.Contains("received (4, 1)", matrix.Message);
        var floats = Assert.Throws<ArgumentException>(() => layer.forward(x, full(4, 3.5f)));
        Assert.Contains("whole numbers (int64) but received Float32", floats.Message);
        var badInput = Assert.Throws<ArgumentException>(() => layer.forward(randn(4, Time, Features + 1), LengthTensor()));
        Assert.Contains($"expects input of shape (batch, time, {Features})", badInput.Message);
    }

    private static Tensor LengthTensor() => tensor(Lengths);

    /// <summary>
    /// A random batch of <see cref="Lengths"/> records padded to <see cref="Time"/>; the padding is drawn ten times larger
    /// than the real steps, so any of it that leaks into a real output moves it far beyond the tolerance.
    /// </summary>
    private static (Tensor X, Tensor Lengths) PaddedBatch()
    {
        var lengths = LengthTensor();
        var real = arange(Time).unsqueeze(0).lt(lengths.unsqueeze(1)).unsqueeze(2);
        var x = where(real, randn(Lengths.Length, Time, Features), randn(Lengths.Length, Time, Features) * 10);
        return (x, lengths);
    }

    private static void AssertEachRecordAlone(Tensor output, Tensor x, Func<Tensor, Tensor> plainForward, bool returnSequences, string what)
    {
        Assert.True(output.isfinite().all().item<bool>(), $"{what}: the padded output has non-finite values (padding steps included)");
        for (int b = 0; b < Lengths.Length; b++)
        {
            long length = Lengths[b];
            using var alone = plainForward(x.narrow(0, b, 1).narrow(1, 0, length));
            if (returnSequences)
                AssertClose(alone[0], output[b].narrow(0, 0, length), $"{what}: record {b} (length {length})");
            else
                AssertClose(alone[0].unsqueeze(0), output[b].unsqueeze(0), $"{what}: record {b} (length {length}), last state");
        }
    }

    /// <summary>Compares two (batch, time, ·) outputs on real steps only, or two (batch, ·) last states.</summary>
    private static void AssertRealStepsClose(Tensor expected, Tensor actual, bool returnSequences, string what)
    {
        for (int b = 0; b < Lengths.Length; b++)
        {
            if (returnSequences)
                AssertClose(expected[b].narrow(0, 0, Lengths[b]), actual[b].narrow(0, 0, Lengths[b]), $"{what}: record {b} (length {Lengths[b]})");
            else
                AssertClose(expected[b].unsqueeze(0), actual[b].unsqueeze(0), $"{what}: record {b} (length {Lengths[b]}), last state");
        }
    }

    /// <summary>(steps, width) expected (the record alone) against actual (its rows of the padded output), naming the worst step.</summary>
    private static void AssertClose(Tensor expected, Tensor actual, string what)
    {
        Assert.Equal(expected.shape, actual.shape);
        var perStep = (expected - actual).abs().amax(1);
        long worst = perStep.argmax().item<long>();
        float difference = perStep[worst].item<float>();
        Assert.True(difference <= Tolerance,
            $"{what}: step {worst} of the padded batch (actual) differs from the record run alone (expected) by {difference:G3} > {Tolerance}");
    }

    /// <summary>The loss is the sum of the real outputs; every padding input must get a gradient of exactly 0, and real inputs some.</summary>
    private static void AssertNoGradientToPadding(Func<Tensor, Tensor> forward, bool returnSequences, string what)
    {
        var (values, lengths) = PaddedBatch();
        var x = values.detach().requires_grad_(true);
        var output = forward(x);
        var realSteps = arange(Time).unsqueeze(0).lt(lengths.unsqueeze(1));
        var loss = returnSequences ? output.mul(realSteps.unsqueeze(2).to_type(output.dtype)).sum() : output.sum();
        loss.backward();
        var gradient = x.grad!.abs().sum(2);   // (batch, time)
        var padding = gradient.masked_select(realSteps.logical_not());
        Assert.True(padding.eq(0).all().item<bool>(),
            $"{what}: padding inputs got gradient up to {padding.max().item<float>():G3}; a loss over real outputs must give them exactly 0");
        for (int b = 0; b < Lengths.Length; b++)
            Assert.True(gradient[b].narrow(0, 0, Lengths[b]).sum().item<float>() > 0, $"{what}: record {b}'s real inputs got no gradient at all");
    }
}
