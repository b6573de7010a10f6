using Microsoft.CodeAnalysis;
using SeqDsl.Generator.Layers;
using SeqDsl.Generator.Model;
using SeqDsl.Generator.Parsing;
using SeqDsl.Generator.Tests.Infrastructure;

namespace SeqDsl.Generator.Tests;

/// <summary>Blocks of layers (branches, residual, decomposition), the moving average and instance normalization: binding, inference, names and the generated class.</summary>
public class BlockAndNormalizationTests
{
    private const string Input = "model: M\ninput: { features: 1, time: 48 }\n";

    /// <summary>The generated layer table's rows: name, output shape and parameters, with the depth when nested.</summary>
    private static IReadOnlyList<string> Rows(string spec)
    {
        var result = GeneratorHarness.Run(("m.yaml", spec));
        Assert.True(!result.Seq.Any(), string.Join("\n", result.Seq));
        var errors = result.Output.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
        Assert.True(errors.Count == 0, string.Join("\n", errors)); // the generated class compiles against the runtime
        return result.Source("MModel").Split('\n')
            .Where(l => l.TrimStart().StartsWith("new(\"", StringComparison.Ordinal))
            .Select(l =>
            {
                var parts = l.Trim().Split(", ");
                string shape = l.Substring(l.IndexOf("new long?[]", StringComparison.Ordinal)).Split('}')[0].Replace("new long?[] { null, ", "(").Trim() + ")";
                string parameters = l.Substring(l.IndexOf('}') + 3).Split(',')[0];
                string depth = l.Contains("Depth = ", StringComparison.Ordinal) ? " @" + l.Substring(l.IndexOf("Depth = ", StringComparison.Ordinal) + 8, 1) : "";
                return $"{parts[0].Substring(5).Trim('"')} {shape} {parameters}{depth}";
            })
            .ToList();
    }

    [Fact]
    public void The_parser_binds_paths_in_order_with_prefixed_default_names()
    {
        var parsed = SpecParser.Parse(new SpecFile("m.yaml", Input + "layers:\n  - branches:\n      merge: concat\n      paths:\n        - [ flatten, { dense: { units: 4 } }, { dense: { units: 2 } } ]\n        - [ { moving_average: { kernel: 5 } }, { dense: { units: 3, name: mine } } ]\n        - []\n", null));

        Assert.Empty(parsed.Diagnostics);
        var block = Assert.Single(parsed.Spec!.Layers);
        Assert.Equal(new BranchesSettings(BranchMerge.Concat, -1), block.Settings);
        Assert.Equal(new[] { "path1", "path2", "path3" }, block.Paths.Select(p => p.Label));
        Assert.Equal(new[] { "branches_1_path1_flatten_1", "branches_1_path1_dense_1", "branches_1_path1_dense_2" }, block.Paths[0].Layers.Select(l => l.Name));
        Assert.Equal(new[] { "branches_1_path2_moving_average_1", "mine" }, block.Paths[1].Layers.Select(l => l.Name));
        Assert.Empty(block.Paths[2].Layers);
        Assert.Equal(new MovingAverageSettings(5), block.Paths[1].Layers[0].Settings);
        Assert.Equal("branches: { merge: concat, paths: [[flatten, dense, dense], [moving_average, dense], []] }", block.SpecText);
    }

    [Fact]
    public void Normalization_binds_with_its_defaults()
    {
        static InstanceNormSettings? Bind(string normalization)
        {
            var parsed = SpecParser.Parse(new SpecFile("m.yaml", Input + normalization + "layers: [ flatten ]\n", null));
            Assert.Empty(parsed.Diagnostics);
            return parsed.Spec!.Normalization;
        }

        Assert.Null(Bind(""));
        var last = Bind("normalization: subtract_last\n")!;
        Assert.Equal((InstanceNormKind.SubtractLast, "subtract_last", "normalization: subtract_last", 3), (last.Kind, last.Name, last.SpecText, last.Span.DisplayLine));
        var revin = Bind("normalization: revin\n")!;
        Assert.Equal((InstanceNormKind.Revin, true, 1e-5, "revin"), (revin.Kind, revin.Affine, revin.Eps, revin.Name));
        var plain = Bind("normalization: { revin: { affine: false, eps: 0.001 } }\n")!;
        Assert.Equal((false, 0.001, "normalization: { revin: { affine: false, eps: 0.001 } }"), (plain.Affine, plain.Eps, plain.SpecText));
    }

