using SeqDsl.Runtime.Layers;
using static TorchSharp.torch;

namespace SeqDsl.Runtime.Tests.Layers;

public class RecurrentDropoutTests
{
    private const long Batch = 3, Steps = 5, Width = 4;

    /// <summary>A linear SimpleRNN (loop path) with the given input and recurrent kernels and no bias.</summary>
    private static SimpleRnn LinearRnn(RecurrentOptions options, Tensor weightIh, Tensor weightHh)
    {
        var rnn = new SimpleRnn("rnn", Width, options with { Activation = Activation.Linear, UseBias = false, ReturnSequences = true });
        TensorAssert.SetParameter(rnn, "rnn.weight_ih_l0", weightIh);
        TensorAssert.SetParameter(rnn, "rnn.weight_hh_l0", weightHh);
        return rnn;
    }

    [Fact]
    public void Input_mask_is_one_per_sequence_and_reused_at_every_step()
    {
        using var scope = NewDisposeScope();
        manual_seed(21);
        // h_t = mask ⊙ x_t with x_t = 1, so every output step shows the mask itself.
        var rnn = LinearRnn(new RecurrentOptions(Width) { Dropout = 0.5 }, eye(Width), zeros(Width, Width));
        var masks = new List<Tensor>();
        rnn.MasksDrawn = (input, recurrent) => { Assert.Null(recurrent); masks.Add(input!); };
        rnn.train();

        var first = rnn.call(ones(Batch, Steps, Width));
        var second = rnn.call(ones(Batch, Steps, Width));

        Assert.Equal(2, masks.Count);
        TensorAssert.Shape(masks[0], Batch, Width);
        AssertScaledBinary(masks[0], 0.5);
        for (long t = 0; t < Steps; t++)
        {
            TensorAssert.Close(masks[0], first.select(1, t));
            TensorAssert.Close(masks[1], second.select(1, t));
        }
        Assert.False(masks[0].equal(masks[1]).all().item<bool>());
    }

    [Fact]
    public void Recurrent_mask_is_one_per_sequence_and_reused_at_every_step()
    {
        using var scope = NewDisposeScope();
        manual_seed(22);
        // h_t = mask ⊙ h_{t-1} from h_0 = 1, so step t (0-based) holds mask^(t+1) only if the mask never changes.
        var rnn = LinearRnn(new RecurrentOptions(Width) { RecurrentDropout = 0.5 }, zeros(Width, Width), eye(Width));
        var masks = new List<Tensor>();
        rnn.MasksDrawn = (input, recurrent) => { Assert.Null(input); masks.Add(recurrent!); };
        rnn.train();

        var (first, _) = rnn.ForwardWithState(randn(Batch, Steps, Width), new[] { ones(Batch, Width) });
        var (second, _) = rnn.ForwardWithState(randn(Batch, Steps, Width), new[] { ones(Batch, Width) });

        Assert.False(rnn.LastRunFused);
        TensorAssert.Shape(masks[0], Batch, Width);
        AssertScaledBinary(masks[0], 0.5);
        for (long t = 0; t < Steps; t++)
        {
            TensorAssert.Close(masks[0].pow(t + 1), first.select(1, t), atol: 1e-4);
            TensorAssert.Close(masks[1].pow(t + 1), second.select(1, t), atol: 1e-4);
        }
        Assert.False(masks[0].equal(masks[1]).all().item<bool>());
    }

    [Fact]
    public void Masks_are_scaled_by_the_inverse_keep_probability()
    {
        using var scope = NewDisposeScope();
        manual_seed(23);
        var gru = new Gru("gru", 6, new RecurrentOptions(8) { Dropout = 0.25, RecurrentDropout = 0.75 });
        Tensor? inputMask = null, recurrentMask = null;
        gru.MasksDrawn = (i, r) => (inputMask, recurrentMask) = (i, r);
        gru.train();

        gru.call(randn(16, 2, 6));

        TensorAssert.Shape(inputMask!, 16, 6);
        TensorAssert.Shape(recurrentMask!, 16, 8);
        AssertScaledBinary(inputMask!, 0.25);
        AssertScaledBinary(recurrentMask!, 0.75);
    }

