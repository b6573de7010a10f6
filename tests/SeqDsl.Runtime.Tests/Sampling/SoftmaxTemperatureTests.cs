using SeqDsl.Runtime.Sampling;

namespace SeqDsl.Runtime.Tests.Sampling;

public class SoftmaxTemperatureTests
{
    [Theory]
    [InlineData(0.2)]
    [InlineData(0.5)]
    [InlineData(1.0)]
    [InlineData(1.2)]
    [InlineData(3.0)]
    public void Reweight_equals_the_power_formula_on_random_distributions(double temperature)
    {
        var random = new Random(20240801);
        for (int trial = 0; trial < 50; trial++)
        {
            // Entries in [0.01, 1]: p^(1/T) stays far from underflow for these T, so the direct formula is a fair reference.
            var p = Normalized(Enumerable.Range(0, random.Next(2, 30)).Select(_ => 0.01 + random.NextDouble()).ToArray());
            var powered = p.Select(x => Math.Pow(x, 1 / temperature)).ToArray();
            var expected = powered.Select(x => x / powered.Sum()).ToArray();

            var actual = SoftmaxTemperature.Reweight(p, temperature);

            AssertClose(expected, actual, 1e-12);
        }
    }

    [Fact]
    public void Temperature_one_leaves_the_distribution_unchanged_and_renormalizes_a_sum_other_than_one()
    {
        var p = new[] { 0.1, 0.0, 0.25, 0.6, 0.05 };
        AssertClose(p, SoftmaxTemperature.Reweight(p, 1.0), 1e-15);
        AssertClose(new[] { 0.5, 0.25, 0.25, 0.0 }, SoftmaxTemperature.Reweight(new[] { 2.0, 1.0, 1.0, 0.0 }, 1.0), 1e-15);
        // Counts work as well as probabilities: p^(1/T) / Σ does not care about scale.
        AssertClose(SoftmaxTemperature.Reweight(new[] { 0.5, 0.25, 0.25 }, 0.3), SoftmaxTemperature.Reweight(new[] { 2.0, 1.0, 1.0 }, 0.3), 1e-15);
    }

    [Theory]
    [InlineData(0.2)]
    [InlineData(0.5)]
    [InlineData(1.0)]
    [InlineData(3.0)]
    public void FromLogits_equals_softmax_of_logits_over_temperature(double temperature)
    {
        var random = new Random(7);
        for (int trial = 0; trial < 50; trial++)
        {
            var logits = Enumerable.Range(0, random.Next(2, 30)).Select(_ => (float)(random.NextDouble() * 10 - 5)).ToArray();
            var exp = logits.Select(l => Math.Exp(l / temperature)).ToArray();
            var expected = exp.Select(x => x / exp.Sum()).ToArray();

            AssertClose(expected, SoftmaxTemperature.FromLogits(logits, temperature), 1e-12);
        }
    }

    [Fact]
    public void FromLogits_at_temperature_one_agrees_with_Reweight_of_the_softmax()
    {
        var logits = new[] { 0.3f, -1.2f, 2.5f, 0.0f };
        var softmax = SoftmaxTemperature.FromLogits(logits, 1.0);
        AssertClose(SoftmaxTemperature.Reweight(softmax, 0.4), SoftmaxTemperature.FromLogits(logits, 0.4), 1e-12);
    }

    [Theory]
    [InlineData(1e-4)]
    [InlineData(1e-6)]
    [InlineData(1e-300)]
    public void Tiny_probabilities_zeros_and_tiny_temperatures_give_a_finite_distribution(double temperature)
    {
        var p = new[] { 1e-300, 0.0, 0.3, 0.7, 1e-300, double.Epsilon };

        var q = SoftmaxTemperature.Reweight(p, temperature);

        Assert.All(q, x => Assert.True(double.IsFinite(x) && x >= 0));
        Assert.Equal(1.0, q.Sum(), 12);
        Assert.True(q[3] > 1 - 1e-12);
        Assert.Equal(0.0, q[1]);   // a zero stays exactly zero
    }

    [Fact]
    public void Tiny_probabilities_survive_temperature_one_and_zeros_survive_a_huge_temperature()
    {
        var p = new[] { 1e-300, 0.0, 0.3, 0.7 };
        var same = SoftmaxTemperature.Reweight(p, 1.0);
        Assert.Equal(1.0, same[0] / 1e-300, 10);

        var flat = SoftmaxTemperature.Reweight(p, 1e6);
        Assert.Equal(0.0, flat[1]);
        // At T = 1e6 each nonzero entry gets about a third: even 1e-300^(1e-6) ≈ 0.9993.
        Assert.All(new[] { flat[0], flat[2], flat[3] }, x => Assert.Equal(1.0 / 3, x, 3));
    }

