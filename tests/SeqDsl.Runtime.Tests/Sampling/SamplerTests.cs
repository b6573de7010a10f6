using SeqDsl.Runtime.Sampling;
using static SeqDsl.Runtime.Tests.Sampling.SoftmaxTemperatureTests;

namespace SeqDsl.Runtime.Tests.Sampling;

public class SamplerTests
{
    private static readonly double[] Six = { 0.05, 0.30, 0.15, 0.20, 0.10, 0.20 };

    // 0.999 quantile of the chi-square distribution with 5 degrees of freedom (6 symbols).
    private const double ChiSquareCritical = 20.52;

    private static float[] LogitsOf(double[] p) => p.Select(x => (float)Math.Log(x)).ToArray();

    [Fact]
    public void Stochastic_draws_match_the_distribution_at_temperature_one()
    {
        var fromProbabilities = new Sampler(new SamplingOptions(), seed: 11);
        var fromLogits = new Sampler(new SamplingOptions(), seed: 12);
        var logits = LogitsOf(Six);

        var chi1 = ChiSquare(Draw(20_000, () => fromProbabilities.NextFromProbabilities(Six)), Six);
        var chi2 = ChiSquare(Draw(20_000, () => fromLogits.Next(logits)), Six);

        Assert.True(chi1 < ChiSquareCritical, $"chi-square {chi1} (probabilities)");
        Assert.True(chi2 < ChiSquareCritical, $"chi-square {chi2} (logits)");
    }

    [Fact]
    public void Stochastic_draws_match_the_reweighted_distribution_at_temperature_one_half()
    {
        var options = new SamplingOptions { Temperature = 0.5 };
        var squared = Normalized(Six.Select(p => p * p).ToArray());   // p^(1/0.5), renormalized
        var fromProbabilities = new Sampler(options, seed: 21);
        var fromLogits = new Sampler(options, seed: 22);
        var logits = LogitsOf(Six);

        var chi1 = ChiSquare(Draw(20_000, () => fromProbabilities.NextFromProbabilities(Six)), squared);
        var chi2 = ChiSquare(Draw(20_000, () => fromLogits.Next(logits)), squared);

        Assert.True(chi1 < ChiSquareCritical, $"chi-square {chi1} (probabilities)");
        Assert.True(chi2 < ChiSquareCritical, $"chi-square {chi2} (logits)");
        // The test has power: the same draws are far from the untempered distribution.
        Assert.True(ChiSquare(Draw(20_000, () => fromProbabilities.NextFromProbabilities(Six)), Six) > 100);
    }

    [Fact]
    public void The_same_seed_reproduces_the_draws_and_another_seed_does_not()
    {
        var logits = LogitsOf(Six);
        int[] Run(Sampler s) => Enumerable.Range(0, 1000).Select(_ => s.Next(logits)).ToArray();

        var first = Run(new Sampler(new SamplingOptions(), 5));
        Assert.Equal(first, Run(new Sampler(new SamplingOptions(), 5)));
        Assert.Equal(first, Run(new Sampler(new SamplingOptions(), new Random(5))));
        Assert.NotEqual(first, Run(new Sampler(new SamplingOptions(), 6)));
    }

    [Theory]
    [InlineData(1e-6)]
    [InlineData(0.5)]
    [InlineData(1.0)]
    [InlineData(3.0)]
    [InlineData(1e6)]
    public void Greedy_is_the_argmax_whatever_the_temperature(double temperature)
    {
        var sampler = new Sampler(new SamplingOptions { Kind = SamplerKind.Greedy, Temperature = temperature, TopK = 3 }, 1);
        var logits = new[] { 0.1f, 2.0f, -1f, 1.9f, 0.5f };

        Assert.All(Enumerable.Range(0, 100), _ => Assert.Equal(1, sampler.Next(logits)));
        Assert.Equal(new[] { 0.0, 1, 0, 0, 0 }, sampler.Distribution(logits));
        Assert.Equal(1, sampler.NextFromProbabilities(SoftmaxTemperature.FromLogits(logits, 1)));
    }

    [Fact]
    public void Greedy_breaks_ties_by_the_lowest_index()
    {
        var sampler = new Sampler(new SamplingOptions { Kind = SamplerKind.Greedy }, 1);
        Assert.Equal(2, sampler.Next(new[] { 0f, 1f, 3f, 3f, 3f }));
        Assert.Equal(new[] { 0.0, 0, 1, 0, 0 }, sampler.Distribution(new[] { 0f, 1f, 3f, 3f, 3f }));
        Assert.Equal(1, sampler.NextFromProbabilities(new[] { 0.1, 0.45, 0.45 }));
    }

