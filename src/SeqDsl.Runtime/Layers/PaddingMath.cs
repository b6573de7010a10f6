using System;

namespace SeqDsl.Runtime.Layers;

/// <summary>Window arithmetic along the time axis, following TensorFlow/Keras.</summary>
internal static class PaddingMath
{
    /// <summary>Span of a dilated window: (window − 1)·dilation + 1.</summary>
    public static long Span(long window, long dilation) => (window - 1) * dilation + 1;

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

    /// <summary>Output length of a window sweep over an already padded axis; 0 when no window fits.</summary>
    public static long OutputLength(long paddedLength, long window, long stride, long dilation) =>
        paddedLength < Span(window, dilation) ? 0 : (paddedLength - Span(window, dilation)) / stride + 1;
}
