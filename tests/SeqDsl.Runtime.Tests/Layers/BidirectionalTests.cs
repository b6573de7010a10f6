using SeqDsl.Runtime.Layers;
using static TorchSharp.torch;

namespace SeqDsl.Runtime.Tests.Layers;

public class BidirectionalTests
{
    private const long Batch = 2, Steps = 5, Features = 3, Units = 4;

    [Theory]
    [InlineData(MergeMode.Concat, false, new long[] { Batch, 2 * Units })]
    [InlineData(MergeMode.Sum, false, new long[] { Batch, Units })]
    [InlineData(MergeMode.Concat, true, new long[] { Batch, Steps, 2 * Units })]
    [InlineData(MergeMode.Sum, true, new long[] { Batch, Steps, Units })]
    [InlineData(MergeMode.Mul, true, new long[] { Batch, Steps, Units })]
    [InlineData(MergeMode.Ave, false, new long[] { Batch, Units })]
    public void Output_shape_follows_merge_mode(MergeMode mode, bool returnSequences, long[] shape)
    {
        using var scope = NewDisposeScope();
        var bi = new Bidirectional("bi", RecurrentKind.Gru, Features, new RecurrentOptions(Units) { ReturnSequences = returnSequences }, mode);
        Assert.Equal(shape, bi.call(randn(Batch, Steps, Features)).shape);
    }

    [Theory]
    [InlineData(RecurrentKind.Gru)]
    [InlineData(RecurrentKind.Lstm)]
    public void Backward_sequence_is_realigned_with_the_input(RecurrentKind kind)
    {
        using var scope = NewDisposeScope();
        manual_seed(31);
        var options = new RecurrentOptions(Units) { ReturnSequences = true };
        var bi = new Bidirectional("bi", kind, Features, options, MergeMode.Concat);
        Assert.True(bi.BackwardLayer.Options.GoBackwards);
        Assert.False(bi.ForwardLayer.Options.GoBackwards);
        var reference = RecurrentLayer.Create(kind, "reference", Features, options);
        reference.load_state_dict(bi.BackwardLayer.state_dict());
        var x = randn(Batch, Steps, Features);

        var y = bi.call(x);

        TensorAssert.Close(bi.ForwardLayer.call(x), y.narrow(2, 0, Units));
        TensorAssert.Close(reference.call(x.flip(1)).flip(1), y.narrow(2, Units, Units));
    }

    [Fact]
    public void Merge_modes_combine_the_two_directions()
    {
        using var scope = NewDisposeScope();
        manual_seed(32);
        var options = new RecurrentOptions(Units);
        var x = randn(Batch, Steps, Features);
        var sum = new Bidirectional("bi", RecurrentKind.SimpleRnn, Features, options, MergeMode.Sum);
        var f = sum.ForwardLayer.call(x);
        var b = sum.BackwardLayer.call(x);
        TensorAssert.Close(f + b, sum.call(x));

        foreach (var (mode, expected) in new[] { (MergeMode.Mul, f * b), (MergeMode.Ave, (f + b) / 2), (MergeMode.Concat, cat(new[] { f, b }, 1)) })
        {
            var other = new Bidirectional("bi", RecurrentKind.SimpleRnn, Features, options, mode);
            other.load_state_dict(sum.state_dict());
            TensorAssert.Close(expected, other.call(x));
        }
    }

    [Fact]
    public void Sub_layers_have_stable_keys_and_twice_the_parameters()
    {
        using var scope = NewDisposeScope();
        var bi = new Bidirectional("bi", RecurrentKind.Lstm, Features, new RecurrentOptions(Units), MergeMode.Concat);
        Assert.Equal(2 * 4 * (Units * Features + Units * Units + 2 * Units), TensorAssert.ParameterCount(bi));
        Assert.Contains("forward_layer.rnn.weight_ih_l0", bi.state_dict().Keys);
        Assert.Contains("backward_layer.rnn.weight_hh_l0", bi.state_dict().Keys);
    }

    [Fact]
    public void Wrong_input_shape_names_the_layer()
    {
        using var scope = NewDisposeScope();
        var bi = new Bidirectional("encoder", RecurrentKind.Gru, Features, new RecurrentOptions(Units), MergeMode.Concat);
        var error = Assert.Throws<ArgumentException>(() => bi.call(randn(Batch, Steps, Features + 1)));
        Assert.Contains("encoder", error.Message);
    }
}
