using System;

namespace SeqDsl.Runtime.Layers;

/// <summary>Window arithmetic along the time axis, following TensorFlow/Keras.</summary>
/// <remarks>
/// The generator links this file (it must build for netstandard2.0 without TorchSharp), so the lengths its
/// shape inference reports at build time are the ones the layers produce at run time.
/// </remarks>
internal static class PaddingMath
{
    /// <summary>Span of a dilated window: (window − 1)·dilation + 1.</summary>
    public static long Span(long window, long dilation) => checked((window - 1) * dilation + 1);

    /// <summary>
    /// TensorFlow 'same': output length ceil(length / stride); total padding
    /// max((out − 1)·stride + span − length, 0), the odd element going to the right.
    /// </summary>
    public static (long Left, long Right) Same(long length, long window, long stride, long dilation)
    {
        long output = (length + stride - 1) / stride;
        long total = Math.Max((output - 1) * stride + Span(window, dilation) - length, 0);
        return (total / 2, total - total / 2);
    }

    /// <summary>Causal: all padding on the left, dilation·(window − 1).</summary>
    public static (long Left, long Right) Causal(long window, long dilation) => (dilation * (window - 1), 0);

    /// <summary>
    /// Output length of a conv1d or pooling window (the build's shape inference and the layers' own check) over an unpadded axis of <paramref name="length"/> steps:
    /// ⌊(length − span) / stride⌋ + 1 without padding (0 or less when no window fits), ⌈length / stride⌉ with
    /// 'same' or 'causal' padding. Overflow throws.
    /// </summary>
    public static long SlidLength(long length, long span, long stride, bool padded) =>
        checked(padded ? (length + stride - 1) / stride : FloorDiv(length - span, stride) + 1);

    /// <summary>Exact floor division for b &gt; 0 (a double loses precision above 2^53).</summary>
    private static long FloorDiv(long a, long b) => checked(a >= 0 ? a / b : -((-a + b - 1) / b));
}
