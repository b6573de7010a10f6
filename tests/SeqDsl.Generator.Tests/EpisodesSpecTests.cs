using Microsoft.CodeAnalysis;
using SeqDsl.Generator.Helpers;
using SeqDsl.Generator.Model;
using SeqDsl.Generator.Parsing;
using SeqDsl.Generator.Tests.Infrastructure;

namespace SeqDsl.Generator.Tests;

/// <summary>
/// The episodes task: binding with the catalog's defaults, the input width the build infers from the source,
/// preprocessing and representation (as the runtime's EpisodeLayout counts it), the checks of labels, names, splits
/// and output, and the generated class's length-aware forward.
/// </summary>
public class EpisodesSpecTests
{
    private const string Lstm = "layers:\n  - lstm: { units: 8, return_sequences: true }\n  - dropout: { rate: 0.5 }\n  - dense: { units: labels }\n";

    private const string Mlp = "layers:\n  - dense: { units: 16, activation: relu }\n  - dense: { units: labels }\n";

    private const string PhysioNetLabels =
        "  labels:\n    - in_hospital_death: { column: In-hospital_death }\n    - short_stay: { column: Length_of_stay, below: 3, missing_as: 0 }\n    - surgical: { column: ICUType, in: [2, 4] }\n";

    private static string Spec(string episodes, string layers = Lstm) => "model: Icu\n" + layers + "episodes:\n" + episodes;

    private static GeneratorHarness.Result Run(string episodes, string layers = Lstm)
        => GeneratorHarness.Run(("icu.yaml", Spec(episodes, layers)));

    private static Diagnostic Single(string episodes, string id, string layers = Lstm)
    {
        var diagnostic = Assert.Single(Run(episodes, layers).Seq);
        Assert.True(id == diagnostic.Id, diagnostic.ToString());
        return diagnostic;
    }

    /// <summary>The generated InputFeatures constant.</summary>
    private static long InputFeatures(string episodes, string layers = Lstm)
    {
        var result = Run(episodes, layers);
        Assert.True(!result.Seq.Any(), string.Join("\n", result.Seq));
        string line = result.Source("IcuModel").Split('\n').Single(l => l.Contains("public const int InputFeatures = ", StringComparison.Ordinal));
        return long.Parse(line.Trim().TrimEnd(';').Split('=')[1].Trim(), System.Globalization.CultureInfo.InvariantCulture);
    }

    [Fact]
    public void Episodes_settings_are_typed_with_the_catalogs_defaults()
    {
        var parsed = SpecParser.Parse(new SpecFile("icu.yaml", Spec("  source: synthetic-icu\n  labels:\n    - death: { column: in_hospital_death }\n"), null));
        Assert.Empty(parsed.Diagnostics);
        var episodes = Assert.IsType<EpisodesSettings>(parsed.Spec!.Experiment.Episodes);

        Assert.Equal((EpisodeSourceKind.SyntheticIcu, 2000L, 1L, (string?)null), (episodes.Source, episodes.Records, episodes.SourceSeed, episodes.Path));
        var label = Assert.Single(episodes.Labels);
        Assert.Equal(("death", "in_hospital_death", LabelRule.AsIs, false, (long?)null), (label.Name, label.Column, label.Rule, label.Auxiliary, label.MissingAs));
        Assert.Equal(new EpisodePreprocessingSettings(60, StepAggregate.Mean, null, null, Imputation.ForwardFillThenMedian, ClipQuantile: null, MissingIndicators: false,
            TimeSinceObserved: false, Scaling.MinMax, StaticInputs: false, null, EquatableArray<string>.Empty, EmptyEpisodePolicy.Error), episodes.Preprocessing);
        Assert.Equal((EpisodeRepresentation.Sequence, 6L), (episodes.Representation, episodes.FirstLastSteps));
        Assert.Equal((0.7, 0.15, 7L, (string?)null), (episodes.TrainFraction, episodes.ValidationFraction, episodes.SplitSeed, episodes.TestPath));
        Assert.Equal((32L, 0.0, 1.0, PositiveWeighting.None, EpisodeMonitor.MacroAuroc, 10L),
            (episodes.BatchSize, episodes.TargetReplication, episodes.AuxiliaryWeight, episodes.PositiveWeighting, episodes.Monitor, episodes.PrecisionAt));
        Assert.Equal(UnknownVariablePolicy.Ignore, episodes.UnknownVariables);
    }

