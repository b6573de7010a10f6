using System.Collections;
using System.Reflection;
using Microsoft.CodeAnalysis;
using SeqDsl.Generator.Tests.Infrastructure;

namespace SeqDsl.Generator.Tests;

/// <summary>
/// Editing one spec reruns only that spec: the driver is run twice and the tracked steps of the other
/// specs must come from the cache. Pipeline models must be plain data (no symbols, syntax or compilations).
/// </summary>
public class IncrementalityTests
{
    private static readonly string[] s_trackedSteps =
    {
        SpecGenerator.TrackingNames.SpecFiles, SpecGenerator.TrackingNames.Parsed, SpecGenerator.TrackingNames.Analyzed,
    };

    private static InMemoryText Spec(string name, int units)
        => new($"{name}.yaml", $"model: {name}\ninput: {{ features: 4, time: 8 }}\nlayers:\n  - gru: {{ units: {units} }}\n  - dense: {{ units: 1 }}\n");

    [Fact]
    public void A_second_run_without_changes_is_served_from_the_cache()
    {
        var specs = new AdditionalText[] { Spec("One", 4), Spec("Two", 8) };
        var compilation = GeneratorHarness.EmptyCompilation();
        var driver = GeneratorHarness.CreateDriver(specs).RunGenerators(compilation);
        driver = driver.RunGenerators(compilation.Clone());

        var result = driver.GetRunResult().Results.Single();
        foreach (var step in s_trackedSteps)
        {
            foreach (var run in result.TrackedSteps[step])
                foreach (var output in run.Outputs)
                    Assert.True(output.Reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, $"{step}: {output.Reason}");
        }
        Assert.All(result.TrackedOutputSteps.SelectMany(s => s.Value).SelectMany(r => r.Outputs),
            o => Assert.Equal(IncrementalStepRunReason.Cached, o.Reason));
    }

    [Fact]
    public void A_spec_with_a_sweep_is_plain_data_and_cached_when_another_spec_changes()
    {
        var sweep = new InMemoryText("Swept.yaml", "model: Swept\nlayers:\n  - gru: { units: 4 }\n  - dense: { units: 1 }\n"
            + "data:\n  source: synthetic-climate\n  target: T (degC)\n  window: { lookback: 12, step: 3 }\n  splits: { train: [0, 1000] }\n"
            + "sweep:\n  values:\n    layers.gru_1.units: [4, 8]\n    training.seed: [1, 2]\n");
        var two = Spec("Two", 8);
        var compilation = GeneratorHarness.EmptyCompilation();
        var driver = GeneratorHarness.CreateDriver(new AdditionalText[] { sweep, two }).RunGenerators(compilation);
        driver = driver.ReplaceAdditionalText(two, Spec("Two", 16)).RunGenerators(compilation);

        var result = driver.GetRunResult().Results.Single();
        Assert.Empty(result.Diagnostics);
        foreach (var step in s_trackedSteps)
        {
            var sweptOutputs = result.TrackedSteps[step].SelectMany(r => r.Outputs).Where(o => Describe(o.Value).Contains("Swept", StringComparison.Ordinal)).ToList();
            Assert.NotEmpty(sweptOutputs);
            Assert.All(sweptOutputs, o => Assert.True(o.Reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, $"{step}: {o.Reason}"));
            // The sweep's variants and runs are plain data too.
            foreach (var output in sweptOutputs) AssertPlainData(output.Value, step, new HashSet<object>(ReferenceEqualityComparer.Instance));
        }
    }

    [Fact]
    public void Editing_one_spec_leaves_the_other_specs_steps_cached()
    {
        var one = Spec("One", 4);
        var two = Spec("Two", 8);
        var compilation = GeneratorHarness.EmptyCompilation();
        var driver = GeneratorHarness.CreateDriver(new AdditionalText[] { one, two }).RunGenerators(compilation);

        var edited = Spec("Two", 16);
        driver = driver.ReplaceAdditionalText(two, edited).RunGenerators(compilation);
        var result = driver.GetRunResult().Results.Single();

        foreach (var step in new[] { SpecGenerator.TrackingNames.Parsed, SpecGenerator.TrackingNames.Analyzed })
        {
            var reasons = result.TrackedSteps[step].SelectMany(r => r.Outputs).Select(o => (Model: Describe(o.Value), o.Reason)).ToList();
            Assert.Contains(reasons, r => r.Model.Contains("One") && r.Reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged);
            Assert.Contains(reasons, r => r.Model.Contains("Two") && r.Reason == IncrementalStepRunReason.Modified);
            Assert.DoesNotContain(reasons, r => r.Model.Contains("One") && r.Reason == IncrementalStepRunReason.Modified);
        }
        Assert.Contains("16", result.GeneratedSources.Single(s => s.HintName.StartsWith("TwoModel", StringComparison.Ordinal)).SourceText.ToString());
    }

    [Fact]
    public void Pipeline_models_hold_no_symbols_syntax_or_compilations()
    {
        var compilation = GeneratorHarness.EmptyCompilation();
        var driver = GeneratorHarness.CreateDriver(new AdditionalText[] { Spec("One", 4) }).RunGenerators(compilation);
        var result = driver.GetRunResult().Results.Single();

        // The compiler's own input steps (AdditionalTexts, AnalyzerConfigOptions, …) are tracked too; check ours.
        string[] ours = { "Analyzed", "ModelNames", "Parsed", "Registry", "SpecFiles" };
        Assert.Subset(result.TrackedSteps.Keys.ToHashSet(), ours.ToHashSet());
        foreach (var (name, steps) in result.TrackedSteps.Where(s => ours.Contains(s.Key)))
            foreach (var output in steps.SelectMany(s => s.Outputs))
                AssertPlainData(output.Value, name, new HashSet<object>(ReferenceEqualityComparer.Instance));
    }

    private static string Describe(object value) => value switch
    {
        Model.ParsedSpec p => p.ModelName ?? "",
        Model.SpecResult r => r.ModelName ?? "",
        Model.SpecFile f => f.Path,
        _ => value.ToString() ?? "",
    };

    private static readonly Type[] s_forbidden = { typeof(ISymbol), typeof(SyntaxNode), typeof(Compilation), typeof(SemanticModel), typeof(SyntaxTree), typeof(Location) };

    private static void AssertPlainData(object? value, string path, HashSet<object> seen)
    {
        if (value is null || value is string || value.GetType().IsPrimitive || value.GetType().IsEnum) return;
        if (!value.GetType().IsValueType && !seen.Add(value)) return;
        foreach (var forbidden in s_forbidden)
            Assert.False(forbidden.IsInstanceOfType(value), $"{path} holds a {value.GetType().Name}");
        if (value is IEnumerable items)
        {
            int i = 0;
            foreach (var item in items) AssertPlainData(item, $"{path}[{i++}]", seen);
            return;
        }
        foreach (var property in value.GetType().GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (property.GetIndexParameters().Length > 0 || property.DeclaringType?.Namespace?.StartsWith("System", StringComparison.Ordinal) == true) continue;
            // Catalog definitions are static singletons, not pipeline data.
            if (property.PropertyType.Namespace == "SeqDsl.Generator.Catalog") continue;
            AssertPlainData(property.GetValue(value), $"{path}.{property.Name}", seen);
        }
    }
}
