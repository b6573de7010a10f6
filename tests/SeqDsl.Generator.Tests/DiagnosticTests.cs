using Microsoft.CodeAnalysis;
using SeqDsl.Generator.Diagnostics;
using SeqDsl.Generator.Model;
using SeqDsl.Generator.Tests.Infrastructure;

namespace SeqDsl.Generator.Tests;

/// <summary>One test per diagnostic id: where it is reported (1-based line and column) and what it says.</summary>
public class DiagnosticTests
{
    private const string Valid = "model: Tiny\ninput: { features: 3, time: 10 }\nlayers:\n";

    private const string Experiment = "model: Tiny\ninput: {}\nlayers:\n  - gru: { units: 4 }\n  - dense: { units: 1 }\ndata:\n  source: synthetic-climate\n  target: T (degC)\n  window: { lookback: 12, step: 3, delay: 2 }\n";

    private const string Episodes = "model: Tiny\nlayers:\n  - lstm: { units: 4 }\n  - dense: { units: labels }\nepisodes:\n  source: physionet-2012\n  labels:\n";

    /// <summary>(id, spec, line, column, fragments the message must contain).</summary>
    public static TheoryData<string, string, int, int, string[]> Cases() => new()
    {
        { "SEQ1001", "model: Tiny\ninput: { features: 3\nlayers: []\n", 2, 18, new[] { "YAML syntax error" } },
        { "SEQ1002", "- gru\n- dense\n", 1, 1, new[] { "must be a YAML mapping", "a list" } },
        { "SEQ1003", "model: Tiny\nmodel: Other\ninput: { features: 3 }\nlayers: [ flatten ]\n", 2, 1, new[] { "'model'", "more than once" } },
        { "SEQ1004", "model: Tiny\ninput: { features: 3 }\nlayers: " + new string('[', 100) + "\n", 3, 72, new[] { "nested too deeply", "maximum 64 levels", "level 65" } },
        { "SEQ2001", Valid + "  - gru: { unitz: 4 }\n", 4, 12, new[] { "Unknown key 'unitz'", "gru layer at layers[0]", "Did you mean 'units'?", "units" } },
        { "SEQ2002", "model: Tiny\nlayers: [ flatten ]\n", 1, 1, new[] { "Missing required key 'input'" } },
        { "SEQ2003", Valid + "  - gru: { units: 3.5 }\n", 4, 19, new[] { "'units'", "must be an integer", "received '3.5'" } },
        { "SEQ2004", Valid + "  - gru: { units: 4, dropout: 1.0 }\n", 4, 31, new[] { "'dropout'", "in [0, 1)", "received 1.0" } },
        { "SEQ2005", Valid + "  - dense: { units: 1, activation: rellu }\n", 4, 36, new[] { "'activation'", "one of linear, relu", "did you mean 'relu'?", "received 'rellu'" } },
        { "SEQ2006", Valid + "  - gruu: { units: 32 }\n", 4, 5, new[] { "Unknown layer type 'gruu'", "Did you mean 'gru'?", "layers[0]" } },
        { "SEQ2007", Valid + "  - gru:\n    units: 32\n", 4, 5, new[] { "layers[0]", "exactly one key", "keys gru, units", "indent the options under 'gru'" } },
        { "SEQ2008", "model: 3d-model\ninput: { features: 3 }\nlayers: [ flatten ]\n", 1, 8, new[] { "'model'", "received '3d-model'" } },
        { "SEQ2009", Valid + "  - dense: { units: 4, name: head }\n  - dense: { units: 1, name: head }\n", 5, 24, new[] { "'head'", "layers[1]", "already used at layers[0]" } },
        { "SEQ2011", "model: Tiny\ninput: { features: 3 }\nlayers: []\n", 3, 9, new[] { "at least one layer" } },
        { "SEQ2012", Valid + "  - conv1d: { filters: 4, kernel_size: 3, strides: 2, dilation_rate: 2 }\n", 4, 55, new[] { "'strides' (2)", "'dilation_rate' (2)" } },
        { "SEQ2013", Experiment + "  splits: { train: [0, 1000], val: [980, 2000] }\n", 10, 31, new[] { "splits 'train' [0, 1000] and 'val' [980, 2000] overlap", "rows 994–1001" } },
        { "SEQ2014", Experiment.Replace("target: T (degC)", "target: T (degc)") + "  splits: { train: [0, 1000] }\n", 8, 3, new[] { "'target'", "'T (degc)'", "not a column of synthetic-climate", "Did you mean 'T (degC)'?" } },
        { "SEQ2015", Valid + "  - gru: { units: 2147483648 }\n", 4, 19, new[] { "'units'", "gru layer at layers[0]", "too large (maximum 2147483647)", "received 2147483648" } },
        { "SEQ2016", Episodes + "    - death: { column: In-hospital_death }\n  auxiliary:\n    - death: { column: SAPS-I, at_least: 15 }\n", 10, 7, new[] { "Label name 'death' is already used at line 8", "unique" } },
        { "SEQ2017", Episodes + "    - surgical: { column: ICUType, in: [2, 4] }\n  preprocessing: { static_inputs: true, include: [HR, ICUType] }\n", 9, 41, new[] { "Label 'surgical' is derived from 'ICUType', which 'include' makes an input: the model would see its own target" } },
        { "SEQ3009", Episodes.Replace("dense: { units: labels }", "dense: { units: labels, activation: sigmoid }") + "    - death: { column: In-hospital_death }\n", 4, 5, new[] { "'dense_1' (dense) has the activation sigmoid", "trains on logits with binary cross-entropy", "the runtime applies the sigmoid" } },
        { "SEQ3010", Episodes.Replace("lstm: { units: 4 }", "conv1d: { filters: 4, kernel_size: 3 }") + "    - death: { column: In-hospital_death }\n", 3, 5, new[] { "Layer 'conv1d_1' (conv1d) cannot read an episodes task's records", "padded to the longest record of each batch" } },
        { "SEQ3013", Episodes.Replace("lstm: { units: 4 }", "gru_d: { units: 4 }") + "    - death: { column: In-hospital_death }\n  preprocessing: { missing_indicators: true }\n", 3, 5, new[] { "Layer 'gru_d_1' (gru_d) decays each variable's last observed value toward its training mean", "'time_since_observed: true' (received false", "'scaling: standardize' (received min_max" } },
        { "SEQ3001", Valid + "  - gru: { units: 4 }\n  - gru: { units: 4 }\n", 5, 5, new[] { "Layer 'gru_2' (gru)", "(None, 4)", "return_sequences: true" } },
        { "SEQ3002", "model: Tiny\ninput: { features: 3 }\nlayers:\n  - flatten\n", 4, 5, new[] { "'flatten_1'", "open time axis", "(None, None, 3)" } },
        { "SEQ3003", Valid + "  - conv1d: { filters: 4, kernel_size: 5 }\n  - max_pooling1d: { pool_size: 8 }\n", 5, 5, new[] { "'max_pooling1d_1'", "from 6 to 0" } },
        { "SEQ3004", Valid + "  - bidirectional: { layer: { dense: { units: 4 } } }\n", 4, 29, new[] { "must be one of gru, lstm, simple_rnn", "received 'dense'" } },
        { "SEQ3006", Experiment.Replace("input: {}", "input: { time: 12 }") + "  splits: { train: [0, 1000] }\n", 2, 8, new[] { "'time' under 'input' is 12", "the data gives 4", "lookback 12 / step 3" } },
        { "SEQ3007", Experiment.Replace("dense: { units: 1 }", "dense: { units: 2 }") + "  splits: { train: [0, 1000] }\n", 5, 5, new[] { "(None, 2)", "(None, 1)", "'dense_1' has 2 outputs" } },
        { "SEQ3008", "model: Tiny\ninput: { features: 14, time: 2147483647 }\nlayers:\n  - gru: { units: 2147483647 }\n", 4, 5, new[] { "Layer 'gru_1' (gru) is too large", "parameter count", "9,223,372,036,854,775,807" } },
        { "SEQ3005", "model: Tiny\ninput: { dtype: int64, time: 5 }\nlayers:\n  - gru: { units: 4 }\n", 4, 5, new[] { "int64 token ids", "embedding" } },
        { "SEQ3011", Valid + "  - gru: { units: 4 }\n  - dense: { units: 2 }\nnormalization: revin\n", 6, 1, new[] { "'normalization: revin' cannot wrap this model", "(None, 2) is one series", "the input has 3 features" } },
        { "SEQ3012", Valid + "  - residual:\n      layers: [ { dense: { units: 4 } } ]\n", 4, 5, new[] { "Block 'residual_1' (residual) cannot add its input to its layers' output", "its input is (None, 10, 3) and its layers (None, 10, 4)" } },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Reports_the_diagnostic_at_the_yaml_position(string id, string spec, int line, int column, string[] fragments)
    {
        var result = GeneratorHarness.Run(("specs/tiny.yaml", spec));

        var diagnostic = Assert.Single(result.Seq);
        Assert.True(id == diagnostic.Id, diagnostic.ToString());
        Assert.Equal(DiagnosticSeverity.Error, diagnostic.Severity);
        var position = diagnostic.Location.GetLineSpan();
        Assert.Equal("specs/tiny.yaml", position.Path);
        Assert.Equal((line, column), (position.StartLinePosition.Line + 1, position.StartLinePosition.Character + 1));
        string message = diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture);
        foreach (var fragment in fragments)
            Assert.Contains(fragment, message);
    }