    [Fact]
    public void Every_key_binds_to_its_setting()
    {
        var parsed = SpecParser.Parse(new SpecFile("icu.yaml", Spec(
            "  source: long-csv\n  path: obs.csv\n  outcomes: labels.csv\n  columns: { record: id, time: t, variable: name, value: v }\n  variables: [HR, Temp]\n  statics: [Age, Unit]\n"
            + "  missing_sentinel: -1\n  unknown_variables: error\n"
            + "  labels:\n    - a: { column: Death }\n    - b: { column: Stay, at_least: 7, missing_as: 1 }\n  auxiliary:\n    - c: { column: Unit, in: [0, 2.5] }\n"
            + "  preprocessing: { interval_minutes: 30, aggregate: last, horizon_hours: 24, max_steps: 100, imputation: median, clip_quantile: 0.01, missing_indicators: true, time_since_observed: true,"
            + " scaling: standardize, static_inputs: true, include: [HR, Age], exclude: [Temp], empty_episodes: keep_one_step }\n"
            + "  representation: { first_last: 3 }\n  splits: { val: 0.2, seed: 3, test_path: test.csv, test_outcomes: test-labels.csv }\n"
            + "  batch_size: 8\n  auxiliary_weight: 0.5\n  positive_weight: balanced\n  monitor: val_first_auroc\n  precision_at: 3\n  summary_baseline: gradient_boosted_trees\n  ensemble_with: [IcuBaseline, gradient_boosted_trees]\n", Mlp), null));
        Assert.Empty(parsed.Diagnostics);
        var e = parsed.Spec!.Experiment.Episodes!;

        Assert.Equal(new LongCsvSettings("id", "t", "name", "v", new[] { "HR", "Temp" }.ToEquatableArray(), new[] { "Age", "Unit" }.ToEquatableArray(), -1), e.LongCsv);
        Assert.Equal((EpisodeSourceKind.LongCsv, "obs.csv", "labels.csv", UnknownVariablePolicy.Error), (e.Source, e.Path, e.Outcomes, e.UnknownVariables));
        Assert.Equal(new[] { "a", "b", "c" }, e.Labels.Select(l => l.Name));
        Assert.Equal((LabelRule.AtLeast, 7.0, (long?)1, false), (e.Labels[1].Rule, e.Labels[1].Threshold, e.Labels[1].MissingAs, e.Labels[1].Auxiliary));
        Assert.Equal((LabelRule.In, true), (e.Labels[2].Rule, e.Labels[2].Auxiliary));
        Assert.Equal(new[] { 0.0, 2.5 }, e.Labels[2].Values);
        Assert.Equal(new EpisodePreprocessingSettings(30, StepAggregate.Last, 24, 100, Imputation.Median, 0.01, true, true, Scaling.Standardize, true,
            new[] { "HR", "Age" }.ToEquatableArray(), new[] { "Temp" }.ToEquatableArray(), EmptyEpisodePolicy.KeepOneStep), e.Preprocessing);
        Assert.Equal((EpisodeRepresentation.FirstLast, 3L), (e.Representation, e.FirstLastSteps));
        // With a test set of its own, training takes the records that validation leaves.
        Assert.Equal((0.8, 0.2, 3L, "test.csv", "test-labels.csv"), (e.TrainFraction, e.ValidationFraction, e.SplitSeed, e.TestPath, e.TestOutcomes));
        Assert.Equal((8L, 0.5, PositiveWeighting.Balanced, EpisodeMonitor.FirstLabelAuroc, 3L),
            (e.BatchSize, e.AuxiliaryWeight, e.PositiveWeighting, e.Monitor, e.PrecisionAt));
        Assert.Equal(EpisodeSummaryBaseline.GradientBoostedTrees, e.SummaryBaseline);
        Assert.Equal(new[] { "IcuBaseline", "gradient_boosted_trees" }, e.EnsembleWith);
        // HR with indicator and hours-since-observed, and Age: 3 + 1 channels per step, first and last 3 steps.
        Assert.Equal(2 * 3 * 4, e.InputFeatures);
    }

