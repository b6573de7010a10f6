using Microsoft.CodeAnalysis;
using SeqDsl.Generator.Model;
using SeqDsl.Generator.Parsing;
using SeqDsl.Generator.Tests.Infrastructure;

namespace SeqDsl.Generator.Tests;

/// <summary>
/// The 'sweep' section: its keys and values checked where the spec writes them, its expansion into model variants and
/// runs (order, seeded sample, limits), variants checked in full, and what the build emits for them.
/// </summary>
public class SweepSpecTests
{
    private const string Data = "data:\n  source: synthetic-climate\n  target: T (degC)\n  window: { lookback: 12, step: 3, delay: 2 }\n  splits: { train: [0, 1000], val: [1001, 2000] }\n";

    private static string Spec(string sweep, string layers = "  - gru: { units: 4 }\n  - dense: { units: 1 }\n")
        => "model: Tiny\nlayers:\n" + layers + Data + "training: { epochs: 2, seed: 5 }\nsweep:\n" + sweep;

    private static SweepSettings Sweep(string spec)
    {
        var parsed = SpecParser.Parse(new SpecFile("tiny.yaml", spec, null));
        Assert.True(parsed.Diagnostics.All(d => !d.IsError), string.Join("\n", parsed.Diagnostics.Select(d => d.Message)));
        return parsed.Spec!.Sweep!;
    }

    private static (int Line, int Column) Position(Diagnostic diagnostic)
    {
        var start = diagnostic.Location.GetLineSpan().StartLinePosition;
        return (start.Line + 1, start.Character + 1);
    }

    [Fact]
    public void A_grid_runs_every_combination_the_last_key_fastest()
    {
        var sweep = Sweep(Spec("  values:\n    layers.gru_1.units: [4, 8]\n    training.seed: [1, 2, 3]\n"));

        Assert.Equal(6, sweep.Runs.Count);
        Assert.Equal(new[] { "4/1", "4/2", "4/3", "8/1", "8/2", "8/3" }, sweep.Runs.Select(r => r.Settings[0].Value + "/" + r.Settings[1].Value));
        Assert.Equal(Enumerable.Range(0, 6), sweep.Runs.Select(r => r.Index));
        Assert.Equal(new int?[] { 0, 0, 0, 1, 1, 1 }, sweep.Runs.Select(r => r.Variant));
        Assert.Equal(new long[] { 1, 2, 3, 1, 2, 3 }, sweep.Runs.Select(r => r.Training.Seed));
        // Keys the sweep does not set keep the spec's values.
        Assert.All(sweep.Runs, r => Assert.Equal(2, r.Training.Epochs));

        Assert.Equal(new[] { "TinyV0", "TinyV1" }, sweep.Variants.Select(v => v.ModelName));
        Assert.Equal(new[] { "4", "8" }, sweep.Variants.Select(v => v.Layers[0].Find("units")!.Value));
    }

    [Fact]
    public void A_variants_index_counts_the_layer_keys_only_so_it_stays_when_training_values_change()
    {
        var interleaved = Sweep(Spec("  values:\n    training.seed: [1, 2]\n    layers.gru_1.units: [4, 8]\n    layers.dense_1.use_bias: [true, false]\n"));
        // Variant k is the k-th combination of the layer values: units 4 with use_bias true, false, then units 8.
        Assert.Equal(new[] { "layers.gru_1.units: 4, layers.dense_1.use_bias: true", "layers.gru_1.units: 4, layers.dense_1.use_bias: false", "layers.gru_1.units: 8, layers.dense_1.use_bias: true", "layers.gru_1.units: 8, layers.dense_1.use_bias: false" },
            interleaved.Variants.Select(v => string.Join(", ", v.Settings)));
        Assert.Equal(new int?[] { 0, 1, 2, 3, 0, 1, 2, 3 }, interleaved.Runs.Select(r => r.Variant));

        var withoutSeeds = Sweep(Spec("  values:\n    layers.gru_1.units: [4, 8]\n    layers.dense_1.use_bias: [true, false]\n"));
        Assert.Equal(interleaved.Variants.Select(v => v.ModelName + string.Join(",", v.Settings)), withoutSeeds.Variants.Select(v => v.ModelName + string.Join(",", v.Settings)));
    }