    [Fact]
    public void SEQ2010_two_specs_defining_the_same_model()
    {
        const string spec = "model: Twin\ninput: { features: 3 }\nlayers: [ { dense: { units: 1 } } ]\n";
        var result = GeneratorHarness.Run(("a/one.yaml", spec), ("b/two.yaml", spec));

        var diagnostic = Assert.Single(result.Seq);
        Assert.Equal("SEQ2010", diagnostic.Id);
        Assert.Equal("b/two.yaml", diagnostic.Location.GetLineSpan().Path);
        Assert.Contains("also defined in one.yaml", diagnostic.GetMessage());
        // Only the first spec's class is emitted: the build has the one SEQ error and no C# errors.
        Assert.Single(result.Run.GeneratedSources, s => s.HintName.StartsWith("TwinModel.", StringComparison.Ordinal));
        Assert.Empty(result.Output.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error));
        Assert.Single(result.Diagnostics, d => d.Severity == DiagnosticSeverity.Error);
    }

    [Fact]
    public void SEQ2018_a_random_sweep_that_draws_the_whole_grid_is_a_warning()
    {
        var result = GeneratorHarness.Run(("specs/tiny.yaml", Experiment + "  splits: { train: [0, 1000] }\nsweep:\n  values:\n    training.seed: [1, 2, 3]\n  strategy: { random: { count: 5 } }\n"));

        var diagnostic = Assert.Single(result.Seq);
        Assert.Equal("SEQ2018", diagnostic.Id);
        Assert.Equal(DiagnosticSeverity.Warning, diagnostic.Severity);
        var position = diagnostic.Location.GetLineSpan().StartLinePosition;
        Assert.Equal((14, 25), (position.Line + 1, position.Character + 1));
        Assert.Contains("'count' in 'sweep.strategy' random is 5, and the grid has 3 combinations: the sweep runs the whole grid", diagnostic.GetMessage());
        // A warning leaves the spec valid: its class and all three runs are generated.
        string source = result.Source("TinyModel");
        Assert.True(source.Contains("new(2, ExperimentWithoutSweep with", StringComparison.Ordinal), source);
    }

    [Fact]
    public void SEQ9001_an_exception_inside_a_step_becomes_a_diagnostic_not_a_crash()
    {
        var file = new SpecFile("broken.yaml", "", null);
        var parsed = SpecGenerator.Guard<ParsedSpec>(file.Path, () => throw new InvalidOperationException("boom"), SpecGenerator.Failed(file));

        var info = Assert.Single(parsed.Diagnostics);
        Assert.Equal("SEQ9001", info.Id);
        Assert.Contains("InvalidOperationException: boom", info.Message);
        Assert.Null(parsed.Spec);
    }

    [Fact]
    public void Every_diagnostic_id_has_a_test()
    {
        var tested = Cases().Select(row => (string)row[0]).Concat(new[] { "SEQ2010", "SEQ2018", "SEQ9001" }).ToHashSet();
        var declared = SeqDiagnostics.All.Select(d => d.Id).ToHashSet();
        Assert.Equal(declared.OrderBy(x => x), tested.OrderBy(x => x));
    }

    [Fact]
    public void Ids_come_in_bands_parse_schema_shape()
    {
        foreach (var descriptor in SeqDiagnostics.All)
        {
            string expectedCategory = descriptor.Id[3] switch { '1' => "SeqDsl.Parse", '2' => "SeqDsl.Schema", '3' => "SeqDsl.Shape", _ => "SeqDsl.Generator" };
            Assert.Equal(expectedCategory, descriptor.Category);
        }
    }

    [Fact]
    public void A_spec_with_errors_still_yields_a_placeholder_type()
    {
        var result = GeneratorHarness.Run(("tiny.yaml", Valid + "  - gruu: { units: 32 }\n"));

        Assert.Equal("SEQ2006", Assert.Single(result.Seq).Id);
        string source = result.Source("TinyModel");
        Assert.Contains("public partial class TinyModel", source);
        Assert.Contains("has errors", source);
        // The placeholder compiles: users see the SEQ error, not a cascade of CS0246.
        Assert.Empty(result.Output.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error));
    }

    [Fact]
    public void Several_problems_in_one_spec_are_all_reported()
    {
        var result = GeneratorHarness.Run(("tiny.yaml", Valid + "  - gru: { units: 0 }\n  - dense: { units: 1, activation: nope }\n"));
        Assert.Equal(new[] { "SEQ2004", "SEQ2005" }, result.Seq.Select(d => d.Id).OrderBy(x => x));
    }
}
