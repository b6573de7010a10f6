using System;
using System.Linq;
using static TorchSharp.torch;

namespace SeqDsl.Runtime.Layers;

/// <summary>Input validation shared by the layers, so a shape mistake names the layer instead of failing in native code.</summary>
internal static class ShapeChecks
{
    public static string Format(long[] shape) => "(" + string.Join(", ", shape.Select(d => d.ToString(System.Globalization.CultureInfo.InvariantCulture))) + ")";

    /// <summary>Requires (batch, time, features) with the given feature count.</summary>
    public static void Sequence(string layer, Tensor input, long features)
    {
        if (input.dim() != 3 || input.shape[2] != features)
            throw new ArgumentException(
                $"Layer '{layer}' expects input of shape (batch, time, {features}) but received {Format(input.shape)}.",
                nameof(input));
    }

    /// <summary>Requires (batch, time, features) with any feature count.</summary>
    public static void Sequence(string layer, Tensor input)
    {
        if (input.dim() != 3)
            throw new ArgumentException(
                $"Layer '{layer}' expects input of shape (batch, time, features) but received {Format(input.shape)}.",
                nameof(input));
    }
}