    [Fact]
    public void Recurrent_dropout_trains_on_the_loop_while_input_dropout_keeps_the_fused_kernel()
    {
        using var scope = NewDisposeScope();
        var recurrent = new Lstm("lstm", 3, new RecurrentOptions(4) { RecurrentDropout = 0.3 });
        var inputOnly = new Lstm("lstm", 3, new RecurrentOptions(4) { Dropout = 0.3 });
        Assert.False(recurrent.UsesFusedPath);
        Assert.True(inputOnly.UsesFusedPath);

        recurrent.train();
        inputOnly.train();
        recurrent.call(randn(2, 5, 3));
        inputOnly.call(randn(2, 5, 3));

        Assert.False(recurrent.LastRunFused);
        Assert.True(inputOnly.LastRunFused);
    }

    [Theory]
    [InlineData(RecurrentKind.Gru)]
    [InlineData(RecurrentKind.Lstm)]
    [InlineData(RecurrentKind.SimpleRnn)]
    public void Fused_input_dropout_equals_the_loop_on_the_masked_input(RecurrentKind kind)
    {
        using var scope = NewDisposeScope();
        manual_seed(24);
        var options = new RecurrentOptions(Width) { ReturnSequences = true };
        var dropped = RecurrentLayer.Create(kind, "dropped", 3, options with { Dropout = 0.4 });
        var plain = RecurrentLayer.Create(kind, "plain", 3, options with { Implementation = RecurrentImplementation.Loop });
        plain.load_state_dict(dropped.state_dict());
        Tensor? mask = null;
        dropped.MasksDrawn = (i, _) => mask = i;
        dropped.train();
        plain.eval();
        var x = randn(Batch, Steps, 3);

        var actual = dropped.call(x);

        Assert.True(dropped.LastRunFused);
        TensorAssert.Close(plain.call(x * mask!.unsqueeze(1)), actual);
    }

    [Theory]
    [InlineData(RecurrentKind.Gru)]
    [InlineData(RecurrentKind.Lstm)]
    [InlineData(RecurrentKind.SimpleRnn)]
    public void Eval_mode_draws_no_masks_and_matches_the_undropped_loop(RecurrentKind kind)
    {
        using var scope = NewDisposeScope();
        manual_seed(25);
        var options = new RecurrentOptions(Width) { ReturnSequences = true };
        var dropped = RecurrentLayer.Create(kind, "dropped", 3, options with { Dropout = 0.5, RecurrentDropout = 0.5 });
        var plain = RecurrentLayer.Create(kind, "plain", 3, options with { Implementation = RecurrentImplementation.Loop });
        plain.load_state_dict(dropped.state_dict());
        var drawn = new List<(Tensor?, Tensor?)>();
        dropped.MasksDrawn = (i, r) => drawn.Add((i, r));
        dropped.eval();
        plain.eval();
        var x = randn(Batch, Steps, 3);

        var first = dropped.call(x);
        var second = dropped.call(x);

        Assert.All(drawn, d => { Assert.Null(d.Item1); Assert.Null(d.Item2); });
        Assert.True(first.equal(second).all().item<bool>());
        TensorAssert.Close(plain.call(x), first);
        // With no mask to apply, inference takes the fused kernel even though training cannot.
        Assert.False(dropped.UsesFusedPath);
        Assert.True(dropped.LastRunFused);
    }

    private static void AssertScaledBinary(Tensor mask, double rate)
    {
        var scale = (float)(1 / (1 - rate));
        var values = mask.flatten().data<float>().ToArray();
        Assert.All(values, v => Assert.True(v == 0f || Math.Abs(v - scale) < 1e-6, $"mask value {v} is neither 0 nor {scale}"));
        Assert.Contains(values, v => v == 0f);
        Assert.Contains(values, v => v != 0f);
    }
}