    [Fact]
    public void Decomposition_infers_both_heads_and_counts_their_parameters()
    {
        var rows = Rows(Input + "layers:\n  - decomposition:\n      kernel: 25\n      trend: [ flatten, { dense: { units: 12 } } ]\n      seasonal: [ flatten, { dense: { units: 12 } } ]\n");

        // Each head: 48 · 12 + 12 = 588; the block's own row counts nothing.
        Assert.Equal(new[]
        {
            "decomposition_1 (12) 0",
            "decomposition_1_trend_flatten_1 (48) 0 @1",
            "decomposition_1_trend_dense_1 (12) 588 @1",
            "decomposition_1_seasonal_flatten_1 (48) 0 @1",
            "decomposition_1_seasonal_dense_1 (12) 588 @1",
        }, rows);
        var source = GeneratorHarness.Run(("m.yaml", Input + "layers:\n  - decomposition:\n      kernel: 25\n      trend: [ flatten, { dense: { units: 12 } } ]\n      seasonal: [ flatten, { dense: { units: 12 } } ]\n")).Source("MModel");
        Assert.Contains("public const long ParameterCount = 1176;", source);
        // The heads' layers exist before the block that runs them.
        Assert.True(source.IndexOf("this.decomposition_1_seasonal_dense_1 = ", StringComparison.Ordinal) < source.IndexOf("this.decomposition_1 = ", StringComparison.Ordinal));
        Assert.Contains("new global::SeqDsl.Runtime.Layers.SeriesDecomposition(\"decomposition_1\", new global::SeqDsl.Runtime.Layers.MovingAverageOptions(25), new global::SeqDsl.Runtime.Layers.LayerPath(this.decomposition_1_trend_flatten_1, this.decomposition_1_trend_dense_1), new global::SeqDsl.Runtime.Layers.LayerPath(this.decomposition_1_seasonal_flatten_1, this.decomposition_1_seasonal_dense_1))", source);
    }

    [Theory]
    [InlineData("sum", "", "(48, 6)")]
    [InlineData("mean", "", "(48, 6)")]
    [InlineData("concat", "", "(48, 12)")]
    [InlineData("concat", ", axis: 1", "(96, 6)")]
    [InlineData("concat", ", axis: -2", "(96, 6)")]
    public void Branches_merge_shapes(string merge, string axis, string expected)
    {
        var rows = Rows(Input + $"layers:\n  - branches: {{ merge: {merge}{axis}, paths: [ [ {{ dense: {{ units: 6 }} }} ], [ {{ moving_average: {{ kernel: 3 }} }}, {{ dense: {{ units: 6 }} }} ] ] }}\n");
        Assert.Equal($"branches_1 {expected} 0", rows[0]);
        Assert.Equal(new[] { "branches_1_path1_dense_1 (48, 6) 12 @1", "branches_1_path2_moving_average_1 (48, 1) 0 @1", "branches_1_path2_dense_1 (48, 6) 12 @1" }, rows.Skip(1));
    }

    [Fact]
    public void Blocks_nest_and_a_residual_keeps_its_input_shape()
    {
        var rows = Rows("model: M\ninput: { features: 4, time: 10 }\nlayers:\n  - residual:\n      layers:\n        - dense: { units: 8, activation: relu }\n        - branches: { merge: mean, paths: [ [ { dense: { units: 8 } } ], [] ] }\n        - dense: { units: 4 }\n  - gru: { units: 3 }\n");

        Assert.Equal(new[]
        {
            "residual_1 (10, 4) 0",
            "residual_1_dense_1 (10, 8) 40 @1",
            "residual_1_branches_1 (10, 8) 0 @1",
            "residual_1_branches_1_path1_dense_1 (10, 8) 72 @2",
            "residual_1_dense_2 (10, 4) 36 @1",
            "gru_1 (3) 81",
        }, rows);
    }

    [Fact]
    public void The_summary_shows_the_normalization_first_with_its_affine_parameters()
    {
        var result = GeneratorHarness.Run(("m.yaml", "model: M\ninput: { features: 3, time: 20 }\nnormalization: revin\nlayers:\n  - gru: { units: 4, return_sequences: true }\n  - dense: { units: 3 }\n"));
        Assert.Empty(result.Seq);
        string source = result.Source("MModel");

        Assert.Contains("new(\"revin\", \"RevIN\", new long?[] { null, 20, 3 }, 6, 6, \"normalization: revin\", 3),", source);
        Assert.Contains("public const long ParameterCount = 129;", source); // RevIN 2·3 + GRU 3·(3·4 + 4·4 + 2·4) = 108 + dense 4·3 + 3
        Assert.Contains("var (x, statistics) = this.revin.Normalize(input);", source);
        Assert.Contains("return this.revin.Denormalize(x, statistics);", source);
        Assert.Contains("new global::SeqDsl.Runtime.Layers.InstanceNormalization(\"revin\", 3, new global::SeqDsl.Runtime.Layers.InstanceNormOptions(global::SeqDsl.Runtime.Layers.InstanceNormKind.Revin) { Affine = true, Eps = 1E-05 })", source);
        Assert.Contains("/// revin (RevIN)", source);
    }

