using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using SeqDsl.Generator.Tests.Infrastructure;

namespace SeqDsl.Generator.Tests;

/// <summary>
/// A spec with errors gives its SEQ diagnostics and nothing else: the placeholder class keeps the model's public
/// surface as far as the spec could be read and the registry is always there, so code that uses them compiles.
/// </summary>
public class PlaceholderTests
{
    private const string Spec = "model: Tiny\ninput: { features: 3, time: 10 }\nlayers:\n  - lstm: { units: 4 }\n  - dense: { unitz: 1 }\n";

    /// <summary>What a user's program touches: the registry, the model's constants and count, a layer, the experiment.</summary>
    private const string Consumer = """
        namespace Host;
        public static class Uses
        {
            public static object[] Touch(TinyModel model) => new object[]
            {
                SeqDslExperiments.All.Count,
                SeqDslExperiments.Default ?? "",
                TinyModel.ModelName,
                TinyModel.SpecFile,
                TinyModel.ParameterCount,
                TinyModel.Layers,
                TinyModel.Experiment.Name,
                model.Lstm1,
                model.Summary(),
                ((global::SeqDsl.Runtime.ISeqDslModel)model).ParameterCount,
            };
        }
        """;

    private static (IEnumerable<Diagnostic> Seq, IEnumerable<Diagnostic> CSharp) Build(string spec, string consumer = Consumer)
    {
        var result = GeneratorHarness.Run(("tiny.yaml", spec));
        var withConsumer = result.Output.AddSyntaxTrees(CSharpSyntaxTree.ParseText(consumer, new CSharpParseOptions(LanguageVersion.Latest)));
        return (result.Seq, withConsumer.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error));
    }

    [Fact]
    public void One_typo_gives_its_SEQ_error_and_no_CS_errors_in_code_that_uses_the_model()
    {
        var (seq, csharp) = Build(Spec);

        Assert.Equal("SEQ2001", Assert.Single(seq).Id);
        Assert.Empty(csharp);
    }

    [Fact]
    public void A_YAML_syntax_error_keeps_the_class_named_by_the_model_line()
    {
        // The layers cannot be read from text that is not YAML; everything else about the class is there.
        var (seq, csharp) = Build(Spec.Replace("time: 10 }", "time: 10"), Consumer.Replace("model.Lstm1,", ""));

        Assert.Equal("SEQ1001", Assert.Single(seq).Id);
        Assert.Empty(csharp);
    }

    [Fact]
    public void A_YAML_syntax_error_without_a_model_line_gives_no_class_but_the_registry()
    {
        var result = GeneratorHarness.Run(("tiny.yaml", "input: { features: 3\nlayers: []\n"));

        Assert.Equal("SEQ1001", Assert.Single(result.Seq).Id);
        Assert.Equal(new[] { "SeqDslExperiments.g.cs" }, result.Run.GeneratedSources.Select(s => s.HintName));
        Assert.Empty(result.Output.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error));
    }

    [Fact]
    public void The_one_line_Program_of_the_README_compiles_without_a_using_directive()
    {
        // Top-level statements are in the global namespace while the registry is in the root namespace (Host here).
        var result = GeneratorHarness.Run(("good.yaml", Spec.Replace("unitz", "units")));
        const string program = "return SeqDsl.Runtime.Cli.SeqDslCli.Run(args, SeqDslExperiments.All, SeqDslExperiments.Default);";
        var app = result.Output
            .WithOptions(result.Output.Options.WithOutputKind(OutputKind.ConsoleApplication))
            .AddSyntaxTrees(CSharpSyntaxTree.ParseText(program, new CSharpParseOptions(LanguageVersion.Latest)));

        Assert.Empty(result.Seq);
        Assert.Empty(app.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error));
    }

    [Fact]
    public void The_registry_lists_the_valid_specs_only()
    {
        var result = GeneratorHarness.Run(("tiny.yaml", Spec), ("good.yaml", Spec.Replace("Tiny", "Good").Replace("unitz", "units")));

        string registry = result.Source("SeqDslExperiments");
        Assert.Contains("global::Host.GoodModel.Experiment,", registry);
        Assert.DoesNotContain("TinyModel", registry);
    }
}
