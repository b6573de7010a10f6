using System;
using TorchSharp;
using static TorchSharp.torch;

namespace SeqDsl.Runtime.Episodes;

/// <summary>The multi-label loss's choices.</summary>
public sealed record EpisodeLossOptions
{
    /// <summary>
    /// Target replication's α: the loss is α · (mean over real steps of the per-step loss) + (1 − α) · (the last real
    /// step's loss). 0 scores the last step only.
    /// </summary>
    public double TargetReplication { get; init; }

    /// <summary>The weight of the auxiliary labels' loss, added to the scored labels' loss.</summary>
    public double AuxiliaryWeight { get; init; } = 1;

    /// <summary>Per-label weight of positives (all labels, scored then auxiliary), against class imbalance; null: 1.</summary>
    public float[]? PositiveWeights { get; init; }
}

/// <summary>
/// Binary cross-entropy from logits averaged over labels, with target replication over the real steps and auxiliary
/// outputs (Lipton et al. 2016). Logits carry the scored labels first and the auxiliary ones after them, as
/// <see cref="EpisodeLabels"/> orders them.
/// </summary>
public static class EpisodeLoss
{
    /// <summary>
    /// The loss of step-wise logits <paramref name="stepLogits"/> (batch, time, labels) against <paramref name="labels"/>
    /// (batch, labels) for records of <paramref name="lengths"/>; <paramref name="scoredCount"/> labels are scored and the
    /// rest are auxiliary. Padding steps never contribute.
    /// </summary>
    /// <exception cref="ArgumentException">Shapes that disagree, α outside [0, 1], or a positive-weight list of another length.</exception>
    public static Tensor Compute(Tensor stepLogits, Tensor labels, Tensor lengths, int scoredCount, EpisodeLossOptions options)
    {
        Check(stepLogits, labels, scoredCount, options);
        long time = stepLogits.shape[1];
        using var scope = NewDisposeScope();
        var targets = labels.unsqueeze(1).expand(-1, time, -1);
        var perStep = PerLabel(stepLogits, targets, options.PositiveWeights);        // (batch, time, labels)
        var last = EpisodeBatches.LastRealStep(perStep, lengths);                   // (batch, labels)
        var perRecord = last;
        if (options.TargetReplication > 0)
        {
            // masked_fill, not a product: a padded step's loss is dropped even where it is not finite.
            var padding = EpisodeBatches.StepMask(lengths, time).unsqueeze(2).eq(TorchScalars.Zero);
            var meanOverSteps = perStep.masked_fill(padding, TorchScalars.Zero).sum(1).div(lengths.to_type(ScalarType.Float32).clamp_min(TorchScalars.One).unsqueeze(1));
            using var replicated = options.TargetReplication.ToScalar();
            using var lastShare = (1 - options.TargetReplication).ToScalar();
            perRecord = meanOverSteps.mul(replicated).Plus(last.mul(lastShare));
        }
        return Combine(perRecord, scoredCount, options).MoveToOuterDisposeScope();
    }

    /// <summary>The loss of last-step logits (batch, labels), without target replication.</summary>
    /// <inheritdoc cref="Compute" path="/exception"/>
    public static Tensor ComputeLast(Tensor logits, Tensor labels, int scoredCount, EpisodeLossOptions options)
    {
        if (logits.dim() != 2) throw new ArgumentException($"expected (batch, labels) logits; got [{string.Join(", ", logits.shape)}].");
        using var scope = NewDisposeScope();
        var steps = logits.unsqueeze(1);
        Check(steps, labels, scoredCount, options with { TargetReplication = 0 });
        return Combine(PerLabel(logits, labels, options.PositiveWeights), scoredCount, options).MoveToOuterDisposeScope();
    }

    private static Tensor PerLabel(Tensor logits, Tensor targets, float[]? positiveWeights)
    {
        using var weights = positiveWeights is null ? null : tensor(positiveWeights, device: logits.device);
        return nn.functional.binary_cross_entropy_with_logits(logits, targets, pos_weights: weights, reduction: nn.Reduction.None);
    }

    /// <summary>Mean over records and scored labels, plus the weighted mean over records and auxiliary labels.</summary>
    private static Tensor Combine(Tensor perRecord, int scoredCount, EpisodeLossOptions options)
    {
        long labelCount = perRecord.shape[1];
        var loss = perRecord.narrow(1, 0, scoredCount).mean();
        if (labelCount > scoredCount && options.AuxiliaryWeight != 0)
        {
            using var weight = options.AuxiliaryWeight.ToScalar();
            loss = loss.Plus(perRecord.narrow(1, scoredCount, labelCount - scoredCount).mean().mul(weight));
        }
        return loss;
    }

    private static void Check(Tensor stepLogits, Tensor labels, int scoredCount, EpisodeLossOptions options)
    {
        if (stepLogits.dim() != 3 || labels.dim() != 2 || stepLogits.shape[0] != labels.shape[0] || stepLogits.shape[2] != labels.shape[1])
            throw new ArgumentException($"expected (batch, time, labels) logits and (batch, labels) labels; got [{string.Join(", ", stepLogits.shape)}] and [{string.Join(", ", labels.shape)}].");
        if (scoredCount < 1 || scoredCount > labels.shape[1])
            throw new ArgumentException($"the scored labels ({scoredCount}) must be between 1 and the {labels.shape[1]} labels.");
        if (!(options.TargetReplication >= 0 && options.TargetReplication <= 1))
            throw new ArgumentException($"target replication's alpha must be in [0, 1]; got {options.TargetReplication}.");
        if (options.PositiveWeights is { } w && w.Length != labels.shape[1])
            throw new ArgumentException($"{w.Length} positive weights for {labels.shape[1]} labels.");
    }
}