    [Fact]
    public void A_one_series_output_takes_the_statistics_of_the_target_column()
    {
        var spec = "model: M\nnormalization: subtract_last\nlayers:\n  - flatten\n  - dense: { units: 1 }\ndata:\n  source: synthetic-climate\n  target: T (degC)\n  window: { lookback: 12, step: 3 }\n  splits: { train: [0, 1000] }\n";
        var result = GeneratorHarness.Run(("m.yaml", spec));

        Assert.Empty(result.Seq);
        // 'T (degC)' is the second of the 14 climate columns.
        Assert.Contains("new global::SeqDsl.Runtime.Layers.InstanceNormOptions(global::SeqDsl.Runtime.Layers.InstanceNormKind.SubtractLast) { TargetChannel = 1 }", result.Source("MModel"));
    }

    [Theory]
    [InlineData("model: M\ninput: { features: 2, time: 8 }\nnormalization: revin\nlayers: [ flatten, { dense: { units: 3 } } ]\n", "the input has 2 features and no 'data' section names the target column")]
    [InlineData("model: M\ninput: { features: 2, time: 8 }\nnormalization: revin\nlayers: [ { dense: { units: 3 } } ]\n", "neither (None, horizon), from the target's statistics, nor (None, horizon, 2)")]
    [InlineData("model: M\nnormalization: subtract_last\nlayers:\n  - lstm: { units: 4 }\n  - dense: { units: vocab, activation: softmax }\ntext: { maxlen: 20 }\n", "a text task's input is characters")]
    [InlineData("model: M\nnormalization: subtract_last\nlayers:\n  - lstm: { units: 4 }\n  - dense: { units: labels }\nepisodes:\n  source: physionet-2012\n  labels:\n    - death: { column: In-hospital_death }\n", "an episodes task's records are padded")]
    public void Normalization_refuses_models_it_cannot_map_back(string spec, string why)
    {
        var diagnostic = Assert.Single(GeneratorHarness.Run(("m.yaml", spec)).Seq);
        Assert.Equal("SEQ3011", diagnostic.Id);
        Assert.Contains(why, diagnostic.GetMessage());
    }

    [Theory]
    [InlineData("  - branches: { paths: [ [ flatten ], [] ] }\n", "cannot sum: its paths return path1 (None, 48), path2 (None, 48, 1)")]
    [InlineData("  - branches: { merge: concat, axis: 1, paths: [ [ { dense: { units: 2 } } ], [] ] }\n", "every axis but 1 must agree")]
    [InlineData("  - branches: { merge: concat, axis: 2, paths: [ [ flatten ], [ flatten ] ] }\n", "the axis must be 1..1")]
    [InlineData("  - decomposition: { kernel: 3, trend: [ flatten ], seasonal: [] }\n", "cannot sum its trend and seasonal outputs")]
    public void Paths_that_cannot_merge_are_reported_at_the_block(string layers, string why)
    {
        var diagnostic = Assert.Single(GeneratorHarness.Run(("m.yaml", Input + "layers:\n" + layers)).Seq);
        Assert.Equal("SEQ3012", diagnostic.Id);
        Assert.Equal(4, diagnostic.Location.GetLineSpan().StartLinePosition.Line + 1);
        Assert.Contains(why, diagnostic.GetMessage());
    }

    [Theory]
    [InlineData("  - branches: { paths: [ [ flatten ] ] }\n", "SEQ2003", "a list of at least two lists of layers")]
    [InlineData("  - residual: { layers: flatten }\n", "SEQ2003", "a list of layers")]
    [InlineData("  - residual: {}\n", "SEQ2002", "Missing required key 'layers'")]
    [InlineData("  - branches: { paths: [ [ { gruu: { units: 2 } } ], [] ] }\n", "SEQ2006", "'paths' of branches layer at layers[0][0][0]")]
    [InlineData("  - residual: { layers: [ { dense: { units: 1, name: head } } ] }\n  - dense: { units: 1, name: head }\n", "SEQ2009", "already used at 'layers' of residual layer at layers[0][0]")]
    [InlineData("normalization: revin\n  # a layer may not take the normalization's name\nlayers: [ { dense: { units: 1, name: revin } } ]\n", "SEQ2009", "'revin'")]
    public void Malformed_blocks_name_the_place(string layers, string id, string fragment)
    {
        string spec = layers.StartsWith("normalization", StringComparison.Ordinal) ? Input + layers : Input + "layers:\n" + layers;
        var diagnostic = Assert.Single(GeneratorHarness.Run(("m.yaml", spec)).Seq);
        Assert.Equal(id, diagnostic.Id);
        Assert.Contains(fragment, diagnostic.GetMessage());
    }
}
