using Microsoft.CodeAnalysis.CSharp;
using System.Runtime.Loader;
using Microsoft.CodeAnalysis;
using SeqDsl.Generator.Tests.Infrastructure;
using SeqDsl.Runtime.Experiments;

namespace SeqDsl.Generator.Tests;

/// <summary>
/// Specs arrive in pull requests: whatever their text holds, the build must produce only what the spec
/// declares, report problems as SEQ errors, and never take the compiler down.
/// </summary>
public class UntrustedSpecTests
{
    /// <summary>
    /// Every character C# treats as a line break, quotes, backslashes, comment and XML-doc terminators, braces,
    /// control and format characters (bidirectional overrides, BOM), each followed by code that would run if
    /// the text escaped its comment or literal. As a YAML double-quoted scalar (its escapes: \N is U+0085,
    /// \L U+2028, \P U+2029).
    /// </summary>
    private const string HostileYaml =
        "a\\rinternal static class PwnR { }\\r//" +
        "\\ninternal static class PwnN { }\\n//" +
        "\\Ninternal static class PwnNel { }\\N//" +
        "\\Linternal static class PwnLs { }\\L//" +
        "\\Pinternal static class PwnPs { }\\P//" +
        "\\\"; internal static class PwnQuote { } //\\\\\\\" */ </summary> <c> </c> { } {0} &amp; ' \\t \\0 \\x01 \\x1f \\x7f \\x85 \\u200e \\u202e \\ufeff \\U0001F600 end";

    /// <summary>The same scalar as <see cref="HostileYaml"/> after YAML has read it.</summary>
    private const string Hostile =
        "a\rinternal static class PwnR { }\r//" +
        "\ninternal static class PwnN { }\n//" +
        "\u0085internal static class PwnNel { }\u0085//" +
        "\u2028internal static class PwnLs { }\u2028//" +
        "\u2029internal static class PwnPs { }\u2029//" +
        "\"; internal static class PwnQuote { } //\\\" */ </summary> <c> </c> { } {0} &amp; ' \t \0 \u0001 \u001f \u007f \u0085 \u200e \u202e \ufeff \U0001F600 end";

    private static string CsvSpec(string text) => $$"""
        model: Evil
        description: "{{text}}"
        data:
          source: csv
          path: "{{text}}"
          date_column: "{{text}}"
          date_format: "{{text}}"
          columns: ["{{text}}", "second {{text}}"]
          target: "{{text}}"
          window: { lookback: 12, step: 3, delay: 2 }
          splits: { train: [0, 1000] }
        layers: [ { gru: { units: 4 } }, { dense: { units: 1 } } ]

        """;

    private static string JenaSpec(string text) => $$"""
        model: Evil
        description: "{{text}}"
        data:
          source: jena-climate
          sha256: "{{text}}"
          target: T (degC)
          window: { lookback: 12, step: 3, delay: 2 }
          splits: { train: [0, 1000] }
        layers: [ { gru: { units: 4 } }, { dense: { units: 1 } } ]

        """;

    private static string TextSpec(string text) => $$"""
        model: Evil
        description: "{{text}}"
        text: { corpus: "{{text}}", maxlen: 10 }
        layers: [ { lstm: { units: 4 } }, { dense: { units: vocab, activation: softmax } } ]

        """;

    private static string EpisodesSpec(string text) => $$"""
        model: Evil
        description: "{{text}}"
        episodes:
          source: long-csv
          path: "{{text}}"
          outcomes: "{{text}}"
          columns: { record: "{{text}}", time: "{{text}}", variable: "{{text}}", value: "{{text}}" }
          variables: ["{{text}}", "second {{text}}"]
          statics: ["static {{text}}"]
          labels:
            - "{{text}}": { column: "outcome {{text}}" }
          auxiliary:
            - "aux {{text}}": { column: "static {{text}}", in: [1] }
          preprocessing: { include: ["{{text}}"], exclude: ["second {{text}}"] }
          splits: { val: 0.2, test_path: "{{text}}", test_outcomes: "{{text}}" }
        layers: [ { lstm: { units: 4, return_sequences: true } }, { dense: { units: labels } } ]

        """;

    public static TheoryData<string> Specs() => new() { nameof(CsvSpec), nameof(JenaSpec), nameof(TextSpec), nameof(EpisodesSpec) };

