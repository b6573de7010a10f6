using SeqDsl.Generator.Tests.Infrastructure;

namespace SeqDsl.Generator.Tests;

/// <summary>Messages that say where a key belongs, and YAML errors reported where the mistake is (1-based line and column).</summary>
public class MessageTests
{
    private const string Head = "model: Tiny\ninput: { features: 3 }\nlayers:\n  - gru: { units: 4 }\n  - dense: { units: 1 }\n";

    private static Microsoft.CodeAnalysis.Diagnostic Single(string spec) => Assert.Single(GeneratorHarness.Run(("tiny.yaml", spec)).Seq);

    private static (int Line, int Column) At(Microsoft.CodeAnalysis.Diagnostic d)
    {
        var start = d.Location.GetLineSpan().StartLinePosition;
        return (start.Line + 1, start.Character + 1);
    }

    [Fact]
    public void An_unknown_top_level_key_lists_every_section()
    {
        var d = Single(Head + "optimiser: adam\n");

        Assert.Equal("SEQ2001", d.Id);
        Assert.Equal((6, 1), At(d));
        Assert.Contains("Expected one of: model, namespace, description, input, layers, channels, data, text, episodes, training, sampling, baseline", d.GetMessage());
    }

    [Theory]
    [InlineData("validation_steps: 3\n", "'validation_steps' belongs in the 'training' section")]
    [InlineData("lookback: 12\n", "'lookback' belongs in the 'data.window' section")]
    public void A_top_level_key_of_a_section_says_which(string line, string fragment)
    {
        var d = Single(Head + line);

        Assert.Equal("SEQ2001", d.Id);
        Assert.Equal((6, 1), At(d));
        Assert.Contains(fragment, d.GetMessage());
    }

    [Theory]
    [InlineData(Head + "training:\n  epochs: 3\n\tseed: 4\n", 8, 1)]
    [InlineData("model: Tiny\ninput: { features: 3 }\nlayers:\n  - gru: { units: 4 }\n\t- dense: { units: 1 }\n", 5, 1)]
    [InlineData("model: Tiny\ninput: { features: 3 }\nlayers:\n  - gru:\n      units: 4\n\t  dropout: 0.1\n", 6, 1)]
    public void A_tab_in_the_indentation_is_reported_at_the_tab(string spec, int line, int column)
    {
        var d = Single(spec);

        Assert.Equal("SEQ1001", d.Id);
        Assert.Equal((line, column), At(d));
        Assert.Contains("tab character", d.GetMessage());
        Assert.Contains("expected spaces", d.GetMessage());
    }

    [Theory]
    [InlineData(Head + "training:\n  epochs: 3\n seed: 4\n", 8, 2, "'seed' is indented by 1 space and line 7 by 2 spaces")]
    [InlineData("model: Tiny\n input: { features: 3 }\nlayers:\n  - gru: { units: 4 }\n", 2, 2, "'input' is indented by 1 space and line 1 by 0 spaces")]
    [InlineData("model: Tiny\ninput: { features: 3 }\nlayers:\n  - dense:\n    units: 1\n   activation: relu\n", 6, 4, "'activation' is indented by 3 spaces and line 5 by 4 spaces")]
    public void A_dedented_key_is_reported_at_the_key(string spec, int line, int column, string fragment)
    {
        var d = Single(spec);

        Assert.Equal("SEQ1001", d.Id);
        Assert.Equal((line, column), At(d));
        Assert.Contains(fragment, d.GetMessage());
    }
}