    [Fact]
    public void A_tiny_temperature_samples_like_greedy()
    {
        var sampler = new Sampler(new SamplingOptions { Temperature = 1e-6 }, 3);
        var logits = new[] { 1.0f, 1.2f, 0.9f, 1.19f };

        Assert.All(Enumerable.Range(0, 1000), _ => Assert.Equal(1, sampler.Next(logits)));
        Assert.All(Enumerable.Range(0, 1000), _ => Assert.Equal(1, sampler.NextFromProbabilities(new[] { 0.25, 0.26, 0.24, 0.25 })));
        Assert.Equal(new[] { 0.0, 1, 0, 0 }, sampler.Distribution(logits));
    }

    [Fact]
    public void Top_k_keeps_exactly_k_symbols_and_never_draws_the_others()
    {
        var sampler = new Sampler(new SamplingOptions { TopK = 2 }, 4);
        var logits = LogitsOf(Six);   // the two most likely: 1 (0.30), then 3 (0.20, lower index than 5)

        var distribution = sampler.Distribution(logits);
        AssertClose(new[] { 0, 0.6, 0, 0.4, 0, 0 }, distribution, 1e-6);

        var counts = Draw(5000, () => sampler.Next(logits));
        Assert.Equal(5000, counts[1] + counts[3]);
        Assert.True(counts[1] > counts[3]);
        Assert.Equal(5000, Draw(5000, () => sampler.NextFromProbabilities(Six)).Where((_, i) => i is 1 or 3).Sum());

        var one = new Sampler(new SamplingOptions { TopK = 1 }, 4);
        Assert.All(Enumerable.Range(0, 200), _ => Assert.Equal(1, one.Next(logits)));
    }

    [Fact]
    public void Top_k_larger_than_the_vocabulary_keeps_everything()
    {
        var logits = LogitsOf(Six);
        var plain = new Sampler(new SamplingOptions(), 9);
        var wide = new Sampler(new SamplingOptions { TopK = 100 }, 9);

        AssertClose(plain.Distribution(logits), wide.Distribution(logits), 0);
        Assert.Equal(Enumerable.Range(0, 500).Select(_ => plain.Next(logits)), Enumerable.Range(0, 500).Select(_ => wide.Next(logits)));
    }

    [Theory]
    [InlineData(0.2, new[] { 1 })]           // 0.30 reaches 0.2
    [InlineData(0.45, new[] { 1, 3 })]       // 0.30 < 0.45 ≤ 0.50
    [InlineData(0.6, new[] { 1, 3, 5 })]     // 0.50 < 0.6 ≤ 0.70
    [InlineData(0.8, new[] { 1, 2, 3, 5 })]  // 0.70 < 0.8 ≤ 0.85
    [InlineData(1.0, new[] { 0, 1, 2, 3, 4, 5 })]
    public void Top_p_keeps_the_smallest_set_of_likeliest_symbols_reaching_p(double topP, int[] kept)
    {
        var sampler = new Sampler(new SamplingOptions { TopP = topP }, 8);
        var expected = new double[Six.Length];
        foreach (int i in kept) expected[i] = Six[i] / kept.Sum(j => Six[j]);

        AssertClose(expected, sampler.Distribution(LogitsOf(Six)), 1e-6);
        var counts = Draw(3000, () => sampler.NextFromProbabilities(Six));
        for (int i = 0; i < Six.Length; i++)
            Assert.Equal(kept.Contains(i), counts[i] > 0);
    }

    [Fact]
    public void Top_p_reaching_p_exactly_does_not_keep_an_extra_symbol()
    {
        var sampler = new Sampler(new SamplingOptions { TopP = 0.75 }, 1);
        var counts = Draw(2000, () => sampler.NextFromProbabilities(new[] { 0.5, 0.25, 0.125, 0.125 }));
        Assert.Equal(0, counts[2] + counts[3]);
    }

