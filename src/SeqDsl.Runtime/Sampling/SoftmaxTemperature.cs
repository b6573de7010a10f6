using System;

namespace SeqDsl.Runtime.Sampling;

/// <summary>
/// Softmax temperature reweighting (Chollet, Deep Learning with Python, 8.1): p_i^(1/T) / Σ_j p_j^(1/T).
/// Both entry points work in log space relative to the largest entry, so tiny probabilities, huge logits
/// and temperatures close to 0 give exact zeros rather than NaN or infinity.
/// </summary>
public static class SoftmaxTemperature
{
    /// <summary>
    /// Reweights a probability vector by <paramref name="temperature"/>: p_i^(1/T) / Σ_j p_j^(1/T).
    /// Entries must be non-negative and finite with a positive sum (a sum other than 1 is renormalized);
    /// zero entries stay zero.
    /// </summary>
    /// <exception cref="ArgumentException">Invalid temperature, empty vector, a negative or non-finite entry, or all zeros.</exception>
    public static double[] Reweight(ReadOnlySpan<double> probabilities, double temperature)
    {
        SamplingOptions.CheckTemperature(temperature);
        int top = CheckProbabilities(probabilities);
        // (log p_i - log p_max) / T ≤ 0, and 0 for the largest entry: the exponentials lie in [0, 1] with at
        // least one 1, so the sum neither overflows nor vanishes. Dividing the difference (rather than
        // subtracting two quotients) keeps a tiny T from turning both terms into -∞ and their difference into NaN.
        double logMax = Math.Log(probabilities[top]);
        var result = new double[probabilities.Length];
        double total = 0;
        for (int i = 0; i < probabilities.Length; i++)
        {
            double p = probabilities[i];
            if (p > 0)
            {
                result[i] = Math.Exp((Math.Log(p) - logMax) / temperature);
                total += result[i];
            }
        }
        return Normalize(result, total);
    }

    /// <summary>
    /// softmax(logits / <paramref name="temperature"/>) from unnormalized log-probabilities, computed stably.
    /// A logit of -∞ gets probability 0; NaN, +∞ or no finite logit at all is an error.
    /// </summary>
    /// <exception cref="ArgumentException">Invalid temperature, empty vector, or a NaN / +∞ logit, or every logit -∞.</exception>
    public static double[] FromLogits(ReadOnlySpan<float> logits, double temperature)
    {
        SamplingOptions.CheckTemperature(temperature);
        int top = CheckLogits(logits);
        double max = logits[top];
        var result = new double[logits.Length];
        double total = 0;
        for (int i = 0; i < logits.Length; i++)
        {
            // In double: (l_i - max) of two floats is exact enough, and the division by a small T may exceed float range.
            result[i] = Math.Exp((logits[i] - max) / temperature);
            total += result[i];
        }
        return Normalize(result, total);
    }

    /// <summary>Checks a probability vector and returns the index of its largest entry (ties: the lowest index).</summary>
    internal static int CheckProbabilities(ReadOnlySpan<double> probabilities)
    {
        if (probabilities.IsEmpty)
            throw new ArgumentException("probabilities must not be empty", nameof(probabilities));
        int top = 0;
        for (int i = 0; i < probabilities.Length; i++)
        {
            double p = probabilities[i];
            if (!(p >= 0) || double.IsPositiveInfinity(p))
                throw new ArgumentException(
                    $"probabilities must be non-negative and finite; probabilities[{i}] is {SamplingOptions.Format(p)}", nameof(probabilities));
            if (p > probabilities[top]) top = i;
        }
        if (!(probabilities[top] > 0))
            throw new ArgumentException("probabilities must have a positive sum; every entry is 0", nameof(probabilities));
        return top;
    }

    /// <summary>Checks a logit vector and returns the index of its largest entry (ties: the lowest index).</summary>
    internal static int CheckLogits(ReadOnlySpan<float> logits)
    {
        if (logits.IsEmpty)
            throw new ArgumentException("logits must not be empty", nameof(logits));
        int top = 0;
        for (int i = 0; i < logits.Length; i++)
        {
            float l = logits[i];
            if (float.IsNaN(l) || float.IsPositiveInfinity(l))
                throw new ArgumentException($"logits must not be NaN or +Infinity; logits[{i}] is {SamplingOptions.Format(l)}", nameof(logits));
            if (l > logits[top]) top = i;
        }
        if (float.IsNegativeInfinity(logits[top]))
            throw new ArgumentException("logits must have at least one finite entry; every entry is -Infinity", nameof(logits));
        return top;
    }

    private static double[] Normalize(double[] weights, double total)
    {
        for (int i = 0; i < weights.Length; i++) weights[i] /= total;
        return weights;
    }
}
