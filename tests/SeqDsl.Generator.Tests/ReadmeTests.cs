using System.Text.RegularExpressions;
using SeqDsl.Generator.Tests.Infrastructure;

namespace SeqDsl.Generator.Tests;

/// <summary>
/// The README's YAML specs compile as shown, validate against the schema, and the one shown as an example file is
/// that file. A block that is partial on purpose is preceded by <c>&lt;!-- seqdsl: partial, &lt;why&gt; --&gt;</c>.
/// </summary>
public class ReadmeTests
{
    private static readonly Regex s_block = new(@"(?<marker><!--\s*seqdsl:\s*partial(?<why>[^>]*)-->\s*)?^```yaml\n(?<body>.*?)^```", RegexOptions.Singleline | RegexOptions.Multiline);

    private sealed record Block(int Line, string Body, string? PartialBecause);

    private static List<Block> Blocks()
    {
        string readme = File.ReadAllText(Path.Combine(Repo.Root, "README.md")).Replace("\r\n", "\n");
        return s_block.Matches(readme)
            .Select(m => new Block(readme.Take(m.Groups["body"].Index).Count(c => c == '\n'), m.Groups["body"].Value,
                m.Groups["marker"].Success ? m.Groups["why"].Value.Trim(' ', ',', ':') : null))
            .ToList();
    }

    /// <summary>A YAML block that is a spec: it names a model and its layers.</summary>
    private static bool IsSpec(Block block) => Regex.IsMatch(block.Body, "^model:", RegexOptions.Multiline) && Regex.IsMatch(block.Body, "^layers:", RegexOptions.Multiline);

    [Fact]
    public void Readme_spec_snippets_compile_and_validate()
    {
        var specs = Blocks().Where(IsSpec).ToList();
        Assert.True(specs.Count >= 4, $"expected the README's spec snippets, found {specs.Count}");
        foreach (var block in specs)
        {
            if (block.PartialBecause is { } why)
            {
                Assert.False(string.IsNullOrWhiteSpace(why), $"README.md line {block.Line}: a partial snippet says why");
                continue;
            }
            var result = GeneratorHarness.Run(("readme.yaml", block.Body));
            var errors = result.Diagnostics.Where(d => d.Severity == Microsoft.CodeAnalysis.DiagnosticSeverity.Error).ToList();
            Assert.True(errors.Count == 0, $"README.md line {block.Line}: the spec does not build:\n{string.Join("\n", errors)}\n{block.Body}");
            var schemaErrors = SchemaValidator.Errors(block.Body);
            Assert.True(schemaErrors.Count == 0, $"README.md line {block.Line}: the spec fails the schema:\n{string.Join("\n", schemaErrors)}");
        }
    }

    [Fact]
    public void The_readme_shows_weather_gru_yaml_as_it_is()
    {
        string readme = File.ReadAllText(Path.Combine(Repo.Root, "README.md")).Replace("\r\n", "\n");
        const string Header = "<th>examples/Weather/weather_gru.yaml</th>";
        int header = readme.IndexOf(Header, StringComparison.Ordinal);
        Assert.True(header >= 0, "the README's table shows examples/Weather/weather_gru.yaml");
        var shown = Blocks().First(b => readme.Take(header).Count(c => c == '\n') < b.Line);
        Assert.Equal(File.ReadAllText(Path.Combine(Repo.Root, "examples", "Weather", "weather_gru.yaml")).Replace("\r\n", "\n"), shown.Body);
    }
}
