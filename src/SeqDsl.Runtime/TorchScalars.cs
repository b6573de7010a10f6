using TorchSharp;
using static TorchSharp.torch;

namespace SeqDsl.Runtime;

/// <summary>
/// Scalars that libtorch calls read, rooted for the whole process, and tensor sums that pass one of them as alpha.
/// </summary>
/// <remarks>
/// TorchSharp turns a number given to a tensor method (<c>x.mul(0.5)</c>, <c>clamp_min(1)</c>, <c>masked_fill(m, 0)</c>,
/// and the implicit alpha of <c>add(Tensor)</c>) into a temporary <see cref="Scalar"/> whose finalizer frees its native
/// value. Once its handle has been passed to native code nothing references the temporary, so a garbage collection that
/// another thread starts during the call can finalize it while libtorch still reads it: libtorch then throws "Expected
/// false to be true … toFloat" or reads garbage. Hot paths therefore pass these rooted scalars, or a scalar held by a
/// <c>using</c> for a value known only at run time (<c>using var alpha = value.ToScalar();</c>), never a temporary.
/// (TorchSharp's own optimizer steps create temporaries too: <c>Training/RootedOptimizers.cs</c> replaces them.)
/// </remarks>
public static class TorchScalars
{
    /// <summary>The integer 1: add/sub's alpha, and a length's last index.</summary>
    public static readonly Scalar One = 1;

    /// <summary>The integer 0.</summary>
    public static readonly Scalar Zero = 0;

    /// <summary>0.5, the mean of two.</summary>
    public static readonly Scalar Half = 0.5;

    /// <summary><paramref name="left"/> + <paramref name="right"/>, with a rooted alpha.</summary>
    public static Tensor Plus(this Tensor left, Tensor right) => left.add(right, One);

    /// <summary><paramref name="left"/> − <paramref name="right"/>, with a rooted alpha.</summary>
    public static Tensor Minus(this Tensor left, Tensor right) => left.add(right, MinusOne);

    /// <summary>Adds <paramref name="right"/> to <paramref name="left"/> in place, with a rooted alpha.</summary>
    public static Tensor PlusInPlace(this Tensor left, Tensor right) => left.add_(right, One);

    private static readonly Scalar MinusOne = -1;
}