    private static string SpecFor(string kind, string text) => kind switch
    {
        nameof(CsvSpec) => CsvSpec(text),
        nameof(JenaSpec) => JenaSpec(text),
        nameof(EpisodesSpec) => EpisodesSpec(text),
        _ => TextSpec(text),
    };

    /// <summary>A spec file name with line breaks and quotes: it reaches comments, doc comments, a literal and the hint name.</summary>
    private const string HostileFileName = "specs/ev\ril\u2028\"x\" */ <b>.yaml";

    [Theory]
    [MemberData(nameof(Specs))]
    public void Hostile_text_in_every_text_field_declares_nothing_the_spec_did_not(string kind)
    {
        var hostile = GeneratorHarness.Run(("specs/evil.yaml", SpecFor(kind, HostileYaml)), (HostileFileName, SpecFor(kind, "plain").Replace("Evil", "Plain")));
        var plain = GeneratorHarness.Run(("specs/evil.yaml", SpecFor(kind, "plain")), ("specs/plain.yaml", SpecFor(kind, "plain").Replace("Evil", "Plain")));

        Assert.Empty(hostile.Seq);
        var problems = hostile.Output.GetDiagnostics().Where(d => d.Severity >= DiagnosticSeverity.Warning).ToList();
        Assert.True(problems.Count == 0, string.Join("\n", problems));
        Assert.Equal(DeclaredSymbols(plain.Output), DeclaredSymbols(hostile.Output));
        Assert.DoesNotContain(DeclaredSymbols(hostile.Output), s => s.Contains("Pwn", StringComparison.Ordinal));
    }

    [Theory]
    [MemberData(nameof(Specs))]
    public void String_literals_hold_exactly_the_yaml_values(string kind)
    {
        var result = GeneratorHarness.Run(("specs/evil.yaml", SpecFor(kind, HostileYaml)));
        Assert.Empty(result.Seq);

        var experiment = LoadExperiment(result.Output, "Host.EvilModel");
        Assert.Equal("Evil", experiment.Name);
        switch (kind)
        {
            case nameof(CsvSpec):
                var data = experiment.Data!;
                Assert.Equal(new[] { Hostile }, data.Targets);
                Assert.Equal(Hostile, data.Path);
                Assert.Equal(Hostile, data.DateColumn);
                Assert.Equal(Hostile, data.DateFormat);
                Assert.Equal(new[] { Hostile, "second " + Hostile }, data.Columns);
                break;
            case nameof(JenaSpec):
                Assert.Equal(Hostile, experiment.Data!.Sha256);
                break;
            case nameof(EpisodesSpec):
                var episodes = experiment.Episodes!;
                Assert.Equal(new[] { Hostile, Hostile, Hostile, Hostile }, new[] { episodes.Path, episodes.Outcomes, episodes.TestPath, episodes.TestOutcomes });
                var csv = episodes.LongCsv!;
                Assert.Equal(new[] { Hostile, Hostile, Hostile, Hostile }, new[] { csv.RecordColumn, csv.TimeColumn, csv.VariableColumn, csv.ValueColumn });
                Assert.Equal(new[] { Hostile, "second " + Hostile }, csv.Variables);
                Assert.Equal(new[] { "static " + Hostile }, csv.Statics);
                Assert.Equal(new[] { (Hostile, "outcome " + Hostile, false), ("aux " + Hostile, "static " + Hostile, true) }, episodes.Labels.Select(l => (l.Name, l.Column, l.Auxiliary)));
                Assert.Equal(new[] { Hostile }, episodes.Preprocessing.Include);
                Assert.Equal(new[] { "second " + Hostile }, episodes.Preprocessing.Exclude);
                break;
            default:
                Assert.Equal(Hostile, experiment.Text!.Corpus);
                break;
        }
    }

    [Fact]
    public void The_spec_file_name_round_trips_and_stays_out_of_code()
    {
        var result = GeneratorHarness.Run((HostileFileName, CsvSpec("plain")));
        Assert.Empty(result.Seq);
        var problems = result.Output.GetDiagnostics().Where(d => d.Severity >= DiagnosticSeverity.Warning).ToList();
        Assert.True(problems.Count == 0, string.Join("\n", problems));

        Assert.Equal(Path.GetFileName(HostileFileName), LoadExperiment(result.Output, "Host.EvilModel").SpecFile);
    }

