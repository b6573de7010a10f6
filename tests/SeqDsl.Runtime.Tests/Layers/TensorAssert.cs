using static TorchSharp.torch;

namespace SeqDsl.Runtime.Tests.Layers;

/// <summary>Tensor comparisons with readable failure messages.</summary>
internal static class TensorAssert
{
    public static void Close(Tensor expected, Tensor actual, double atol = 1e-5)
    {
        Assert.Equal(expected.shape, actual.shape);
        using var diff = (expected - actual).abs().max();
        var maxDiff = diff.item<float>();
        Assert.True(maxDiff <= atol, $"max |expected - actual| = {maxDiff} exceeds {atol}");
    }

    public static void Shape(Tensor actual, params long[] shape) => Assert.Equal(shape, actual.shape);

    /// <summary>Overwrites a parameter (by state-dict key) with the given values, keeping its shape.</summary>
    public static void SetParameter(nn.Module module, string key, float[] values)
    {
        var parameter = module.named_parameters().Single(p => p.name == key).parameter;
        using var _ = no_grad();
        using var source = tensor(values).reshape(parameter.shape);
        parameter.copy_(source);
    }

    /// <summary>Overwrites a parameter with <paramref name="value"/> (a tensor of the same shape).</summary>
    public static void SetParameter(nn.Module module, string key, Tensor value)
    {
        var parameter = module.named_parameters().Single(p => p.name == key).parameter;
        using var _ = no_grad();
        parameter.copy_(value);
    }

    public static long ParameterCount(nn.Module module) => module.parameters().Sum(p => p.numel());
}
