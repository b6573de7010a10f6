using System;
using System.Globalization;

namespace SeqDsl.Runtime.Sampling;

/// <summary>
/// How the next symbol is chosen when generating a sequence: greedy, or a draw from the softmax output
/// reweighted by a temperature and optionally cut to the top-k symbols or the top-p nucleus.
/// </summary>
public sealed record SamplingOptions
{
    /// <summary>Greedy (argmax) or stochastic (a random draw). Stochastic by default.</summary>
    public SamplerKind Kind { get; init; } = SamplerKind.Stochastic;

    /// <summary>
    /// Softmax temperature: the distribution becomes p_i^(1/T) / Σ_j p_j^(1/T). Below 1 it concentrates on the
    /// likely symbols (a tiny value behaves like greedy), above 1 it flattens. Must be finite and greater than 0.
    /// </summary>
    public double Temperature { get; init; } = 1.0;

    /// <summary>When set, only the k most likely symbols (after the temperature) can be drawn; k ≥ 1. A k above the vocabulary size keeps every symbol.</summary>
    public int? TopK { get; init; }

    /// <summary>When set, only the smallest set of most likely symbols whose probability reaches p can be drawn (nucleus sampling); 0 &lt; p ≤ 1.</summary>
    public double? TopP { get; init; }

    /// <summary>Throws an <see cref="ArgumentException"/> naming the first invalid option and its value.</summary>
    public void Validate()
    {
        CheckTemperature(Temperature);
        if (TopK is int k && k < 1)
            throw new ArgumentException($"top_k must be an integer of at least 1; received {Format(k)}");
        if (TopP is double p && !(p > 0 && p <= 1))
            throw new ArgumentException($"top_p must be a number greater than 0 and at most 1; received {Format(p)}");
    }

    // Shared with SoftmaxTemperature so that every entry point words the error the same way.
    // The message carries no "(Parameter ...)" suffix: it is shown as-is to whoever wrote the option.
    internal static void CheckTemperature(double temperature)
    {
        if (!(temperature > 0) || double.IsPositiveInfinity(temperature))
            throw new ArgumentException($"temperature must be a number greater than 0; received {Format(temperature)}");
    }

    // Invariant culture: "1.5" rather than "1,5", whatever the machine's locale.
    internal static string Format(double value) => value.ToString(CultureInfo.InvariantCulture);

    internal static string Format(int value) => value.ToString(CultureInfo.InvariantCulture);
}