    [Theory]
    [InlineData(1.0)]
    [InlineData(1e-4)]
    [InlineData(100.0)]
    public void Large_logits_work(double temperature)
    {
        var logits = new[] { 1e4f, -1e4f, 9999f, 0f, float.NegativeInfinity };

        var q = SoftmaxTemperature.FromLogits(logits, temperature);

        Assert.All(q, x => Assert.True(double.IsFinite(x) && x >= 0));
        Assert.Equal(1.0, q.Sum(), 12);
        Assert.Equal(0.0, q[4]);   // -∞ means impossible
        Assert.True(q[0] > 0.5 && q[0] >= q[2] && q[2] >= q[3] && q[3] >= q[1]);
        if (temperature == 1.0)
            Assert.Equal(Math.E, q[0] / q[2], 10);
    }

    [Fact]
    public void Lower_temperature_concentrates_the_distribution()
    {
        var random = new Random(3);
        for (int trial = 0; trial < 20; trial++)
        {
            var p = Normalized(Enumerable.Range(0, 8).Select(_ => random.NextDouble() + 1e-3).ToArray());
            var entropies = new[] { 1.2, 1.0, 0.5, 0.2 }.Select(t => Entropy(SoftmaxTemperature.Reweight(p, t))).ToArray();
            for (int i = 1; i < entropies.Length; i++)
                Assert.True(entropies[i] < entropies[i - 1], $"entropy {entropies[i]} at step {i} is not below {entropies[i - 1]}");
        }
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(-1.0)]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public void Invalid_temperatures_are_rejected_by_both_entry_points(double temperature)
    {
        var message = $"temperature must be a number greater than 0; received {temperature.ToString(System.Globalization.CultureInfo.InvariantCulture)}";
        Assert.Equal(message, Assert.Throws<ArgumentException>(() => SoftmaxTemperature.Reweight(new[] { 0.5, 0.5 }, temperature)).Message);
        Assert.Equal(message, Assert.Throws<ArgumentException>(() => SoftmaxTemperature.FromLogits(new[] { 0f, 1f }, temperature)).Message);
    }

    [Fact]
    public void Vectors_that_are_not_distributions_are_rejected()
    {
        Assert.Contains("empty", Assert.Throws<ArgumentException>(() => SoftmaxTemperature.Reweight(Array.Empty<double>(), 1)).Message);
        Assert.Contains("probabilities[1] is -0.1", Assert.Throws<ArgumentException>(() => SoftmaxTemperature.Reweight(new[] { 0.5, -0.1 }, 1)).Message);
        Assert.Contains("probabilities[0] is NaN", Assert.Throws<ArgumentException>(() => SoftmaxTemperature.Reweight(new[] { double.NaN, 1 }, 1)).Message);
        Assert.Contains("Infinity", Assert.Throws<ArgumentException>(() => SoftmaxTemperature.Reweight(new[] { double.PositiveInfinity, 1 }, 1)).Message);
        Assert.Contains("positive sum", Assert.Throws<ArgumentException>(() => SoftmaxTemperature.Reweight(new[] { 0.0, 0.0 }, 1)).Message);

        Assert.Contains("empty", Assert.Throws<ArgumentException>(() => SoftmaxTemperature.FromLogits(Array.Empty<float>(), 1)).Message);
        Assert.Contains("logits[1] is NaN", Assert.Throws<ArgumentException>(() => SoftmaxTemperature.FromLogits(new[] { 0f, float.NaN }, 1)).Message);
        Assert.Contains("logits[0] is Infinity", Assert.Throws<ArgumentException>(() => SoftmaxTemperature.FromLogits(new[] { float.PositiveInfinity, 0f }, 1)).Message);
        Assert.Contains("finite", Assert.Throws<ArgumentException>(() => SoftmaxTemperature.FromLogits(new[] { float.NegativeInfinity, float.NegativeInfinity }, 1)).Message);
    }

    internal static double[] Normalized(double[] weights) => weights.Select(w => w / weights.Sum()).ToArray();

    private static double Entropy(double[] p) => -p.Where(x => x > 0).Sum(x => x * Math.Log(x));

    internal static void AssertClose(double[] expected, double[] actual, double tolerance)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= tolerance, $"[{i}]: expected {expected[i]:R}, got {actual[i]:R}");
    }
}
