using SeqDsl.Generator.Tests.Infrastructure;

namespace SeqDsl.Generator.Tests;

/// <summary>
/// Several columns at build time: multivariate input with one target (MS), several targets (M) and channel-independent
/// models, their shapes, parameter counts and the diagnostics at the YAML line.
/// </summary>
public class MultivariateSpecTests
{
    private const string Ett = "  source: csv\n  path: ETTh1.csv\n  date_column: date\n  columns: [HUFL, HULL, MUFL, MULL, LUFL, LULL, OT]\n"
        + "  window: { lookback: 336, horizon: 96, batch_size: 32 }\n  splits: { train: [0, 8545], val: [8304, 11425], test: [11184, 14305] }\n";

    private static string Spec(string layers, string target, string head = "") => $"model: M\n{head}layers:\n{layers}data:\n{Ett}  target: {target}\n";

    private static GeneratorHarness.Result Run(string spec) => GeneratorHarness.Run(("m.yaml", spec));

    private static string Valid(string spec)
    {
        var result = Run(spec);
        Assert.Empty(result.Seq);
        return result.Source("MModel");
    }

    private static Microsoft.CodeAnalysis.Diagnostic Error(string spec, string id, int line)
    {
        var diagnostic = Assert.Single(Run(spec).Seq);
        Assert.Equal(id, diagnostic.Id);
        Assert.Equal(line, diagnostic.Location.GetLineSpan().StartLinePosition.Line + 1);
        return diagnostic;
    }

    [Fact]
    public void Seven_columns_in_and_one_target_out_is_the_ms_setting()
    {
        string source = Valid(Spec("  - flatten\n  - dense: { units: 96 }\n", "OT"));

        Assert.Contains("input (None, 336, 7) → output (None, 96), 225,888 parameters.", source); // 336·7·96 + 96
        Assert.Contains("DataSpec(global::SeqDsl.Runtime.Experiments.DataSourceKind.Csv, \"OT\")", source);
        Assert.DoesNotContain("ChannelIndependent", source);
    }

    [Theory]
    [InlineData("all")]
    [InlineData("[HUFL, HULL, MUFL, MULL, LUFL, LULL, OT]")]
    public void Several_targets_are_listed_in_order_and_the_output_may_be_flat(string target)
    {
        string source = Valid(Spec("  - flatten\n  - dense: { units: 672 }\n", target)); // 96 steps · 7 targets

        Assert.Contains("DataSourceKind.Csv, \"HUFL\", \"HULL\", \"MUFL\", \"MULL\", \"LUFL\", \"LULL\", \"OT\")", source);
    }

    [Fact]
    public void An_output_of_horizon_by_targets_matches_several_targets()
    {
        // A valid conv of kernel 241 over the 336 steps leaves 96 steps of 2 filters: (None, 96, 2).
        Valid(Spec("  - conv1d: { filters: 2, kernel_size: 241 }\n", "[HUFL, OT]"));
    }

    [Fact]
    public void An_output_that_does_not_fit_several_targets_is_SEQ3007_at_the_last_layer()
    {
        var d = Error(Spec("  - flatten\n  - dense: { units: 96 }\n", "[HUFL, OT]"), "SEQ3007", 4);
        Assert.Contains("The model's output (None, 96) does not match the targets (None, 96, 2)", d.GetMessage());
        Assert.Contains("(None, 192) read as horizon-major", d.GetMessage());
        Assert.Contains("channels: independent", d.GetMessage());
    }

    [Fact]
    public void Channel_independent_layers_see_one_feature_and_the_model_returns_every_column()
    {
        string source = Valid(Spec("  - gru: { units: 8 }\n  - dense: { units: 96 }\n", "all", "channels: independent\n"));

        // GRU(8) over one feature: 3 · (8·1 + 8·8 + 2·8) = 264; dense 8 → 96: 864.
        Assert.Contains("input (None, 336, 7) → output (None, 96, 7), 1,128 parameters.", source);
        Assert.Contains("public const int InputFeatures = 7;", source);
        Assert.Contains("(None, 336, 1) → (None, 8); 264 parameters.", source);
        Assert.Contains("Channel-independent: the layers run on each of the 7 input columns as a separate series, (None, 336, 1) → (None, 96)", source);
        Assert.Contains("return global::SeqDsl.Runtime.Layers.ChannelIndependent.Apply(input, this.ForwardPerChannel);", source);
        Assert.Contains("ChannelIndependent = true,", source);
        Assert.Contains("ModelSummary.Render(ModelName, SpecFile, Layers, Wrapping)", source);
    }