    [Theory]
    // 37 variables; Weight is both a variable and a static.
    [InlineData("", 37)]
    [InlineData("missing_indicators: true", 74)]
    [InlineData("missing_indicators: true, time_since_observed: true", 111)]
    // Statics: Age, Gender, Height, Weight (ICUType is the 'surgical' label's source, so never an input).
    [InlineData("missing_indicators: true, static_inputs: true", 78)]
    [InlineData("missing_indicators: true, static_inputs: true, exclude: [Cholesterol, TroponinI, Height]", 2 * 35 + 3)]
    [InlineData("static_inputs: true, include: [HR, Temp, Age]", 3)]
    public void PhysioNet_sequence_width_counts_variables_channels_and_statics(string preprocessing, long expected)
        => Assert.Equal(expected, InputFeatures($"  source: physionet-2012\n{PhysioNetLabels}  preprocessing: {{ {preprocessing} }}\n"));

    [Fact]
    public void A_static_no_label_comes_from_stays_an_input()
        => Assert.Equal(2 * 37 + 5, InputFeatures("  source: physionet-2012\n  labels:\n    - death: { column: In-hospital_death }\n  preprocessing: { missing_indicators: true, static_inputs: true }\n"));

    [Theory]
    // Synthetic ICU: 14 variables, 3 statics. Summary: 8 statistics per variable, then the statics.
    [InlineData("summary", "", 14 * 8)]
    [InlineData("summary", "static_inputs: true", 14 * 8 + 3)]
    [InlineData("{ first_last: 6 }", "missing_indicators: true", 2 * 6 * 28)]
    [InlineData("{ first_last: { steps: 2 } }", "static_inputs: true", 2 * 2 * 17)]
    public void Flat_representations_give_one_vector_per_record(string representation, string preprocessing, long expected)
    {
        var result = Run($"  source: synthetic-icu\n  labels:\n    - death: {{ column: in_hospital_death }}\n    - sepsis: {{ column: sepsis }}\n  preprocessing: {{ {preprocessing} }}\n  representation: {representation}\n", Mlp);
        Assert.Empty(result.Seq);
        string source = result.Source("IcuModel");
        Assert.Contains($"public const int InputFeatures = {expected};", source);
        Assert.Contains("/// <summary>Features per sample of the input (batch, features).</summary>", source);
        Assert.Contains($"global::SeqDsl.Runtime.InputGuard.CheckVectors(input, ModelName, features: {expected});", source);
        Assert.Contains("new(\"dense_2\", \"Dense\", new long?[] { null, 2 }", source);
        Assert.Contains($"ISeqDslModel.Input => new(InputTime, InputFeatures, false, \"(None, {expected})\");", source);
        Assert.DoesNotContain("ILengthAwareModule", source);
        Assert.Empty(result.Output.GetDiagnostics().Where(d => d.Severity >= DiagnosticSeverity.Warning));
    }

