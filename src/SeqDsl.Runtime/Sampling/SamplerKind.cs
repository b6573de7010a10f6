namespace SeqDsl.Runtime.Sampling;

/// <summary>How <see cref="Sampler"/> picks the next symbol from the model's output.</summary>
public enum SamplerKind
{
    /// <summary>Always the most likely symbol (ties: the lowest index); temperature, top-k and top-p have no effect.</summary>
    Greedy,

    /// <summary>A random draw from the reweighted, optionally truncated distribution.</summary>
    Stochastic,
}
