using SeqDsl.Runtime.Layers;
using static TorchSharp.torch;

namespace SeqDsl.Runtime.Tests.Layers;

public class InstanceNormalizationTests
{
    private static InstanceNormalization Revin(long channels, bool affine = true, long target = 0)
        => new("revin", channels, new InstanceNormOptions(InstanceNormKind.Revin) { Affine = affine, TargetChannel = target });

    private static InstanceNormalization SubtractLast(long channels, long target = 0)
        => new("subtract_last", channels, new InstanceNormOptions(InstanceNormKind.SubtractLast) { TargetChannel = target });

    /// <summary>The wrapped model's forward pass as generated code writes it.</summary>
    private static Tensor Wrapped(InstanceNormalization norm, Tensor input, Func<Tensor, Tensor> model)
    {
        var (x, statistics) = norm.Normalize(input);
        return norm.Denormalize(model(x), statistics);
    }

    [Fact]
    public void Subtract_last_around_a_zero_forecast_repeats_the_last_value()
    {
        using var scope = NewDisposeScope();
        manual_seed(1);
        var x = randn(3, 8, 1) * 4 + 10;

        var (normalized, _) = SubtractLast(1).Normalize(x);
        var forecast = Wrapped(SubtractLast(1), x, n => zeros(n.shape[0], 5));

        // x − last is exact in float32 at the last step: the window ends in 0.
        Assert.Equal(0f, normalized.select(1, 7).abs().max().item<float>());
        TensorAssert.Close(x.select(1, 7).expand(3, 5), forecast, atol: 0);
        TensorAssert.Close(x - x.narrow(1, 7, 1), normalized, atol: 0);
    }

    [Fact]
    public void Revin_normalizes_each_window_and_channel_as_the_double_precision_formula()
    {
        using var scope = NewDisposeScope();
        manual_seed(2);
        var x = randn(2, 16, 3) * tensor(new[] { 1f, 5f, 0.1f }) + tensor(new[] { 0f, 20f, -3f });
        var values = x.to(ScalarType.Float64);
        var mean = values.mean(new long[] { 1 }, keepdim: true);
        var std = (values.var(1, unbiased: false, keepdim: true) + 1e-5).sqrt();

        var (normalized, statistics) = Revin(3).Normalize(x);

        // float32 against float64 on values up to ~35: a few ulps of the inputs, well under 1e-4 after dividing by std.
        TensorAssert.Close(((values - mean) / std).to(ScalarType.Float32), normalized, atol: 1e-4);
        TensorAssert.Close(mean.to(ScalarType.Float32), statistics.Center, atol: 1e-4);
        TensorAssert.Close(std.to(ScalarType.Float32), statistics.Scale, atol: 1e-4);
    }

    [Fact]
    public void Revin_around_a_zero_forecast_predicts_the_target_channels_mean()
    {
        using var scope = NewDisposeScope();
        manual_seed(3);
        var x = randn(4, 12, 3) + tensor(new[] { 1f, 2f, 3f });
        var forecast = Wrapped(Revin(3, target: 2), x, n => zeros(n.shape[0], 6));

        // (0 − bias 0) / (weight 1 + eps²) · std + mean: the mean, to float rounding.
        TensorAssert.Close(x.select(2, 2).mean(new long[] { 1 }, keepdim: true).expand(4, 6), forecast, atol: 1e-5);
    }

    [Theory]
    [InlineData(InstanceNormKind.SubtractLast, false)]
    [InlineData(InstanceNormKind.Revin, false)]
    [InlineData(InstanceNormKind.Revin, true)]
    public void Denormalize_undoes_normalize_per_channel(InstanceNormKind kind, bool affine)
    {
        using var scope = NewDisposeScope();
        manual_seed(4);
        var norm = new InstanceNormalization("norm", 3, new InstanceNormOptions(kind) { Affine = affine });
        if (affine)
        {
            TensorAssert.SetParameter(norm, "weight", new[] { 0.5f, 2f, -1.5f });
            TensorAssert.SetParameter(norm, "bias", new[] { 0.3f, -1f, 2f });
        }
        var x = randn(2, 10, 3) * 3 + 7;

        // An identity model: the round trip returns the input up to float rounding (and RevIN's eps² = 1e-10 in the divisor).
        TensorAssert.Close(x, Wrapped(norm, x, n => n), atol: 1e-4);
    }

    [Fact]
    public void Gradients_reach_the_input_and_the_affine_parameters_but_not_through_the_statistics()
    {
        using var scope = NewDisposeScope();
        manual_seed(5);
        var x = randn(2, 9, 1).requires_grad_(true);
        var norm = SubtractLast(1);

        // With the last value detached, (x − last) + last has gradient one everywhere, as in NLinear.
        Wrapped(norm, x, n => n).sum().backward();
        TensorAssert.Close(ones(2, 9, 1), x.grad!, atol: 0);

        var revin = Revin(1);
        var dense = new Dense("head", 9, new DenseOptions(4));
        var y = randn(2, 9, 1);
        var forecast = Wrapped(revin, y, n => dense.call(n.flatten(1)));
        (forecast - randn(2, 4)).square().mean().backward();
        foreach (var (name, parameter) in revin.named_parameters())
            Assert.True(parameter.grad is { } grad && grad.abs().sum().item<float>() > 0, $"'{name}' received no gradient");
        Assert.NotNull(dense.Kernel.grad);
    }

    [Fact]
    public void Only_revin_with_affine_has_parameters_one_weight_and_bias_per_channel()
    {
        using var scope = NewDisposeScope();
        Assert.Equal(2 * 7, TensorAssert.ParameterCount(Revin(7)));
        Assert.Equal(new[] { "bias", "weight" }, Revin(7).state_dict().Keys.Order());
        Assert.Equal(0, TensorAssert.ParameterCount(Revin(7, affine: false)));
        Assert.Equal(0, TensorAssert.ParameterCount(SubtractLast(7)));
    }

    [Fact]
    public void Shapes_it_cannot_map_back_name_it()
    {
        using var scope = NewDisposeScope();
        var norm = Revin(2);
        var (_, statistics) = norm.Normalize(randn(3, 5, 2));
        var error = Assert.Throws<ArgumentException>(() => norm.Denormalize(randn(3, 4, 5), statistics));
        Assert.Contains("'revin'", error.Message);
        Assert.Throws<ArgumentException>(() => norm.Normalize(randn(3, 5, 4)));
        Assert.Throws<ArgumentOutOfRangeException>(() => Revin(2, target: 2));
    }
}