    [Fact]
    public void The_sequence_model_reads_padded_records_with_their_lengths()
    {
        var result = Run("  source: synthetic-icu\n  labels:\n    - death: { column: in_hospital_death }\n  auxiliary:\n    - stay: { column: length_of_stay_days, at_least: 7 }\n",
            "layers:\n  - bidirectional: { layer: { gru: { units: 4, return_sequences: true } } }\n  - dropout: { rate: 0.2 }\n  - lstm: { units: 4 }\n  - dense: { units: labels }\n");
        Assert.Empty(result.Seq);
        string source = result.Source("IcuModel");
        Assert.Contains(", global::SeqDsl.Runtime.Layers.ILengthAwareModule", source);
        Assert.Contains("public global::TorchSharp.torch.Tensor forward(global::TorchSharp.torch.Tensor input, global::TorchSharp.torch.Tensor lengths)", source);
        Assert.Contains("var x = this.bidirectional_1.forward(input, lengths);\n            x = this.dropout_1.forward(x);\n            x = this.lstm_1.forward(x, lengths);\n            x = this.dense_1.forward(x);", source.Replace("\r\n", "\n"));
        // 'labels' is the scored and auxiliary count, a plain number in the layer table and the constructor.
        Assert.Contains("new(\"dense_1\", \"Dense\", new long?[] { null, 2 }, 10, 10, \"dense: { units: labels }\"", source);
        Assert.Contains("new global::SeqDsl.Runtime.Episodes.LabelDefinition(\"stay\", \"length_of_stay_days\", global::SeqDsl.Runtime.Episodes.LabelRule.AtLeast, Threshold: 7.0, Auxiliary: true)", source);
        Assert.Contains("InputGuard.Check(input, ModelName, time: null, features: 14, tokens: false);", source);
        Assert.Empty(result.Output.GetDiagnostics().Where(d => d.Severity >= DiagnosticSeverity.Warning));
    }

    private const string GruDChannels = "  source: synthetic-icu\n  labels:\n    - death: { column: in_hospital_death }\n  preprocessing: { missing_indicators: true, time_since_observed: true, scaling: standardize, static_inputs: true }\n";

    [Fact]
    public void Gru_d_is_built_with_the_variable_count_of_the_channels_it_reads()
    {
        // synthetic-icu: 14 variables × (value, indicator, hours) + 3 statics = 45 channels; the cell reads 45 − 14 = 31.
        var result = Run(GruDChannels, "layers:\n  - gru_d: { units: 4, dropout: 0.1 }\n  - dense: { units: labels }\n");
        Assert.Empty(result.Seq);
        string source = result.Source("IcuModel");
        Assert.Contains("new global::SeqDsl.Runtime.Layers.GruD(\"gru_d_1\", 45, 14, new global::SeqDsl.Runtime.Layers.RecurrentOptions(4) { Dropout = 0.1 })", source);
        Assert.Contains("var x = this.gru_d_1.forward(input, lengths);", source);
        long parameters = 3 * (4 * 31 + 4 * 4 + 2 * 4) + (2 * 14 + 4 * 14 + 4);
        Assert.Contains($"new(\"gru_d_1\", \"GRU-D\", new long?[] {{ null, 4 }}, {parameters}, {parameters},", source);
    }

