using SeqDsl.Runtime.Layers;
using static TorchSharp.torch;

namespace SeqDsl.Runtime.Tests.Layers;

public class CoreLayerTests
{
    [Fact]
    public void Dense_acts_on_the_last_axis_of_rank_2_and_rank_3_input()
    {
        using var scope = NewDisposeScope();
        manual_seed(51);
        var dense = new Dense("dense", 4, new DenseOptions(3));
        var sequence = randn(2, 5, 4);

        var y = dense.call(sequence);

        TensorAssert.Shape(y, 2, 5, 3);
        TensorAssert.Shape(dense.call(randn(2, 4)), 2, 3);
        // Each step is the same affine map as a rank-2 call.
        TensorAssert.Close(dense.call(sequence.select(1, 2)), y.select(1, 2));
        Assert.Equal(new[] { "bias", "kernel" }, dense.state_dict().Keys.Order());
        Assert.Equal(4 * 3 + 3, TensorAssert.ParameterCount(dense));
        Assert.Equal(4 * 3, TensorAssert.ParameterCount(new Dense("d", 4, new DenseOptions(3) { UseBias = false })));
    }

    [Fact]
    public void Dense_applies_its_activation()
    {
        using var scope = NewDisposeScope();
        var dense = new Dense("dense", 2, new DenseOptions(2) { Activation = Activation.Softmax });
        var sums = dense.call(randn(3, 7, 2)).sum(new long[] { -1 });
        TensorAssert.Close(ones(3, 7), sums);
    }

    [Fact]
    public void Dense_wrong_width_names_the_layer()
    {
        using var scope = NewDisposeScope();
        var dense = new Dense("head", 4, new DenseOptions(3));
        var error = Assert.Throws<ArgumentException>(() => dense.call(randn(2, 5, 6)));
        Assert.Contains("head", error.Message);
        Assert.Contains("(2, 5, 6)", error.Message);
    }

    [Fact]
    public void Flatten_merges_all_axes_after_batch()
    {
        using var scope = NewDisposeScope();
        var flatten = new Flatten("flatten");
        var x = randn(2, 3, 4);
        var y = flatten.call(x);
        TensorAssert.Shape(y, 2, 12);
        TensorAssert.Close(x[1, 2], y[1].narrow(0, 8, 4));
        TensorAssert.Shape(flatten.call(randn(2, 5)), 2, 5);
    }

    [Fact]
    public void Embedding_looks_up_rows_of_its_table()
    {
        using var scope = NewDisposeScope();
        manual_seed(52);
        var embedding = new Embedding("embed", 10, 8);
        var table = embedding.named_parameters().Single(p => p.name == "embeddings").parameter;
        Assert.True(table.abs().max().item<float>() <= 0.05f);
        var ids = tensor(new long[] { 1, 2, 3, 9, 0, 2 }).reshape(2, 3);

        var y = embedding.call(ids);

        TensorAssert.Shape(y, 2, 3, 8);
        TensorAssert.Close(table[9], y[1, 0]);
        TensorAssert.Close(table[2], y[0, 1]);
        TensorAssert.Close(y, embedding.call(ids.to_type(ScalarType.Int32)));
    }

    [Fact]
    public void Embedding_rejects_out_of_range_or_non_integer_input_by_name()
    {
        using var scope = NewDisposeScope();
        var embedding = new Embedding("tokens", 10, 4);
        Assert.Contains("tokens", Assert.Throws<ArgumentException>(() => embedding.call(tensor(new long[] { 3, 10 }).reshape(1, 2))).Message);
        Assert.Contains("tokens", Assert.Throws<ArgumentException>(() => embedding.call(tensor(new long[] { -1 }).reshape(1, 1))).Message);
        Assert.Contains("tokens", Assert.Throws<ArgumentException>(() => embedding.call(randn(1, 2))).Message);
    }

    [Fact]
    public void Dropout_scales_in_training_and_passes_through_in_eval()
    {
        using var scope = NewDisposeScope();
        manual_seed(53);
        var dropout = new Dropout("drop", 0.5);
        var x = ones(4, 50);

        dropout.train();
        var trained = dropout.call(x).flatten().data<float>().ToArray();
        Assert.All(trained, v => Assert.True(v == 0f || v == 2f));
        Assert.Contains(0f, trained);

        dropout.eval();
        TensorAssert.Close(x, dropout.call(x));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Dropout("bad", 1.0));
    }

    [Fact]
    public void Activations_match_keras_definitions()
    {
        using var scope = NewDisposeScope();
        var x = tensor(new[] { -3f, -1f, 0f, 1f, 3f });
        TensorAssert.Close(tensor(new[] { 0f, 0.3f, 0.5f, 0.7f, 1f }), Activations.Apply(Activation.HardSigmoid, x));
        TensorAssert.Close(tensor(new[] { 0f, 0f, 0f, 1f, 3f }), Activations.Apply(Activation.Relu, x));
        TensorAssert.Close(tensor(new[] { (float)(Math.Exp(-3) - 1), (float)(Math.Exp(-1) - 1), 0f, 1f, 3f }), Activations.Apply(Activation.Elu, x));
        // Exact GELU: x·Φ(x); Φ(1) = 0.8413447.
        Assert.Equal(0.8413447f, Activations.Apply(Activation.Gelu, x)[3].item<float>(), 5);
        Assert.Same(x, Activations.Apply(Activation.Linear, x));
        TensorAssert.Close(ones(2), Activations.Apply(Activation.Softmax, randn(2, 6)).sum(new long[] { 1 }));
    }

    [Fact]
    public void Orthogonal_initializer_gives_orthonormal_rows_or_columns()
    {
        using var scope = NewDisposeScope();
        manual_seed(54);
        var tall = empty(12, 4);
        KerasInitializers.Orthogonal(tall);
        TensorAssert.Close(eye(4), tall.t().matmul(tall));
        var wide = empty(3, 9);
        KerasInitializers.Orthogonal(wide, gain: 2.0);
        TensorAssert.Close(eye(3) * 4, wide.matmul(wide.t()), atol: 1e-4);
    }
}
