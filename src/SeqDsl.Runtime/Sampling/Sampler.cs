using System;

namespace SeqDsl.Runtime.Sampling;

/// <summary>
/// Picks the next symbol from a model's output, as in the lecture's text generation loop: greedy (argmax), or one
/// draw from the temperature-reweighted distribution, optionally cut to the top-k symbols and then the top-p nucleus.
/// Draws come from one <see cref="Random"/>, so a seed reproduces a generated sequence. Not thread-safe.
/// </summary>
public sealed class Sampler
{
    // Slack for "the cumulative probability reaches p": a sum that equals p mathematically may round to just
    // below it, which would keep one extra symbol.
    private const double TopPTolerance = 1e-12;

    private readonly Random _random;

    /// <summary>A sampler drawing from <c>new Random(seed)</c>: the same seed gives the same choices.</summary>
    /// <exception cref="ArgumentException"><paramref name="options"/> is invalid (see <see cref="SamplingOptions.Validate"/>).</exception>
    public Sampler(SamplingOptions options, int seed)
        : this(options, new Random(seed))
    {
    }

    /// <summary>A sampler drawing from <paramref name="random"/>, which it advances by one uniform per stochastic draw.</summary>
    /// <exception cref="ArgumentException"><paramref name="options"/> is invalid (see <see cref="SamplingOptions.Validate"/>).</exception>
    public Sampler(SamplingOptions options, Random random)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(random);
        options.Validate();
        Options = options;
        _random = random;
    }

    /// <summary>The options this sampler was built with (validated).</summary>
    public SamplingOptions Options { get; }

    /// <summary>
    /// The distribution the next draw uses: softmax(logits / T), then top-k, then top-p, renormalized after each cut.
    /// For <see cref="SamplerKind.Greedy"/>, one-hot on the argmax (ties: the lowest index).
    /// </summary>
    public double[] Distribution(ReadOnlySpan<float> logits)
    {
        if (Options.Kind == SamplerKind.Greedy)
            return OneHot(logits.Length, SoftmaxTemperature.CheckLogits(logits));
        return Truncate(SoftmaxTemperature.FromLogits(logits, Options.Temperature));
    }

    /// <summary>The next symbol from logits: the argmax when greedy, otherwise one draw from <see cref="Distribution"/>.</summary>
    public int Next(ReadOnlySpan<float> logits)
    {
        if (Options.Kind == SamplerKind.Greedy)
            return SoftmaxTemperature.CheckLogits(logits);
        return Draw(Truncate(SoftmaxTemperature.FromLogits(logits, Options.Temperature)));
    }

    /// <summary>
    /// The next symbol from probabilities (a model whose last layer is a softmax): the argmax when greedy, otherwise one
    /// draw after temperature reweighting (<see cref="SoftmaxTemperature.Reweight"/>), top-k and top-p.
    /// </summary>
    public int NextFromProbabilities(ReadOnlySpan<double> probabilities)
    {
        if (Options.Kind == SamplerKind.Greedy)
            return SoftmaxTemperature.CheckProbabilities(probabilities);
        return Draw(Truncate(SoftmaxTemperature.Reweight(probabilities, Options.Temperature)));
    }

    private static double[] OneHot(int length, int index)
    {
        var result = new double[length];
        result[index] = 1;
        return result;
    }

    /// <summary>Applies top-k, then top-p to a normalized distribution, in place; returns it renormalized.</summary>
    private double[] Truncate(double[] probabilities)
    {
        int n = probabilities.Length;
        int keep = Math.Min(Options.TopK ?? n, n);
        if (keep == n && Options.TopP is null)
            return probabilities;

        // Most likely first; equal probabilities in index order, so the cut is deterministic.
        var order = new int[n];
        for (int i = 0; i < n; i++) order[i] = i;
        Array.Sort(order, (a, b) =>
        {
            int byProbability = probabilities[b].CompareTo(probabilities[a]);
            return byProbability != 0 ? byProbability : a.CompareTo(b);
        });

        if (Options.TopP is double topP)
        {
            // Top-p sees the distribution renormalized after top-k, hence the comparison against p * (mass kept).
            double kept = 0;
            for (int j = 0; j < keep; j++) kept += probabilities[order[j]];
            double target = (topP - TopPTolerance) * kept;
            double cumulative = 0;
            int count = 0;
            while (count < keep)
            {
                cumulative += probabilities[order[count++]];
                if (cumulative >= target) break;
            }
            keep = count;
        }

        double total = 0;
        for (int j = 0; j < n; j++)
        {
            if (j < keep) total += probabilities[order[j]];
            else probabilities[order[j]] = 0;
        }
        for (int i = 0; i < n; i++) probabilities[i] /= total;
        return probabilities;
    }

    /// <summary>Inverse CDF with one uniform: the first symbol whose cumulative probability exceeds it.</summary>
    private int Draw(double[] probabilities)
    {
        double total = 0;
        foreach (double p in probabilities) total += p;
        double u = _random.NextDouble() * total;
        double cumulative = 0;
        int last = -1;
        for (int i = 0; i < probabilities.Length; i++)
        {
            if (!(probabilities[i] > 0)) continue;   // a symbol with probability 0 is never drawn
            last = i;
            cumulative += probabilities[i];
            if (u < cumulative) return i;
        }
        // u * total rounded up to total: the last symbol that can be drawn.
        return last;
    }
}
