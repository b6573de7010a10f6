using SeqDsl.Runtime.Layers;
using static TorchSharp.torch;

namespace SeqDsl.Runtime.Tests.Layers;

public class ConvolutionAndPoolingTests
{
    [Theory]
    [InlineData(Padding.Valid, 3, 1, 1, 8)]
    [InlineData(Padding.Valid, 3, 2, 1, 4)]
    [InlineData(Padding.Valid, 3, 1, 2, 6)]
    [InlineData(Padding.Same, 3, 1, 1, 10)]
    [InlineData(Padding.Same, 3, 3, 1, 4)]
    [InlineData(Padding.Same, 4, 1, 2, 10)]
    [InlineData(Padding.Same, 2, 4, 1, 3)]
    [InlineData(Padding.Causal, 3, 1, 2, 10)]
    [InlineData(Padding.Causal, 3, 2, 1, 5)]
    public void Conv1D_output_length_follows_keras(Padding padding, long kernel, long strides, long dilation, long expectedLength)
    {
        using var scope = NewDisposeScope();
        var conv = new Conv1D("conv", 3, new Conv1DOptions(5, kernel) { Padding = padding, Strides = strides, DilationRate = dilation });
        var y = conv.call(randn(2, 10, 3));
        TensorAssert.Shape(y, 2, expectedLength, 5);
    }

    [Fact]
    public void Conv1D_same_puts_the_odd_padding_step_on_the_right()
    {
        using var scope = NewDisposeScope();
        var conv = new Conv1D("conv", 1, new Conv1DOptions(1, 2) { Padding = Padding.Same, UseBias = false });
        TensorAssert.SetParameter(conv, "kernel", new[] { 1f, 1f });
        var x = tensor(new[] { 1f, 2f, 3f, 4f, 5f }).reshape(1, 5, 1);

        var y = conv.call(x);

        // Total padding 1 goes to the right: y_t = x_t + x_{t+1}, last step sees the zero.
        TensorAssert.Close(tensor(new[] { 3f, 5f, 7f, 9f, 5f }).reshape(1, 5, 1), y);
    }

    [Theory]
    [InlineData(1L, 1L)]
    [InlineData(2L, 1L)]
    [InlineData(1L, 2L)]
    public void Causal_conv_output_at_t_ignores_inputs_after_t(long dilation, long strides)
    {
        using var scope = NewDisposeScope();
        manual_seed(41);
        var conv = new Conv1D("causal", 2, new Conv1DOptions(3, 3) { Padding = Padding.Causal, DilationRate = dilation, Strides = strides });
        const long cut = 6;
        var x = randn(2, 10, 2);
        var perturbed = x.clone();
        perturbed.narrow(1, cut, 10 - cut).add_(5.0);

        var y = conv.call(x);
        var yPerturbed = conv.call(perturbed);

        // Output step j reads input steps up to j * strides.
        long unaffected = (cut - 1) / strides + 1;
        TensorAssert.Close(y.narrow(1, 0, unaffected), yPerturbed.narrow(1, 0, unaffected));
        Assert.True((y - yPerturbed).abs().max().item<float>() > 1e-3, "perturbing the future must change later outputs");
    }

    [Fact]
    public void Conv1D_with_too_short_valid_input_or_wrong_channels_names_the_layer()
    {
        using var scope = NewDisposeScope();
        var conv = new Conv1D("feature_conv", 3, new Conv1DOptions(4, 5));
        Assert.Contains("feature_conv", Assert.Throws<ArgumentException>(() => conv.call(randn(1, 4, 3))).Message);
        Assert.Contains("feature_conv", Assert.Throws<ArgumentException>(() => conv.call(randn(1, 8, 2))).Message);
    }

    [Fact]
    public void Conv1D_kernel_and_bias_use_torch_layout_and_keras_fans()
    {
        using var scope = NewDisposeScope();
        manual_seed(42);
        var conv = new Conv1D("conv", 3, new Conv1DOptions(8, 5));
        var p = conv.named_parameters().ToDictionary(n => n.name, n => n.parameter);
        Assert.Equal(new long[] { 8, 3, 5 }, p["kernel"].shape);
        Assert.Equal(new long[] { 8 }, p["bias"].shape);
        Assert.True(p["kernel"].abs().max().item<float>() <= Math.Sqrt(6.0 / (5 * 3 + 5 * 8)));
        Assert.Equal(0f, p["bias"].abs().sum().item<float>());
    }

    [Theory]
    [InlineData(Padding.Valid, 2L, null, 3L)]
    [InlineData(Padding.Same, 2L, null, 4L)]
    [InlineData(Padding.Valid, 3L, 2L, 3L)]
    [InlineData(Padding.Same, 3L, 2L, 4L)]
    [InlineData(Padding.Same, 3L, 1L, 7L)]
    public void Pooling_output_length_follows_keras(Padding padding, long pool, long? strides, long expectedLength)
    {
        using var scope = NewDisposeScope();
        var options = new Pooling1DOptions { PoolSize = pool, Strides = strides, Padding = padding };
        var x = randn(2, 7, 3);
        TensorAssert.Shape(new MaxPooling1D("max", options).call(x), 2, expectedLength, 3);
        TensorAssert.Shape(new AveragePooling1D("avg", options).call(x), 2, expectedLength, 3);
    }

    [Fact]
    public void Same_pooling_ignores_padding()
    {
        using var scope = NewDisposeScope();
        var x = tensor(new[] { -1f, -2f, -3f, -4f, -5f }).reshape(1, 5, 1);
        var strided = new Pooling1DOptions { PoolSize = 2, Padding = Padding.Same };

        // Windows [x0 x1] [x2 x3] [x4 pad]: padding must neither win the max nor count in the mean.
        TensorAssert.Close(tensor(new[] { -1f, -3f, -5f }).reshape(1, 3, 1), new MaxPooling1D("max", strided).call(x));
        TensorAssert.Close(tensor(new[] { -1.5f, -3.5f, -5f }).reshape(1, 3, 1), new AveragePooling1D("avg", strided).call(x));

        // Pool 3, stride 1: one padding step on each side.
        var centered = new Pooling1DOptions { PoolSize = 3, Strides = 1, Padding = Padding.Same };
        TensorAssert.Close(tensor(new[] { -1.5f, -2f, -3f, -4f, -4.5f }).reshape(1, 5, 1), new AveragePooling1D("avg", centered).call(x));
        TensorAssert.Close(tensor(new[] { -1f, -1f, -2f, -3f, -4f }).reshape(1, 5, 1), new MaxPooling1D("max", centered).call(x));
    }

    [Fact]
    public void Pooling_rejects_causal_padding()
    {
        Assert.Throws<ArgumentException>(() => new MaxPooling1D("pool", new Pooling1DOptions { Padding = Padding.Causal }));
    }

    [Fact]
    public void Global_pooling_reduces_time()
    {
        using var scope = NewDisposeScope();
        var x = tensor(new[] { 1f, 6f, 3f, -2f, 5f, 4f }).reshape(1, 3, 2);
        TensorAssert.Close(tensor(new[] { 5f, 6f }).reshape(1, 2), new GlobalMaxPooling1D("gmax").call(x));
        TensorAssert.Close(tensor(new[] { 3f, 8f / 3f }).reshape(1, 2), new GlobalAveragePooling1D("gavg").call(x));
        Assert.Contains("gmax", Assert.Throws<ArgumentException>(() => new GlobalMaxPooling1D("gmax").call(randn(2, 3))).Message);
    }
}
