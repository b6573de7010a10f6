using System.Globalization;
using SeqDsl.Runtime.Sampling;

namespace SeqDsl.Runtime.Tests.Sampling;

public class SamplingOptionsTests
{
    [Fact]
    public void Defaults_are_stochastic_at_temperature_one_without_truncation()
    {
        var options = new SamplingOptions();
        Assert.Equal(SamplerKind.Stochastic, options.Kind);
        Assert.Equal(1.0, options.Temperature);
        Assert.Null(options.TopK);
        Assert.Null(options.TopP);
        options.Validate();
    }

    [Theory]
    [InlineData(0.0, "temperature must be a number greater than 0; received 0")]
    [InlineData(-1.0, "temperature must be a number greater than 0; received -1")]
    [InlineData(double.NaN, "temperature must be a number greater than 0; received NaN")]
    [InlineData(double.PositiveInfinity, "temperature must be a number greater than 0; received Infinity")]
    public void An_invalid_temperature_is_named_with_its_value(double temperature, string message)
    {
        var error = Assert.Throws<ArgumentException>(() => new SamplingOptions { Temperature = temperature }.Validate());
        Assert.Equal(message, error.Message);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-3)]
    public void An_invalid_top_k_is_named_with_its_value(int topK)
    {
        var error = Assert.Throws<ArgumentException>(() => new SamplingOptions { TopK = topK }.Validate());
        Assert.Equal($"top_k must be an integer of at least 1; received {topK}", error.Message);
    }

    [Theory]
    [InlineData(0.0, "0")]
    [InlineData(1.5, "1.5")]
    [InlineData(-0.1, "-0.1")]
    [InlineData(double.NaN, "NaN")]
    public void An_invalid_top_p_is_named_with_its_value(double topP, string shown)
    {
        var error = Assert.Throws<ArgumentException>(() => new SamplingOptions { TopP = topP }.Validate());
        Assert.Equal($"top_p must be a number greater than 0 and at most 1; received {shown}", error.Message);
    }

    [Fact]
    public void Boundary_values_are_valid()
    {
        new SamplingOptions { Temperature = 1e-6, TopK = 1, TopP = 1.0 }.Validate();
        new SamplingOptions { Temperature = 1e6, TopK = int.MaxValue, TopP = 1e-9 }.Validate();
        new SamplingOptions { Kind = SamplerKind.Greedy, Temperature = 1e-300 }.Validate(); // the smallest normal-range values; subnormals read as 0 once denormals are flushed
    }

    [Fact]
    public void Values_are_shown_the_same_in_any_culture()
    {
        var saved = CultureInfo.CurrentCulture;
        try
        {
            CultureInfo.CurrentCulture = new CultureInfo("de-DE");
            var error = Assert.Throws<ArgumentException>(() => new SamplingOptions { TopP = 1.5 }.Validate());
            Assert.EndsWith("received 1.5", error.Message);
        }
        finally
        {
            CultureInfo.CurrentCulture = saved;
        }
    }
}