    [Fact]
    public void The_reported_injection_builds_as_a_doc_comment()
    {
        const string spec = """
            model: Evil
            description: "a harmless line\rinternal static class Pwn { [System.Runtime.CompilerServices.ModuleInitializer] internal static void I() { System.IO.File.WriteAllText(\"PWNED.txt\", \"ran\"); } }\r//"
            input: { features: 14 }
            layers: [ { dense: { units: 1 } } ]

            """;
        var result = GeneratorHarness.Run(("evil.yaml", spec));

        Assert.Empty(result.Seq);
        Assert.Empty(result.Output.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error));
        Assert.DoesNotContain(DeclaredSymbols(result.Output), s => s.Contains("Pwn", StringComparison.Ordinal));
        // Each line of the description is a line of the doc comment.
        Assert.Contains("    /// a harmless line\n    /// internal static class Pwn", result.Source("EvilModel"));
    }

    [Theory]
    [InlineData(0xD800)]
    [InlineData(0xDC00)]
    [InlineData(0xFEFF)]
    [InlineData(0x0000)]
    [InlineData(0x202E)]
    public void Raw_characters_that_yaml_may_pass_through_stay_escaped(int codeUnit)
    {
        // A code unit, not a string: test runners re-encode string arguments as UTF-8, which replaces lone surrogates.
        string character = ((char)codeUnit).ToString();
        var spec = CsvSpec("plain").Replace("description: \"plain\"", $"description: \"x{character}y\"").Replace("path: \"plain\"", $"path: \"x{character}y\"");
        var result = GeneratorHarness.Run(("specs/evil.yaml", spec));

        if (result.Seq.Any())
        {
            // YAML refuses the character: a SEQ error, and the placeholder still compiles.
            Assert.Equal("SEQ1001", Assert.Single(result.Seq).Id);
        }
        else
        {
            Assert.Equal("x" + character + "y", LoadExperiment(result.Output, "Host.EvilModel").Data!.Path);
            Assert.False(result.Source("EvilModel").Contains(character, StringComparison.Ordinal));
        }
        Assert.Empty(result.Output.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error));
    }

    [Theory]
    [InlineData('[', ']')]
    [InlineData('{', '}')]
    public void Deep_nesting_is_SEQ1004_not_a_stack_overflow(char open, char close)
    {
        string nested = open == '[' ? new string('[', 100_000) : string.Concat(Enumerable.Repeat("{a: ", 100_000));
        var result = GeneratorHarness.Run(("deep.yaml", "model: Deep\ninput: { features: 3 }\nlayers: " + nested + new string(close, 100_000) + "\n"));

        var diagnostic = Assert.Single(result.Seq);
        Assert.Equal("SEQ1004", diagnostic.Id);
        Assert.Contains("maximum 64 levels", diagnostic.GetMessage());
    }

    [Fact]
    public void A_huge_document_is_SEQ1004_at_the_limit()
    {
        string spec = "model: Big\ninput: { features: 3 }\nlayers: [ flatten ]\n# " + new string('x', 5_000_000) + "\n";
        var result = GeneratorHarness.Run(("big.yaml", spec));

        var diagnostic = Assert.Single(result.Seq);
        Assert.Equal("SEQ1004", diagnostic.Id);
        Assert.Equal(3, diagnostic.Location.GetLineSpan().StartLinePosition.Line);
        Assert.Contains("too large (maximum 4,194,304 characters)", diagnostic.GetMessage());
    }

    [Fact]
    public void A_huge_unknown_key_gets_no_costly_suggestion()
    {
        var watch = System.Diagnostics.Stopwatch.StartNew();
        var result = GeneratorHarness.Run(("key.yaml", "model: Key\ninput: { features: 3 }\nlayers: [ flatten ]\n? " + new string('k', 3_000_000) + "\n: 1\n"));

        Assert.Equal("SEQ2001", Assert.Single(result.Seq).Id);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(20), watch.Elapsed.ToString());
    }

    [Theory]
    [InlineData("units: 2147483648", "SEQ2015", "too large (maximum 2147483647)")]
    [InlineData("units: 99999999999999999999999999", "SEQ2015", "too large (maximum 2147483647)")]
    [InlineData("units: -99999999999999999999999999", "SEQ2004", "an integer > 0")]
    public void Integers_beyond_the_limit_say_too_large(string option, string id, string fragment)
    {
        var result = GeneratorHarness.Run(("m.yaml", $"model: M\ninput: {{ features: 3 }}\nlayers:\n  - dense: {{ {option} }}\n"));

        var diagnostic = Assert.Single(result.Seq);
        Assert.Equal(id, diagnostic.Id);
        Assert.Contains(fragment, diagnostic.GetMessage());
    }

    [Fact]
    public void Split_rows_beyond_the_limit_say_too_large()
    {
        var result = GeneratorHarness.Run(("m.yaml", "model: M\nlayers: [ { gru: { units: 4 } }, { dense: { units: 1 } } ]\ndata:\n  source: synthetic-climate\n  target: T (degC)\n  window: { lookback: 12, step: 3 }\n  splits: { train: [0, 99999999999999999999999] }\n"));

        var diagnostic = Assert.Single(result.Seq);
        Assert.Equal("SEQ2015", diagnostic.Id);
        Assert.Contains("too large (maximum 2147483647)", diagnostic.GetMessage());
    }

    [Theory]
    [InlineData("input: { features: 65536, time: 65536 }", "  - flatten\n", "flatten_1", "an axis of 4,294,967,296")]
    [InlineData("input: { features: 3 }", "  - bidirectional: { layer: { gru: { units: 1100000000 } } }\n", "bidirectional_1", "an axis of 2,200,000,000")]
    [InlineData("input: { features: 2147483647, time: 10 }", "  - conv1d: { filters: 2147483647, kernel_size: 2147483647, padding: same }\n", "conv1d_1", "parameter count")]
    [InlineData("input: { features: 2147483647 }", "  - dense: { units: 2147483647 }\n  - dense: { units: 2147483647 }\n  - dense: { units: 2147483647 }\n", "dense_3", "the model's parameter count up to this layer")]
    public void Sizes_that_overflow_are_SEQ3008_at_the_layer(string input, string layers, string layer, string fragment)
    {
        var result = GeneratorHarness.Run(("m.yaml", $"model: M\n{input}\nlayers:\n{layers}"));

        var diagnostic = Assert.Single(result.Seq);
        Assert.Equal("SEQ3008", diagnostic.Id);
        Assert.Contains($"Layer '{layer}'", diagnostic.GetMessage());
        Assert.Contains(fragment, diagnostic.GetMessage());
    }

    /// <summary>Every type and member the compilation's generated code declares, as "Type.Member".</summary>
    private static SortedSet<string> DeclaredSymbols(Compilation compilation)
    {
        var symbols = new SortedSet<string>(StringComparer.Ordinal);
        void Visit(INamespaceOrTypeSymbol container)
        {
            foreach (var member in container.GetMembers())
            {
                if (member is INamespaceOrTypeSymbol nested)
                {
                    symbols.Add(nested.ToDisplayString());
                    Visit(nested);
                }
                else
                {
                    symbols.Add(member.ToDisplayString());
                }
            }
        }
        Visit(compilation.Assembly.GlobalNamespace);
        return symbols;
    }

    private const string ProbeType = "SeqDslExperimentProbe";

    /// <summary>Compiles and loads the generated code, and reads the model's generated Experiment: the values the runtime sees.</summary>
    private static ExperimentSpec LoadExperiment(Compilation compilation, string typeName)
    {
        // A class of the test's own hands the generated Experiment over, so nothing reflects on generated members.
        var probeSource = $"public sealed class {ProbeType} : global::System.IServiceProvider {{ public object GetService(global::System.Type type) => global::{typeName}.Experiment; }}";
        compilation = compilation.AddSyntaxTrees(CSharpSyntaxTree.ParseText(probeSource, (CSharpParseOptions)compilation.SyntaxTrees.First().Options));
        using var image = new MemoryStream();
        var emit = compilation.Emit(image);
        Assert.True(emit.Success, string.Join("\n", emit.Diagnostics));
        var context = new AssemblyLoadContext(nameof(UntrustedSpecTests), isCollectible: true);
        try
        {
            image.Position = 0;
            var probe = context.LoadFromStream(image).GetType(ProbeType, throwOnError: true)!;
            return (ExperimentSpec)((IServiceProvider)Activator.CreateInstance(probe)!).GetService(typeof(ExperimentSpec))!;
        }
        finally
        {
            context.Unload();
        }
    }
}
