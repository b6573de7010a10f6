using Microsoft.CodeAnalysis;
using SeqDsl.Generator.Tests.Infrastructure;

namespace SeqDsl.Generator.Tests;

/// <summary>Specs that would define one class, or generate files of one name, are resolved before anything is emitted.</summary>
public class OutputResolutionTests
{
    private static string Spec(string model, string? ns = null)
        => $"model: {model}\n{(ns is null ? "" : $"namespace: {ns}\n")}input: {{ features: 3 }}\nlayers: [ {{ dense: {{ units: 1 }} }} ]\n";

    private static IEnumerable<Diagnostic> Errors(GeneratorHarness.Result result)
        => result.Diagnostics.Concat(result.Output.GetDiagnostics()).Where(d => d.Severity == DiagnosticSeverity.Error);

    [Fact]
    public void Two_files_of_one_name_and_one_model_give_one_class_and_one_SEQ2010()
    {
        var result = GeneratorHarness.Run(("a/twin.yaml", Spec("Twin")), ("b/twin.yaml", Spec("Twin")));

        var error = Assert.Single(Errors(result));
        Assert.Equal("SEQ2010", error.Id);
        Assert.Equal("b/twin.yaml", error.Location.GetLineSpan().Path);
        Assert.Single(result.Run.GeneratedSources, s => s.HintName.StartsWith("TwinModel.", StringComparison.Ordinal));
        Assert.Contains("global::Host.TwinModel.Experiment,", result.Source("SeqDslExperiments"));
    }

    [Fact]
    public void A_duplicate_of_a_spec_with_errors_adds_no_second_class()
    {
        var result = GeneratorHarness.Run(("a.yaml", Spec("Twin").Replace("dense", "dence")), ("b.yaml", Spec("Twin")));

        Assert.Equal(new[] { "SEQ2006", "SEQ2010" }, Errors(result).Select(d => d.Id).OrderBy(id => id));
        Assert.Contains("has errors", result.Source("TwinModel"));
        Assert.DoesNotContain("TwinModel", result.Source("SeqDslExperiments"));
    }

    [Fact]
    public void Classes_of_one_name_in_two_namespaces_get_distinct_file_names()
    {
        var result = GeneratorHarness.Run(("a/m.yaml", Spec("Same", "First")), ("b/m.yaml", Spec("Same", "Second")));

        Assert.Empty(Errors(result));
        Assert.Equal(new[] { "SameModel.m.2.g.cs", "SameModel.m.g.cs", "SeqDslExperiments.g.cs" },
            result.Run.GeneratedSources.Select(s => s.HintName).OrderBy(h => h, StringComparer.Ordinal));
    }

    [Fact]
    public void Hint_names_that_differ_only_in_case_are_kept_apart()
    {
        var result = GeneratorHarness.Run(("a/m.yaml", Spec("Case")), ("b/M.yaml", Spec("CASE")));

        Assert.Empty(Errors(result));
        Assert.Equal(3, result.Run.GeneratedSources.Length);
    }
}