    [Fact]
    public void Training_values_without_layer_keys_make_no_variants()
    {
        var sweep = Sweep(Spec("  values:\n    training.optimizer.learning_rate: [0.01, 0.001]\n"));
        Assert.Empty(sweep.Variants);
        Assert.All(sweep.Runs, r => Assert.Null(r.Variant));
        Assert.Equal(new[] { 0.01, 0.001 }, sweep.Runs.Select(r => r.Training.Optimizer.LearningRate));
    }

    [Fact]
    public void A_random_sample_is_seeded_distinct_in_grid_order_and_the_same_on_every_build()
    {
        const string Values = "  values:\n    training.seed: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]\n    training.epochs: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]\n";
        var first = Sweep(Spec(Values + "  strategy: { random: { count: 7, seed: 3 } }\n"));
        var again = Sweep(Spec(Values + "  strategy: { random: { count: 7, seed: 3 } }\n"));
        var other = Sweep(Spec(Values + "  strategy: { random: { count: 7, seed: 4 } }\n"));

        static long[] Points(SweepSettings s) => s.Runs.Select(r => r.Training.Seed * 10 + r.Training.Epochs - 1).ToArray();
        Assert.Equal(7, Points(first).Distinct().Count());
        Assert.Equal(Points(first).OrderBy(p => p), Points(first));
        Assert.Equal(Points(first), Points(again));
        Assert.NotEqual(Points(first), Points(other));
        Assert.Equal(Enumerable.Range(0, 7), first.Runs.Select(r => r.Index));
        // The draw is SweepExpansion.Sample: the runs are the grid points it picks.
        Assert.Equal(SweepExpansion.Sample(100, 7, 3), Points(first));
    }

    [Fact]
    public void The_sample_is_splitmix64_and_floyds_algorithm()
    {
        // SplitMix64's published first output for seed 0 (the reference C code of Vigna's xoshiro page).
        Assert.Equal(0xE220A8397B1DCDAFUL, new SweepExpansion.SplitMix64(0).Next());
        // The runs of a sweep must not move between builds or .NET versions: this draw is pinned.
        var random = new SweepExpansion.SplitMix64(3);
        var expected = new HashSet<long>();
        for (long j = 100 - 7; j < 100; j++)
        {
            long t = (long)random.Below((ulong)j + 1);
            expected.Add(expected.Contains(t) ? j : t);
        }
        Assert.Equal(expected.OrderBy(p => p), SweepExpansion.Sample(100, 7, 3));
        Assert.Equal(Enumerable.Range(0, 5).Select(i => (long)i), SweepExpansion.Sample(5, 9, 1));
        // Uniform below a bound: every value of a small range comes up.
        var below = new SweepExpansion.SplitMix64(11);
        Assert.Equal(Enumerable.Range(0, 6).Select(i => (ulong)i), Enumerable.Range(0, 600).Select(_ => below.Below(6)).Distinct().OrderBy(v => v));
    }

    [Fact]
    public void Each_value_is_checked_at_its_own_line_and_column()
    {
        var result = GeneratorHarness.Run(("tiny.yaml", Spec("  values:\n    layers.gru_1.units: [4, 3.5]\n    training.optimizer.learning_rate: [0.01,\n      -1]\n    layers.gru_1.activation: [tanh, rellu]\n")));

        var diagnostics = result.Seq.OrderBy(d => d.Location.SourceSpan.Start).ToList();
        Assert.Equal(new[] { "SEQ2003", "SEQ2004", "SEQ2005" }, diagnostics.Select(d => d.Id));
        Assert.Equal((13, 29), Position(diagnostics[0]));
        Assert.Contains("'units' in 'layers.gru_1.units' of 'sweep.values' must be an integer", diagnostics[0].GetMessage());
        Assert.Equal((15, 7), Position(diagnostics[1]));
        Assert.Contains("received -1", diagnostics[1].GetMessage());
        Assert.Equal((16, 37), Position(diagnostics[2]));
        Assert.Contains("did you mean 'relu'?", diagnostics[2].GetMessage());
    }