    [Fact]
    public void Temperature_is_applied_before_top_p_and_top_k()
    {
        var p = new[] { 0.5, 0.3, 0.2 };
        var logits = LogitsOf(p);

        // T = 0.25: p^4 ∝ (0.8657, 0.1122, 0.0222), so 0.75 is reached by the first symbol alone;
        // cutting first would have kept two (0.5 < 0.75 ≤ 0.8).
        var sharp = new Sampler(new SamplingOptions { Temperature = 0.25, TopP = 0.75 }, 1);
        AssertClose(new[] { 1.0, 0, 0 }, sharp.Distribution(logits), 1e-12);
        Assert.All(Enumerable.Range(0, 500), _ => Assert.Equal(0, sharp.NextFromProbabilities(p)));

        // T = 3 flattens to (0.3875, 0.3268, 0.2857): reaching 0.75 needs all three; cutting first would have kept two.
        var flat = new Sampler(new SamplingOptions { Temperature = 3, TopP = 0.75 }, 1);
        AssertClose(SoftmaxTemperature.Reweight(p, 3), flat.Distribution(logits), 1e-6);

        // Top-k keeps the same symbols at any temperature, but their weights are the tempered ones.
        var topK = new Sampler(new SamplingOptions { Temperature = 0.5, TopK = 2 }, 1);
        AssertClose(new[] { 0.25 / 0.34, 0.09 / 0.34, 0 }, topK.Distribution(logits), 1e-6);

        // Top-p then sees the distribution renormalized after top-k: (0.735, 0.265) needs both symbols for 0.8.
        var both = new Sampler(new SamplingOptions { Temperature = 0.5, TopK = 2, TopP = 0.8 }, 1);
        AssertClose(new[] { 0.25 / 0.34, 0.09 / 0.34, 0 }, both.Distribution(logits), 1e-6);
        var bothTight = new Sampler(new SamplingOptions { Temperature = 0.5, TopK = 2, TopP = 0.7 }, 1);
        AssertClose(new[] { 1.0, 0, 0 }, bothTight.Distribution(logits), 1e-12);
    }

    [Fact]
    public void A_stochastic_distribution_sums_to_one_and_never_draws_a_masked_symbol()
    {
        var sampler = new Sampler(new SamplingOptions { Temperature = 0.7 }, 2);
        var logits = new[] { 2f, float.NegativeInfinity, 1f, 0f };

        Assert.Equal(1.0, sampler.Distribution(logits).Sum(), 12);
        Assert.Equal(0, Draw(2000, () => sampler.Next(logits))[1]);
        Assert.Equal(0, Draw(2000, () => sampler.NextFromProbabilities(new[] { 0.5, 0.0, 0.3, 0.2 }))[1]);
    }

    [Fact]
    public void Invalid_inputs_are_rejected_in_both_modes()
    {
        foreach (var kind in new[] { SamplerKind.Greedy, SamplerKind.Stochastic })
        {
            var sampler = new Sampler(new SamplingOptions { Kind = kind }, 1);
            Assert.Throws<ArgumentException>(() => sampler.Next(Array.Empty<float>()));
            Assert.Throws<ArgumentException>(() => sampler.Next(new[] { 1f, float.NaN }));
            Assert.Throws<ArgumentException>(() => sampler.Distribution(new[] { float.NegativeInfinity }));
            Assert.Throws<ArgumentException>(() => sampler.NextFromProbabilities(new[] { 0.5, -0.5 }));
            Assert.Throws<ArgumentException>(() => sampler.NextFromProbabilities(new[] { 0.0, 0.0 }));
        }
    }

    [Fact]
    public void The_constructor_validates_and_keeps_the_options()
    {
        var options = new SamplingOptions { Temperature = 0.5, TopK = 3 };
        Assert.Same(options, new Sampler(options, 1).Options);
        Assert.Contains("temperature", Assert.Throws<ArgumentException>(() => new Sampler(options with { Temperature = 0 }, 1)).Message);
        Assert.Contains("top_p", Assert.Throws<ArgumentException>(() => new Sampler(options with { TopP = 2 }, new Random(1))).Message);
        Assert.Throws<ArgumentNullException>(() => new Sampler(null!, 1));
        Assert.Throws<ArgumentNullException>(() => new Sampler(options, null!));
    }

    private static int[] Draw(int n, Func<int> next)
    {
        var counts = new int[Six.Length];
        for (int i = 0; i < n; i++) counts[next()]++;
        return counts;
    }

    private static double ChiSquare(int[] counts, double[] p)
    {
        double n = counts.Sum();
        return counts.Select((c, i) => (c - n * p[i]) * (c - n * p[i]) / (n * p[i])).Sum();
    }
}