    [Theory]
    [InlineData("layers:\n  - dense: { units: 8 }\n  - gru_d: { units: 4 }\n  - dense: { units: labels }\n", 4, "it must be the first of the model's layers")]
    [InlineData("layers:\n  - gru_d: { units: 4 }\n  - dense: { units: labels }\n", 3, "'imputation: forward_fill' (received median")]
    public void Gru_d_reads_the_episodes_channels_as_the_first_layer_only(string layers, int line, string fragment)
    {
        var diagnostic = Single(GruDChannels.Replace("scaling: standardize", "scaling: standardize, imputation: median"), "SEQ3013", layers);
        Assert.Equal(line, diagnostic.Location.GetLineSpan().StartLinePosition.Line + 1);
        Assert.Contains(fragment, diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public void Gru_d_outside_an_episodes_task_says_what_it_reads()
    {
        var diagnostic = Assert.Single(GeneratorHarness.Run(("tiny.yaml", "model: Tiny\ninput: { features: 9, time: 5 }\nlayers:\n  - gru_d: { units: 4 }\n")).Seq);
        Assert.Equal("SEQ3013", diagnostic.Id);
        Assert.Contains("in a spec with 'episodes' and 'representation: sequence'", diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture));
    }

    private const string StaticBranch = "layers:\n  - gru_d: { units: 4, return_sequences: true }\n  - static_branch:\n      layers: [ { dense: { units: 5, activation: relu } }, { dropout: { rate: 0.2 } } ]\n  - dense: { units: labels }\n";

    [Fact]
    public void A_static_branch_takes_the_statics_off_the_steps_and_joins_its_output_to_every_step()
    {
        // synthetic-icu: 14 variables × (value, indicator, hours) + 3 statics = 45 channels. The statics go to the branch
        // (3 → 5), so gru_d reads 42 channels (no statics in its cell: 42 − 14 = 28) and the head 4 + 5 = 9 per step.
        var result = Run(GruDChannels.Replace("  preprocessing:", "  target_replication: 0.5\n  preprocessing:"), StaticBranch);
        Assert.Empty(result.Seq);
        string source = result.Source("IcuModel").Replace("\r\n", "\n");
        Assert.Contains("InputGuard.Check(input, ModelName, time: null, features: 45, tokens: false);", source);
        Assert.Contains("public const int StaticFeatures = 3;", source);
        Assert.Contains("new global::SeqDsl.Runtime.Layers.GruD(\"gru_d_1\", 42, 14, ", source);
        Assert.Contains("var (x, statics) = global::SeqDsl.Runtime.Layers.StaticBranch.Split(input, StaticFeatures);\n            x = this.gru_d_1.forward(x, lengths);\n            x = this.static_branch_1.forward(x, statics);\n            x = this.dense_1.forward(x);\n            return x;", source);
        Assert.Contains("x = this.gru_d_1.forward(x);\n            x = this.static_branch_1.forward(x, statics);", source);
        Assert.Contains("new global::SeqDsl.Runtime.Layers.StaticBranch(\"static_branch_1\", new global::SeqDsl.Runtime.Layers.LayerPath(this.static_branch_1_dense_1, this.static_branch_1_dropout_1))", source);
        // The block's row: the joined width; its layers one level deeper, from the statics (None, 3).
        Assert.Contains("new(\"static_branch_1\", \"StaticBranch\", new long?[] { null, null, 9 }, 0, 0,", source);
        Assert.Contains("new(\"static_branch_1_dense_1\", \"Dense\", new long?[] { null, 5 }, 20, 20, ", source);
        Assert.Contains("new(\"dense_1\", \"Dense\", new long?[] { null, null, 1 }, 10, 10,", source);
        long gruD = 3 * (4 * 28 + 4 * 4 + 2 * 4) + (2 * 14 + 4 * 14 + 4);
        Assert.Contains($"public const long ParameterCount = {gruD + 20 + 10};", source);
        Assert.Empty(result.Output.GetDiagnostics().Where(d => d.Severity >= DiagnosticSeverity.Warning));
    }

    [Fact]
    public void A_static_branch_after_the_recurrent_layers_joins_the_last_state()
    {
        var result = Run(GruDChannels, "layers:\n  - lstm: { units: 6 }\n  - static_branch: { layers: [] }\n  - dense: { units: labels }\n");
        Assert.Empty(result.Seq);
        string source = result.Source("IcuModel");
        // An empty branch joins the 3 statics as they are: (None, 6 + 3); the lstm reads 42 channels.
        Assert.Contains("new(\"static_branch_1\", \"StaticBranch\", new long?[] { null, 9 }, 0, 0,", source);
        Assert.Contains("new(\"lstm_1\", \"LSTM\", new long?[] { null, 6 }, " + (4 * (6 * 42 + 6 * 6 + 2 * 6)) + ",", source);
    }

    [Theory]
    [InlineData("  source: synthetic-icu\n  labels:\n    - death: { column: in_hospital_death }\n", "set 'static_inputs: true' under 'episodes.preprocessing' (received false)")]
    [InlineData("  source: synthetic-icu\n  labels:\n    - death: { column: in_hospital_death }\n  preprocessing: { static_inputs: true, exclude: [Age, Gender, Weight] }\n", "the source's statics (Age, Gender, Weight) are all excluded or a label's source")]
    [InlineData("  source: synthetic-icu\n  labels:\n    - death: { column: in_hospital_death }\n  preprocessing: { static_inputs: true }\n  representation: summary\n", "it needs 'representation: sequence' (received summary)")]
    public void A_static_branch_without_statics_at_the_end_of_each_step_says_why(string episodes, string fragment)
    {
        var diagnostic = Single(episodes, "SEQ3013", "layers:\n  - static_branch: { layers: [] }\n  - dense: { units: labels }\n");
        Assert.Equal(3, diagnostic.Location.GetLineSpan().StartLinePosition.Line + 1);
        string message = diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture);
        Assert.Contains("Layer 'static_branch_1' (static_branch) joins the record's static descriptors", message);
        Assert.Contains(fragment, message);
    }

