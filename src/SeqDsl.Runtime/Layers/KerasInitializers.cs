using System;
using TorchSharp;
using static TorchSharp.torch;

namespace SeqDsl.Runtime.Layers;

/// <summary>
/// Keras default weight initializers, written in place into torch-layout tensors without recording gradients.
/// Fans are passed explicitly because torch and Keras lay kernels out differently.
/// </summary>
public static class KerasInitializers
{
    /// <summary>Glorot (Xavier) uniform: U(-l, l) with l = sqrt(6 / (fanIn + fanOut)).</summary>
    public static void GlorotUniform(Tensor weight, long fanIn, long fanOut)
    {
        if (fanIn + fanOut <= 0)
            throw new ArgumentException("fanIn + fanOut must be positive.", nameof(fanIn));
        var limit = Math.Sqrt(6.0 / (fanIn + fanOut));
        Uniform(weight, -limit, limit);
    }

    /// <summary>Uniform on [low, high), as Keras RandomUniform (Embedding uses ±0.05).</summary>
    public static void Uniform(Tensor weight, double low, double high)
    {
        using var _ = no_grad();
        weight.uniform_(low, high);
    }

    /// <summary>Zeros, the Keras default for biases.</summary>
    public static void Zeros(Tensor weight)
    {
        using var _ = no_grad();
        weight.zero_();
    }

    /// <summary>Fills with a constant.</summary>
    public static void Constant(Tensor weight, double value)
    {
        using var _ = no_grad();
        using var scalar = value.ToScalar();
        weight.fill_(scalar);
    }

    /// <summary>
    /// Keras Orthogonal for a 2-D tensor: QR of a Gaussian matrix, sign-corrected so the result is uniform
    /// over orthogonal matrices. Rows are orthonormal when rows &lt;= columns, columns otherwise.
    /// </summary>
    /// <remarks>
    /// A torch recurrent weight (G*U, U) is the transpose of the Keras recurrent kernel (U, G*U); both come
    /// out as the same orthonormal basis, so the distribution matches Keras.
    /// </remarks>
    public static void Orthogonal(Tensor weight, double gain = 1.0)
    {
        if (weight.dim() != 2)
            throw new ArgumentException($"Orthogonal needs a 2-D tensor, got rank {weight.dim()}.", nameof(weight));
        long rows = weight.shape[0], cols = weight.shape[1];
        using var _ = no_grad();
        using var scope = NewDisposeScope();
        var a = randn(Math.Max(rows, cols), Math.Min(rows, cols), dtype: ScalarType.Float32);
        var (q, r) = linalg.qr(a);
        q = q.mul(r.diagonal().sign().unsqueeze(0));
        if (rows < cols) q = q.t();
        using var scale = gain.ToScalar();
        weight.copy_(q.mul(scale));
    }
}
