using System;
using TorchSharp;
using SeqDsl.Runtime.Layers;
using static TorchSharp.torch;

namespace SeqDsl.Runtime.Training;

/// <summary>Regression losses a spec can name.</summary>
public enum LossKind
{
    /// <summary>Mean absolute error.</summary>
    Mae,

    /// <summary>Mean squared error.</summary>
    Mse,

    /// <summary>Huber loss: ½e² for |e| ≤ δ, else δ(|e| − ½δ) (Keras's and torch's <c>huber_loss</c>, not smooth-L1).</summary>
    Huber,
    /// <summary>
    /// Categorical cross-entropy over class indices. Computed from logits (log-softmax) when the model offers
    /// them (<see cref="ILogitsModel"/>), so a confident softmax never takes log(0).
    /// </summary>
    CategoricalCrossEntropy,
}

/// <summary>A model whose last layer is a softmax and that can return the logits before it.</summary>
public interface ILogitsModel
{
    /// <summary>The model's output before its final softmax.</summary>
    TorchSharp.torch.Tensor Logits(TorchSharp.torch.Tensor input);
}

/// <summary>Loss functions, averaged over every element as Keras does for (batch, horizon) targets.</summary>
public static class Losses
{
    // Rooted: a temporary scalar can be finalized while libtorch reads it (see TorchScalars).
    private static readonly Scalar ProbabilityFloor = 1e-7;

    /// <summary>Computes the mean loss of <paramref name="predictions"/> against <paramref name="targets"/>.</summary>
    /// <param name="kind">Which loss.</param>
    /// <param name="predictions">Model output, e.g. (batch, horizon).</param>
    /// <param name="targets">Targets with the same shape, or the same number of elements (reshaped to the predictions' shape).</param>
    /// <param name="huberDelta">δ of the Huber loss.</param>
    /// <returns>A scalar tensor (differentiable with respect to the predictions).</returns>
    /// <exception cref="ArgumentException">The element counts differ; the message names both shapes.</exception>
    public static Tensor Compute(LossKind kind, Tensor predictions, Tensor targets, double huberDelta = 1.0)
    {
        ArgumentNullException.ThrowIfNull(predictions);
        ArgumentNullException.ThrowIfNull(targets);
        if (kind == LossKind.Huber && !(huberDelta > 0))
            throw new ArgumentOutOfRangeException(nameof(huberDelta), huberDelta, "The Huber delta must be positive.");
        if (kind == LossKind.CategoricalCrossEntropy)
            return CrossEntropy(predictions, targets, fromLogits: true);
        var aligned = AlignTargets(predictions, targets);
        return kind switch
        {
            LossKind.Mae => nn.functional.l1_loss(predictions, aligned),
            LossKind.Mse => nn.functional.mse_loss(predictions, aligned),
            LossKind.Huber => nn.functional.huber_loss(predictions, aligned, huberDelta),
            _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown loss."),
        };
    }

    /// <summary>
    /// Cross-entropy of (batch, classes) scores against (batch) class indices: from logits with log-softmax,
    /// or from probabilities (clamped away from 0) when the model only gives those.
    /// </summary>
    public static Tensor CrossEntropy(Tensor scores, Tensor targets, bool fromLogits)
    {
        if (scores.dim() != 2 || targets.dim() != 1 || targets.shape[0] != scores.shape[0])
            throw new ArgumentException($"Categorical cross-entropy needs scores (batch, classes) and class indices (batch); received {string.Join("x", scores.shape)} and {string.Join("x", targets.shape)}.");
        var labels = targets.to_type(ScalarType.Int64);
        return fromLogits
            ? nn.functional.cross_entropy(scores, labels)
            : nn.functional.nll_loss(scores.clamp_min(ProbabilityFloor).log(), labels);
    }

    /// <summary>
    /// Returns <paramref name="targets"/> in the predictions' shape and dtype. Torch would silently broadcast
    /// (batch, 1) against (batch) into (batch, batch) and average the wrong thing, so shapes that differ are only
    /// accepted when the element counts match.
    /// </summary>
    internal static Tensor AlignTargets(Tensor predictions, Tensor targets)
    {
        var aligned = targets;
        if (!ShapesEqual(predictions.shape, targets.shape))
        {
            if (predictions.numel() != targets.numel())
                throw new ArgumentException(
                    $"Predictions of shape {ShapeChecks.Format(predictions.shape)} cannot be compared with targets of shape " +
                    $"{ShapeChecks.Format(targets.shape)}: the element counts differ.", nameof(targets));
            aligned = targets.reshape(predictions.shape);
        }
        return aligned.dtype == predictions.dtype ? aligned : aligned.to_type(predictions.dtype);
    }

    private static bool ShapesEqual(long[] a, long[] b) => a.AsSpan().SequenceEqual(b);
}