    [Theory]
    [InlineData("layers.gru_9.units", "Did you mean 'layers.gru_1.units'?")]
    [InlineData("layers.gru_1.unitz", "Did you mean 'layers.gru_1.units'?")]
    [InlineData("training.epocs", "Did you mean 'training.epochs'?")]
    [InlineData("training.optimizer.beta_1", "training.optimizer.rho")]
    public void An_unknown_layer_option_or_training_key_is_reported_at_the_key(string key, string hint)
    {
        var result = GeneratorHarness.Run(("tiny.yaml", Spec($"  values:\n    {key}: [1]\n")));

        var diagnostic = Assert.Single(result.Seq);
        Assert.Equal("SEQ2001", diagnostic.Id);
        Assert.Equal((13, 5), Position(diagnostic));
        Assert.Contains($"Unknown key '{key}' in 'sweep.values'", diagnostic.GetMessage());
        Assert.True(diagnostic.GetMessage().Contains(hint, StringComparison.Ordinal), diagnostic.GetMessage());
    }

    [Fact]
    public void A_variant_that_cannot_work_is_reported_at_the_value_that_breaks_it()
    {
        const string Layers = "  - conv1d: { filters: 4, kernel_size: 3 }\n  - max_pooling1d: { pool_size: 2 }\n  - flatten\n  - dense: { units: 1 }\n";
        var result = GeneratorHarness.Run(("tiny.yaml", Spec("  values:\n    training.seed: [1, 2]\n    layers.conv1d_1.kernel_size: [2, 4]\n    layers.max_pooling1d_1.pool_size: [1,\n        3]\n", Layers)));

        // The time axis is 4 (lookback 12 / step 3): kernel 4 leaves 1 step, which pooling by 3 cannot keep; the pooling value is on the failing layer.
        var diagnostics = result.Seq.ToList();
        Assert.Equal(new[] { "SEQ3003" }, diagnostics.Select(d => d.Id).Distinct());
        var kernel4pool3 = Assert.Single(diagnostics, d => d.GetMessage().StartsWith("In sweep variant TinyV3 (layers.conv1d_1.kernel_size: 4, layers.max_pooling1d_1.pool_size: 3): ", StringComparison.Ordinal));
        Assert.Equal((18, 9), Position(kernel4pool3));
        Assert.Contains("Layer 'max_pooling1d_1' (max_pooling1d) shrinks the time axis", kernel4pool3.GetMessage());
        // With errors the spec emits its placeholder only; the build has no C# errors.
        Assert.Empty(result.Output.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error));
    }

    [Fact]
    public void Options_that_conflict_in_one_variant_are_reported_at_its_value()
    {
        const string Layers = "  - conv1d: { filters: 4, kernel_size: 2, dilation_rate: 2 }\n  - flatten\n  - dense: { units: 1 }\n";
        var result = GeneratorHarness.Run(("tiny.yaml", Spec("  values:\n    layers.conv1d_1.strides: [1, 2]\n", Layers)));

        var diagnostic = Assert.Single(result.Seq);
        Assert.Equal("SEQ2012", diagnostic.Id);
        Assert.Equal((14, 34), Position(diagnostic));
        Assert.StartsWith("In sweep variant TinyV1 (layers.conv1d_1.strides: 2): ", diagnostic.GetMessage());
    }

    [Fact]
    public void A_runs_training_is_bound_as_if_the_spec_said_its_value()
    {
        const string Text = "model: Chars\nlayers:\n  - lstm: { units: 8 }\n  - dense: { units: vocab }\ntext: { corpus: embedded }\nsweep:\n  values:\n    training.loss: [categorical_crossentropy, mse]\n";
        var diagnostic = Assert.Single(GeneratorHarness.Run(("chars.yaml", Text)).Seq);
        Assert.Equal("SEQ2012", diagnostic.Id);
        Assert.Equal((8, 47), Position(diagnostic));
        Assert.Contains("must be categorical_crossentropy for a text task", diagnostic.GetMessage());
    }

    [Fact]
    public void A_value_listed_twice_is_refused()
    {
        var diagnostic = Assert.Single(GeneratorHarness.Run(("tiny.yaml", Spec("  values:\n    layers.gru_1.units: [4, 8, 4.0]\n"))).Seq);
        Assert.Equal("SEQ2012", diagnostic.Id);
        Assert.Equal((13, 32), Position(diagnostic));
        Assert.Contains("lists 4.0 twice (line 13)", diagnostic.GetMessage());
    }

    [Theory]
    [InlineData("  values:\n    training.seed: [" + "1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11" + "]\n    training.epochs: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]\n    training.steps_per_epoch: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]\n", "maximum 1,000 runs", "received 1,100 runs (11 × 10 × 10)")]
    [InlineData("  values:\n    layers.gru_1.units: [1, 2, 3, 4, 5, 6, 7, 8, 9]\n    layers.dense_1.units: [1, 2, 3, 4, 5, 6, 7, 8]\n", "maximum 64 model variants", "received 72 model variants (9 × 8)")]
    [InlineData("  values:\n    training.seed: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]\n    training.epochs: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]\n    training.steps_per_epoch: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]\n  strategy: { random: { count: 1001 } }\n", "maximum 1,000 runs", "received 1,001 runs")]
    public void Limits_on_runs_and_variants_are_errors_at_the_sweep(string sweep, string maximum, string received)
    {
        var diagnostic = Assert.Single(GeneratorHarness.Run(("tiny.yaml", Spec(sweep))).Seq);
        Assert.Equal("SEQ2015", diagnostic.Id);
        Assert.Equal((11, 1), Position(diagnostic));
        Assert.Contains(maximum, diagnostic.GetMessage());
        Assert.Contains(received, diagnostic.GetMessage());
    }

    [Fact]
    public void The_build_emits_each_variant_and_lists_the_runs_in_the_experiment()
    {
        var result = GeneratorHarness.Run(("tiny.yaml", Spec("  values:\n    layers.gru_1.units: [4, 8]\n    training.optimizer.learning_rate: [0.01, 0.001]\n")));

        Assert.Empty(result.Seq);
        Assert.Empty(result.Output.GetDiagnostics().Where(d => d.Severity >= DiagnosticSeverity.Warning));
        string source = result.Source("TinyModel");
        Assert.Contains("public partial class TinyModel :", source);
        Assert.Contains("public partial class TinyV0Model :", source);
        Assert.Contains("public partial class TinyV1Model :", source);
        Assert.Contains("Variant 1 of the sweep of <see cref=\"TinyModel\"/>, with layers.gru_1.units: 8.", source);
        Assert.Contains("new(3, global::Host.TinyV1Model.Experiment with", source);
        Assert.Contains("new global::SeqDsl.Runtime.Experiments.SweepSetting[] { new(\"layers.gru_1.units\", \"8\"), new(\"training.optimizer.learning_rate\", \"0.001\") }", source);

        string registry = result.Run.GeneratedSources.Single(s => s.HintName == "SeqDslExperiments.g.cs").SourceText.ToString();
        int own = registry.IndexOf("global::Host.TinyModel.Experiment,", StringComparison.Ordinal);
        int v0 = registry.IndexOf("global::Host.TinyV0Model.Experiment,", StringComparison.Ordinal);
        int v1 = registry.IndexOf("global::Host.TinyV1Model.Experiment,", StringComparison.Ordinal);
        Assert.True(own >= 0 && own < v0 && v0 < v1, registry);
    }

    [Fact]
    public void The_registry_lists_each_specs_variants_right_after_it()
    {
        var result = GeneratorHarness.Run(("a.yaml", Spec("  values:\n    layers.gru_1.units: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]\n")),
            ("b.yaml", Spec("  values:\n    training.seed: [1, 2]\n").Replace("model: Tiny", "model: TinyV2Extra")));

        Assert.Empty(result.Seq);
        string registry = result.Run.GeneratedSources.Single(s => s.HintName == "SeqDslExperiments.g.cs").SourceText.ToString();
        var listed = registry.Split('\n').Where(l => l.TrimStart().StartsWith("global::Host.", StringComparison.Ordinal)).Select(l => l.Trim().Split('.')[1]).ToList();
        Assert.Equal(new[] { "TinyModel" }.Concat(Enumerable.Range(0, 11).Select(k => $"TinyV{k}Model")).Append("TinyV2ExtraModel"), listed);
    }

    [Fact]
    public void A_variant_named_like_another_specs_model_is_a_duplicate()
    {
        const string Other = "model: TinyV1\ninput: { features: 3 }\nlayers: [ { dense: { units: 1 } } ]\n";
        var result = GeneratorHarness.Run(("b/sweep.yaml", Spec("  values:\n    layers.gru_1.units: [4, 8]\n")), ("a/other.yaml", Other));

        var diagnostic = Assert.Single(result.Seq);
        Assert.Equal("SEQ2010", diagnostic.Id);
        Assert.Equal("b/sweep.yaml", diagnostic.Location.GetLineSpan().Path);
        Assert.Equal((11, 1), Position(diagnostic));
        Assert.Contains("Model 'TinyV1' is also defined in other.yaml", diagnostic.GetMessage());
        Assert.Empty(result.Output.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error));
    }
}
