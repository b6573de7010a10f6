using System;
using TorchSharp;
using static TorchSharp.torch;

namespace SeqDsl.Runtime.Layers;

/// <summary>Applies an <see cref="Activation"/> to a tensor.</summary>
public static class Activations
{
    // Rooted: a temporary scalar can be finalized while libtorch reads it (see TorchScalars).
    private static readonly Scalar HardSigmoidSlope = 0.2;

    /// <summary>
    /// Applies <paramref name="a"/> to <paramref name="x"/>. <see cref="Activation.Linear"/> returns
    /// <paramref name="x"/> itself; softmax works over the last axis.
    /// </summary>
    /// <remarks>
    /// <see cref="Activation.HardSigmoid"/> is the Keras 2 / tf.keras definition, clip(0.2x + 0.5, 0, 1).
    /// Keras 3 changed it to relu6(x + 3) / 6 = clip(x / 6 + 0.5, 0, 1); models trained with Keras 3
    /// hard_sigmoid will not reproduce exactly.
    /// </remarks>
    public static Tensor Apply(Activation a, Tensor x) => a switch
    {
        Activation.Linear => x,
        Activation.Relu => nn.functional.relu(x),
        Activation.Elu => nn.functional.elu(x, 1.0),
        Activation.Gelu => nn.functional.gelu(x),
        Activation.Tanh => x.tanh(),
        Activation.Sigmoid => x.sigmoid(),
        Activation.HardSigmoid => x.mul(HardSigmoidSlope).add_(TorchScalars.Half, TorchScalars.One).clamp_(TorchScalars.Zero, TorchScalars.One),
        Activation.Softmax => x.softmax(-1),
        _ => throw new ArgumentOutOfRangeException(nameof(a), a, "Unknown activation."),
    };
}
