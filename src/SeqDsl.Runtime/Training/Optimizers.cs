using System;
using System.Collections.Generic;
using TorchSharp;
using TorchSharp.Modules;

namespace SeqDsl.Runtime.Training;

/// <summary>The optimizers a spec can name.</summary>
public enum OptimizerKind
{
    /// <summary>RMSprop (Keras's default for the lecture's recurrent models).</summary>
    RmsProp,

    /// <summary>Adam.</summary>
    Adam,

    /// <summary>Stochastic gradient descent, optionally with (Nesterov) momentum.</summary>
    Sgd,
}

/// <summary>
/// Optimizer hyper-parameters with Keras's names and defaults; <see cref="Optimizers.Create"/> maps them onto
/// TorchSharp's optimizers.
/// </summary>
/// <param name="Kind">Which optimizer.</param>
public sealed record OptimizerOptions(OptimizerKind Kind)
{
    /// <summary>Learning rate; null selects Keras's default for <see cref="Kind"/> (see <see cref="EffectiveLearningRate"/>).</summary>
    public double? LearningRate { get; init; }

    /// <summary>RMSprop's decay of the squared-gradient average (TorchSharp calls it <c>alpha</c>; its default 0.99 differs).</summary>
    public double Rho { get; init; } = 0.9;

    /// <summary>Momentum of RMSprop and SGD (0 = none).</summary>
    public double Momentum { get; init; }

    /// <summary>Adam's decay of the first moment.</summary>
    public double Beta1 { get; init; } = 0.9;

    /// <summary>Adam's decay of the second moment.</summary>
    public double Beta2 { get; init; } = 0.999;

    /// <summary>Keras's epsilon, 1e-7 (TorchSharp's defaults are 1e-8, so it is always passed explicitly).</summary>
    public double Epsilon { get; init; } = 1e-7;

    /// <summary>Nesterov momentum for SGD; without momentum it changes nothing, as in Keras.</summary>
    public bool Nesterov { get; init; }

    /// <summary>
    /// <see cref="LearningRate"/>, or Keras's default when it is null: RMSprop 0.001, Adam 0.001, SGD 0.01.
    /// </summary>
    public double EffectiveLearningRate => LearningRate ?? Kind switch
    {
        OptimizerKind.RmsProp => 0.001,
        OptimizerKind.Adam => 0.001,
        OptimizerKind.Sgd => 0.01,
        _ => throw new ArgumentOutOfRangeException(nameof(Kind), Kind, "Unknown optimizer."),
    };
}

/// <summary>Creates TorchSharp optimizers that follow Keras's update rules as closely as torch allows.</summary>
/// <remarks>
/// <para>
/// <b>RMSprop.</b> TorchSharp (as PyTorch) updates <c>v = alpha·v + (1 − alpha)·g²; p −= lr·g / (√v + eps)</c> with
/// <c>v</c> starting at 0. Keras 2.x without momentum does exactly this (<c>p − lr·g / (√a + epsilon)</c>, accumulator
/// starting at 0), so <c>rho → alpha</c> and <c>epsilon → eps</c> give identical updates. Differences remain where Keras
/// puts epsilon inside the square root, <c>lr·g / √(v + epsilon)</c>: Keras 2.x with momentum (TensorFlow's fused
/// ApplyRMSProp kernel) and Keras 3 / tf.keras ≥ 2.11 always. The two agree unless <c>v</c> is comparable to epsilon
/// (gradients below about 3e-4). With momentum, Keras accumulates <c>lr·update</c> while torch accumulates the update
/// and multiplies by the current lr: identical for a constant learning rate, briefly different after a decay.
/// </para>
/// <para>
/// <b>Adam.</b> Keras adds epsilon to <c>√v</c> before bias correction ("epsilon hat"); torch adds it after, so Keras's
/// epsilon acts like a torch eps of <c>epsilon / √(1 − β₂ᵗ)</c> (about 32× larger at step 1, converging to epsilon).
/// Only noticeable with tiny gradients.
/// </para>
/// <para>
/// <b>SGD.</b> Keras's velocity form <c>v = m·v − lr·g; p += v</c> and torch's <c>b = m·b + g; p −= lr·b</c> are identical
/// for a constant learning rate (Nesterov likewise). Torch rejects Nesterov without momentum, where Keras's update
/// reduces to plain SGD, so Nesterov is only passed on when momentum is positive.
/// </para>
/// </remarks>
public static class Optimizers
{
    /// <summary>Creates the optimizer described by <paramref name="options"/> over <paramref name="parameters"/>.</summary>
    /// <param name="parameters">Parameters to optimize (typically <c>model.parameters()</c>, after moving the model to its device).</param>
    /// <param name="options">Optimizer kind and hyper-parameters.</param>
    /// <returns>
    /// TorchSharp's optimizer of that kind (a managed <see cref="OptimizerHelper"/>, so its state can be saved) with a step
    /// that holds its numbers in rooted scalars (<c>RootedOptimizers.cs</c>): the same updates, bit for bit.
    /// </returns>
    public static torch.optim.Optimizer Create(IEnumerable<Parameter> parameters, OptimizerOptions options)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        ArgumentNullException.ThrowIfNull(options);
        var lr = options.EffectiveLearningRate;
        if (!(lr > 0)) throw new ArgumentOutOfRangeException(nameof(options), lr, "The learning rate must be positive.");
        if (!(options.Epsilon >= 0)) throw new ArgumentOutOfRangeException(nameof(options), options.Epsilon, "Epsilon must not be negative.");
        if (!(options.Momentum >= 0)) throw new ArgumentOutOfRangeException(nameof(options), options.Momentum, "Momentum must not be negative.");

        switch (options.Kind)
        {
            case OptimizerKind.RmsProp:
                if (!(options.Rho >= 0 && options.Rho < 1)) throw new ArgumentOutOfRangeException(nameof(options), options.Rho, "Rho must lie in [0, 1).");
                return new RootedOptimizers.RMSProp(parameters, lr, options.Rho, options.Epsilon, options.Momentum);
            case OptimizerKind.Adam:
                if (!(options.Beta1 >= 0 && options.Beta1 < 1)) throw new ArgumentOutOfRangeException(nameof(options), options.Beta1, "Beta1 must lie in [0, 1).");
                if (!(options.Beta2 >= 0 && options.Beta2 < 1)) throw new ArgumentOutOfRangeException(nameof(options), options.Beta2, "Beta2 must lie in [0, 1).");
                return new RootedOptimizers.Adam(parameters, lr, options.Beta1, options.Beta2, options.Epsilon);
            case OptimizerKind.Sgd:
                return new RootedOptimizers.SGD(parameters, lr, options.Momentum, options.Nesterov && options.Momentum > 0);
            default:
                throw new ArgumentOutOfRangeException(nameof(options), options.Kind, "Unknown optimizer.");
        }
    }
}