    [Fact]
    public void Instance_normalization_wraps_channel_independent_layers_from_outside()
    {
        string source = Valid(Spec("  - flatten\n  - dense: { units: 96 }\n", "all", "channels: independent\nnormalization: { revin: { affine: true } }\n"));

        // RevIN's statistics are per input column, so it reads the whole (B, T, 7) window: one affine pair per column
        // (14) beside the shared dense 336 → 96 (32,352).
        Assert.Contains("input (None, 336, 7) → output (None, 96, 7), 32,366 parameters.", source);
        int normalize = source.IndexOf("var (x, statistics) = this.revin.Normalize(input);", System.StringComparison.Ordinal);
        int apply = source.IndexOf("x = global::SeqDsl.Runtime.Layers.ChannelIndependent.Apply(x, this.ForwardPerChannel);", System.StringComparison.Ordinal);
        int denormalize = source.IndexOf("return this.revin.Denormalize(x, statistics);", System.StringComparison.Ordinal);
        Assert.True(normalize >= 0 && apply > normalize && denormalize > apply, source);
    }

    [Fact]
    public void Channel_independence_with_one_target_forecasts_every_column()
    {
        string source = Valid(Spec("  - flatten\n  - dense: { units: 96 }\n", "OT", "channels: independent\n"));
        Assert.Contains("output (None, 96, 7), 32,352 parameters.", source);  // 336 · 96 + 96: one column's weights
        Assert.Contains("DataSourceKind.Csv, \"OT\")", source);
    }

    [Theory]
    [InlineData("  - gru: { units: 8, return_sequences: true }\n", "it keeps the time axis")]
    [InlineData("  - flatten\n  - dense: { units: 24 }\n", "has 24 outputs per column; give it 96")]
    public void Channel_independent_layers_must_end_in_the_horizon(string layers, string fragment)
    {
        int last = layers.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length + 3;
        var d = Error(Spec(layers, "all", "channels: independent\n"), "SEQ3007", last);
        Assert.Contains("per column does not match the targets (None, 96, 7)", d.GetMessage());
        Assert.Contains(fragment, d.GetMessage());
    }

    [Fact]
    public void A_target_named_twice_is_SEQ2012_at_the_target()
    {
        var d = Error(Spec("  - flatten\n  - dense: { units: 288 }\n", "[OT, HUFL, OT]"), "SEQ2012", 12);
        Assert.Contains("names the column 'OT' twice", d.GetMessage());
    }

    [Fact]
    public void An_unknown_target_in_a_list_is_SEQ2014_with_a_suggestion()
    {
        var d = Error(Spec("  - flatten\n  - dense: { units: 192 }\n", "[HUFL, OTT]"), "SEQ2014", 12);
        Assert.Contains("'OTT'", d.GetMessage());
        Assert.Contains("Did you mean 'OT'?", d.GetMessage());
    }

    [Fact]
    public void A_quoted_all_is_a_column_name()
    {
        var d = Error(Spec("  - flatten\n  - dense: { units: 96 }\n", "\"all\""), "SEQ2014", 12);
        Assert.Contains("'all'", d.GetMessage());
    }

    [Fact]
    public void Target_all_needs_the_columns_listed()
    {
        // With input.features given the csv's columns need not be listed (it reads every numeric column), so only
        // 'all' finds them missing; without features the catalog's requirement asks for the columns first.
        string spec = "model: M\ninput: { features: 7 }\nlayers:\n  - flatten\n  - dense: { units: 96 }\ndata:\n  source: csv\n  path: x.csv\n  target: all\n"
            + "  window: { lookback: 336, horizon: 96 }\n  splits: { train: [0, 8545] }\n";
        var d = Error(spec, "SEQ2002", 9);
        Assert.Contains("'target: all' predicts every column", d.GetMessage());
    }

    [Fact]
    public void Channel_independence_belongs_to_a_numeric_series()
    {
        var d = Error("model: M\nchannels: independent\nlayers:\n  - lstm: { units: 8 }\n  - dense: { units: vocab, activation: softmax }\ntext: { maxlen: 20 }\n", "SEQ2012", 2);
        Assert.Contains("a 'text' task has no such columns", d.GetMessage());
    }
}