    [Fact]
    public void A_static_branch_inside_a_block_or_outside_an_episodes_task_is_an_error()
    {
        // Blocks read padded records only in a flat representation, where the statics are no channels of a step either.
        var nested = Single(GruDChannels + "  representation: summary\n", "SEQ3013", "layers:\n  - dense: { units: 4 }\n  - branches:\n      paths: [ [], [ { static_branch: { layers: [] } } ] ]\n      merge: concat\n  - dense: { units: labels }\n");
        Assert.Contains("must be one of the model's own layers, not inside a block", nested.GetMessage(System.Globalization.CultureInfo.InvariantCulture));
        var series = Assert.Single(GeneratorHarness.Run(("tiny.yaml", "model: Tiny\ninput: { features: 9, time: 5 }\nlayers:\n  - static_branch: { layers: [] }\n")).Seq);
        Assert.Equal("SEQ3013", series.Id);
        Assert.Contains("the spec needs an 'episodes' section with 'representation: sequence'", series.GetMessage(System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public void A_recurrent_layer_in_a_static_branch_is_told_that_the_statics_have_no_time_axis()
    {
        var diagnostic = Single(GruDChannels, "SEQ3001", "layers:\n  - lstm: { units: 4, return_sequences: true }\n  - static_branch:\n      layers: [ { gru: { units: 3 } } ]\n  - dense: { units: labels }\n");
        string message = diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture);
        Assert.Contains("(None, 3)", message);
        Assert.Contains("'static_branch_1' (static_branch) gives its layers the record's statics, one vector per record", message);
    }

    [Fact]
    public void The_summary_baseline_reaches_the_runtime_spec_only_when_set()
    {
        const string Episodes = "  source: synthetic-icu\n  labels:\n    - death: { column: in_hospital_death }\n";
        var trees = Run(Episodes + "  summary_baseline: gradient_boosted_trees\n");
        Assert.Empty(trees.Seq);
        Assert.Contains("SummaryBaseline = global::SeqDsl.Runtime.Experiments.EpisodeSummaryBaseline.GradientBoostedTrees,", trees.Source("IcuModel"));
        Assert.DoesNotContain("SummaryBaseline", Run(Episodes).Source("IcuModel"));
        var wrong = Assert.Single(Run(Episodes + "  summary_baseline: gradient_boosting\n").Seq);
        string message = wrong.GetMessage(System.Globalization.CultureInfo.InvariantCulture);
        Assert.Contains("gradient_boosting", message);
        Assert.Contains("gradient_boosted_trees", message);
    }

    [Fact]
    public void Labels_without_an_episodes_section_is_an_error()
    {
        var diagnostic = Assert.Single(GeneratorHarness.Run(("m.yaml", "model: M\ninput: { features: 3 }\nlayers:\n  - dense: { units: labels }\n")).Seq);
        Assert.Equal("SEQ2012", diagnostic.Id);
        Assert.Contains("no 'episodes' section", diagnostic.GetMessage());
        Assert.Equal((3, 20), (diagnostic.Location.GetLineSpan().StartLinePosition.Line, diagnostic.Location.GetLineSpan().StartLinePosition.Character));
    }

    [Theory]
    [InlineData("data:\n  source: synthetic-climate\n", "leave out the 'data' section")]
    [InlineData("text: { maxlen: 10 }\n", "leave out the 'text' section")]
    public void Episodes_is_a_task_of_its_own(string other, string fragment)
    {
        var result = GeneratorHarness.Run(("icu.yaml", Spec("  source: synthetic-icu\n  labels:\n    - d: { column: sepsis }\n") + other));
        Assert.Contains(result.Seq, d => d.Id == "SEQ2012" && d.GetMessage().Contains(fragment, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("  source: synthetic-icu\n  path: x.csv\n", "'path' in 'episodes' applies to the physionet-2012 and long-csv sources only; this spec's source is synthetic-icu")]
    [InlineData("  source: physionet-2012\n  records: 10\n", "'records' in 'episodes' applies to the synthetic-icu source only")]
    [InlineData("  source: physionet-2012\n  columns: { time: t }\n", "'columns' in 'episodes' applies to the long-csv source only")]
    [InlineData("  source: synthetic-icu\n  splits: { test_path: b.tar.gz }\n", "'splits.test_path' in 'episodes' applies to the physionet-2012 and long-csv sources only")]
    [InlineData("  source: synthetic-icu\n  labels:\n    - d: { column: sepsis, below: 1, in: [1] }\n", "label 'd' gives both 'below' and 'in'")]
    [InlineData("  source: synthetic-icu\n  representation: summary\n  target_replication: 0.5\n", "needs 'representation: sequence'")]
    [InlineData("  source: physionet-2012\n  splits: { test_outcomes: b.txt }\n", "'test_outcomes' in 'episodes.splits' belongs to a 'test_path'")]
    public void Conflicting_episodes_keys_are_SEQ2012(string episodes, string fragment)
    {
        if (!episodes.Contains("labels:", StringComparison.Ordinal))
            episodes += episodes.Contains("physionet", StringComparison.Ordinal) ? "  labels:\n    - d: { column: In-hospital_death }\n" : "  labels:\n    - d: { column: sepsis }\n";
        var diagnostic = Single(episodes, "SEQ2012", episodes.Contains("summary", StringComparison.Ordinal) ? Mlp : Lstm);
        Assert.Contains(fragment, diagnostic.GetMessage());
    }

    [Fact]
    public void Training_keys_of_window_tasks_do_not_apply()
    {
        var result = GeneratorHarness.Run(("icu.yaml", Spec("  source: synthetic-icu\n  labels:\n    - d: { column: sepsis }\n") + "training: { loss: mse, epochs: 3 }\n"));
        var diagnostic = Assert.Single(result.Seq);
        Assert.Equal("SEQ2012", diagnostic.Id);
        Assert.Contains("'loss' in 'training' does not apply to an episodes task", diagnostic.GetMessage());
    }

    [Fact]
    public void A_long_csv_source_lists_its_variables()
    {
        var diagnostic = Single("  source: long-csv\n  labels:\n    - d: { column: Death }\n", "SEQ2002");
        Assert.Contains("Missing required key 'variables' in 'episodes'", diagnostic.GetMessage());
    }

    [Fact]
    public void A_label_column_the_source_lacks_is_named_with_a_suggestion()
    {
        var diagnostic = Single("  source: physionet-2012\n  labels:\n    - surgical: { column: ICUTyp, in: [2, 4] }\n", "SEQ2014");
        string message = diagnostic.GetMessage();
        Assert.Contains("'column' in label 'surgical' names 'ICUTyp', which is not an outcome or static of physionet-2012.", message);
        Assert.Contains("Did you mean 'ICUType'?", message);
        Assert.Equal(8, diagnostic.Location.GetLineSpan().StartLinePosition.Line); // the label's 'column' key
    }

    [Fact]
    public void Include_and_exclude_name_variables_or_statics_of_the_source()
    {
        var diagnostic = Single($"  source: physionet-2012\n{PhysioNetLabels}  preprocessing: {{ exclude: [Cholesterl] }}\n", "SEQ2014");
        Assert.Contains("'exclude' in 'episodes.preprocessing' names 'Cholesterl', which is not a variable or static of physionet-2012. Did you mean 'Cholesterol'?", diagnostic.GetMessage());
    }

    [Theory]
    [InlineData("{ train: 0.9, val: 0.2 }", "add up to more than 1")]
    [InlineData("{ train: 0.8, test_path: b.tar.gz }", "leave 'train' out")]
    public void Episode_splits_are_checked(string splits, string fragment)
        => Assert.Contains(fragment, Single($"  source: physionet-2012\n{PhysioNetLabels}  splits: {splits}\n", "SEQ2013").GetMessage());

    [Fact]
    public void An_explicit_input_must_agree_with_the_inferred_width()
    {
        var result = GeneratorHarness.Run(("icu.yaml", "model: Icu\ninput: { features: 13 }\n" + Lstm + "episodes:\n  source: synthetic-icu\n  labels:\n    - d: { column: sepsis }\n"));
        var diagnostic = Assert.Single(result.Seq);
        Assert.Equal("SEQ3006", diagnostic.Id);
        Assert.Contains("'features' under 'input' is 13, but the data gives 14 (14 variables and 0 statics of synthetic-icu)", diagnostic.GetMessage());
    }

    [Fact]
    public void A_fixed_time_contradicts_padded_records()
        => Assert.Contains("the time length is open", Assert.Single(GeneratorHarness.Run(("icu.yaml",
            "model: Icu\ninput: { time: 48 }\n" + Lstm + "episodes:\n  source: synthetic-icu\n  labels:\n    - d: { column: sepsis }\n")).Seq).GetMessage());

    [Fact]
    public void The_model_has_one_output_per_label()
    {
        var diagnostic = Single("  source: synthetic-icu\n  labels:\n    - d: { column: sepsis }\n", "SEQ3007", "layers:\n  - lstm: { units: 8 }\n  - dense: { units: 3 }\n");
        Assert.Contains("give it 'units: labels' (1: 1 scored and 0 auxiliary labels)", diagnostic.GetMessage());
    }

    [Fact]
    public void Target_replication_needs_an_output_per_step()
    {
        var diagnostic = Single("  source: synthetic-icu\n  labels:\n    - d: { column: sepsis }\n  target_replication: 0.5\n", "SEQ3007", "layers:\n  - lstm: { units: 8 }\n  - dense: { units: labels }\n");
        Assert.Contains("needs an output per step (None, None, 1)", diagnostic.GetMessage());
    }

    [Fact]
    public void A_recurrent_layer_on_a_flat_representation_asks_for_the_sequence()
    {
        var diagnostic = Single("  source: synthetic-icu\n  labels:\n    - d: { column: sepsis }\n  representation: summary\n", "SEQ3001");
        Assert.Contains("receives (None, 112). The episodes representation gives one vector per record", diagnostic.GetMessage());
    }

    [Fact]
    public void Flat_representations_take_any_layer()
        => Assert.Empty(Run("  source: synthetic-icu\n  labels:\n    - d: { column: sepsis }\n  representation: summary\n",
            "layers:\n  - dense: { units: 4 }\n  - dropout: { rate: 0.1 }\n  - dense: { units: labels }\n").Seq);

    [Fact]
    public void A_first_last_width_beyond_an_int_is_reported_not_thrown()
    {
        var diagnostic = Single("  source: physionet-2012\n  labels:\n    - d: { column: In-hospital_death }\n  representation: { first_last: 2000000000 }\n", "SEQ2004", Mlp);
        Assert.Contains("'steps' in representation 'first_last' must be small enough that 2 · steps · channels per step fits 2147483647; received 2000000000", diagnostic.GetMessage());
    }
}
