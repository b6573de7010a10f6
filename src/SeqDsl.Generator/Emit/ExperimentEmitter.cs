using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using SeqDsl.Generator.Helpers;
using SeqDsl.Generator.Model;

namespace SeqDsl.Generator.Emit;

/// <summary>Emits a model's <c>Experiment</c>: every setting of the spec's data, training and baseline sections, resolved to values.</summary>
internal static class ExperimentEmitter
{
    private const string Experiments = "global::SeqDsl.Runtime.Experiments";
    private const string Training = "global::SeqDsl.Runtime.Training";
    private const string Data = "global::SeqDsl.Runtime.Data";
    private const string Episodes = "global::SeqDsl.Runtime.Episodes";

    public static void Emit(SourceWriter w, ModelPlan plan)
    {
        var experiment = plan.Spec.Experiment;
        var sweep = plan.Spec.Sweep;
        w.Line(sweep is not null
            ? "/// <summary>The spec's experiment as written, without its sweep: what the sweep's runs on this class train, with their own training values.</summary>"
            : experiment.Episodes is not null
            ? "/// <summary>The spec's experiment: the model, its episodes (records, labels, preprocessing, splits) and training, with every default resolved.</summary>"
            : experiment.Data is not null || experiment.Text is not null
            ? "/// <summary>The spec's experiment: the model, its data, training and baseline or sampling, with every default resolved.</summary>"
            : "/// <summary>The spec as an experiment; it has no data section, so it can be summarized but not trained.</summary>");
        // With a sweep, Experiment is this one with the runs, which refer to it: it comes first (static initializers run in order).
        string declaration = sweep is not null
            ? $"private static {Experiments}.ExperimentSpec {WithoutSweep} {{ get; }}"
            : $"public static {Experiments}.ExperimentSpec Experiment {{ get; }}";
        // One factory, table and count, each of the run's sizes (ModelSizes): a spec sized by 'vocab' needs the corpus's vocabulary.
        if (plan.SizedBy is SizeName size)
        {
            string value = $"sizes.Require{NamedSizes.SizesMember(size)}(ModelName)";
            w.Line($"{declaration} = new(ModelName, SpecFile,");
            w.Line($"    static sizes => new {plan.ClassName}({value}), static sizes => LayersFor({value}), static sizes => ParameterCountFor({value}))");
        }
        else
        {
            w.Line($"{declaration} = new(ModelName, SpecFile, static _ => new {plan.ClassName}(), static _ => Layers, static _ => ParameterCount)");
        }
        w.Line("{");
        w.Indent();
        SpecFolder(w, experiment);
        if (experiment.Data is { } data)
        {
            DataSpec(w, data);
            TrainingSpec(w, experiment.Training);
            BaselineSpec(w, experiment.Baseline);
        }
        else if (experiment.Text is { } text)
        {
            TextSpec(w, text);
            TrainingSpec(w, experiment.Training);
            SamplingSpec(w, experiment.Sampling);
            w.Line($"Baseline = new {Experiments}.BaselineSpec({Experiments}.BaselineKind.{BaselineKind.None}),");
        }
        else if (experiment.Episodes is { } episodes)
        {
            EpisodesSpec(w, episodes);
            TrainingSpec(w, experiment.Training);
            w.Line($"Baseline = new {Experiments}.BaselineSpec({Experiments}.BaselineKind.{BaselineKind.None}),");
        }
        if (plan.IndependentChannels is not null)
        {
            w.Line("ChannelIndependent = true,");
            w.Line("Wrapping = Wrapping,");
        }
        w.Unindent();
        w.Line("};");
        if (sweep is not null) SweepMember(w, plan, sweep);
    }

    /// <summary>The member that holds the spec's experiment without its sweep, for the runs that train the spec's own class.</summary>
    private const string WithoutSweep = "ExperimentWithoutSweep";

    /// <summary>
    /// <c>Experiment</c> of a spec with a sweep: the experiment as written with <c>Sweep</c>, whose runs (in the build's
    /// order) are each the experiment of their variant's class (or of this one) with the run's training settings.
    /// </summary>
    private static void SweepMember(SourceWriter w, ModelPlan plan, SweepSettings sweep)
    {
        var experiment = plan.Spec.Experiment;
        bool trains = experiment.Data is not null || experiment.Text is not null || experiment.Episodes is not null;
        w.Line();
        w.Line($"/// <summary>The spec's experiment, with every default resolved, and its sweep: {sweep.Runs.Count} run{(sweep.Runs.Count == 1 ? "" : "s")} over {Escape.XmlDocText(string.Join(", ", sweep.Keys.Select(k => k.Path)))}.</summary>");
        w.Line($"public static {Experiments}.ExperimentSpec Experiment {{ get; }} = {WithoutSweep} with");
        w.Line("{");
        w.Indent();
        w.Line($"Sweep = new {Experiments}.SweepSpec(ModelName, SpecFile, new {Experiments}.SweepRun[]");
        w.Line("{");
        w.Indent();
        foreach (var run in sweep.Runs)
        {
            string source = run.Variant is int k ? $"global::{plan.Namespace}.{plan.Variants[k].ClassName}.Experiment" : WithoutSweep;
            string settings = $"new {Experiments}.SweepSetting[] {{ {string.Join(", ", run.Settings.Select(s => $"new({Escape.StringLiteral(s.Key)}, {Escape.StringLiteral(s.Value)})"))} }}";
            if (!trains)
            {
                w.Line($"new({run.Index}, {source}, {settings}),");
                continue;
            }
            w.Line($"new({run.Index}, {source} with");
            w.Line("{");
            w.Indent();
            TrainingSpec(w, run.Training);
            w.Unindent();
            w.Line($"}}, {settings}),");
        }
        w.Unindent();
        w.Line("}),");
        w.Unindent();
        w.Line("};");
    }

    /// <summary>
    /// The spec's folder at build time and the lines of its file keys, only for a spec that names files: the runtime
    /// resolves relative paths against that folder (SpecPaths) and names the key and line when a file is missing.
    /// </summary>
    private static void SpecFolder(SourceWriter w, ExperimentSettings experiment)
    {
        if (experiment.FileKeys.Count == 0) return;
        if (experiment.SpecDirectory is { } folder)
            w.Line($"SpecDirectory = {Escape.StringLiteral(folder)},");
        w.Line($"KeyLines = new global::System.Collections.Generic.Dictionary<string, int> {{ {string.Join(", ", experiment.FileKeys.Select(k => $"[{Escape.StringLiteral(k.Key)}] = {k.Line}"))} }},");
    }

    private static void DataSpec(SourceWriter w, DataSettings data)
    {
        w.Line($"Data = new {Experiments}.DataSpec({Experiments}.DataSourceKind.{data.Source}, {string.Join(", ", data.Targets.Select(Escape.StringLiteral))})");
        w.Line("{");
        w.Indent();
        foreach (var (value, property) in new[] { (data.Path, "Path"), (data.Url, "Url"), (data.DateColumn, "DateColumn"), (data.DateFormat, "DateFormat"), (data.Sha256, "Sha256") })
            if (value is not null) w.Line($"{property} = {Escape.StringLiteral(value)},");
        if (data.Source == DataSourceKind.Ett) w.Line($"Series = {Escape.StringLiteral(data.Series)},");
        if (data.Columns is { } columns)
            w.Line($"Columns = new[] {{ {string.Join(", ", columns.Select(Escape.StringLiteral))} }},");
        w.Line($"Missing = {Data}.MissingValuePolicy.{data.Missing},");
        if (data.Source == DataSourceKind.SyntheticClimate) w.Line($"Rows = {data.Rows},");
        var window = data.Window;
        w.Line($"Window = new {Data}.WindowOptions(Lookback: {window.Lookback}, Step: {window.Step}, Delay: {window.Delay}, BatchSize: {window.BatchSize}) {{ Horizon = {window.Horizon}, Reverse = {Bool(window.Reverse)} }},");
        w.Line($"Shuffle = {Bool(window.Shuffle)},");
        foreach (var (split, property) in new[] { (data.Train, "Train"), (data.Validation, "Validation"), (data.Test, "Test") })
        {
            if (split is not null)
                w.Line($"{property} = new {Experiments}.SplitRange({split.Start}, {(split.End is long end ? end.ToString(CultureInfo.InvariantCulture) : "null")})"
                       + (split.Targets is { } targets ? $" {{ Targets = {Escape.StringLiteral(targets)} }}," : ","));
        }
        w.Line($"Normalize = {Bool(data.Normalize)},");
        w.Unindent();
        w.Line("},");
    }

    private static void TextSpec(SourceWriter w, TextSettings text)
    {
        w.Line($"Text = new {Experiments}.TextSpec");
        w.Line("{");
        w.Indent();
        w.Line($"Corpus = {Escape.StringLiteral(text.Corpus)},");
        foreach (var (value, property) in new[] { (text.Url, "Url"), (text.Sha256, "Sha256") })
            if (value is not null) w.Line($"{property} = {Escape.StringLiteral(value)},");
        w.Line($"Lowercase = {Bool(text.Lowercase)},");
        w.Line($"MaxLen = {text.MaxLen},");
        w.Line($"Step = {text.Step},");
        w.Line($"BatchSize = {text.BatchSize},");
        w.Line($"Encoding = global::SeqDsl.Runtime.Text.TextEncoding.{text.Encoding},");
        w.Line($"ValidationFraction = {ModelEmitter.Number(text.ValidationFraction)},");
        w.Line($"Shuffle = {Bool(text.Shuffle)},");
        w.Unindent();
        w.Line("},");
    }

    private static void EpisodesSpec(SourceWriter w, EpisodesSettings episodes)
    {
        w.Line($"Episodes = new {Experiments}.EpisodesSpec({Experiments}.EpisodeSourceKind.{episodes.Source})");
        w.Line("{");
        w.Indent();
        foreach (var (value, property) in new[] { (episodes.Path, "Path"), (episodes.Outcomes, "Outcomes") })
            if (value is not null) w.Line($"{property} = {Escape.StringLiteral(value)},");
        if (episodes.Source == EpisodeSourceKind.SyntheticIcu)
        {
            w.Line($"Records = {episodes.Records},");
            w.Line($"SourceSeed = {episodes.SourceSeed},");
        }
        if (episodes.LongCsv is { } csv)
        {
            w.Line($"LongCsv = new {Episodes}.LongCsvEpisodeOptions");
            w.Line("{");
            w.Indent();
            w.Line($"RecordColumn = {Escape.StringLiteral(csv.RecordColumn)},");
            w.Line($"TimeColumn = {Escape.StringLiteral(csv.TimeColumn)},");
            w.Line($"VariableColumn = {Escape.StringLiteral(csv.VariableColumn)},");
            w.Line($"ValueColumn = {Escape.StringLiteral(csv.ValueColumn)},");
            w.Line($"Variables = {Strings(csv.Variables)},");
            w.Line($"Statics = {Strings(csv.Statics)},");
            w.Line($"UnknownVariables = {Episodes}.UnknownVariablePolicy.{episodes.UnknownVariables},");
            w.Line($"MissingSentinel = {(csv.MissingSentinel is double sentinel ? ModelEmitter.Number(sentinel) : "null")},");
            w.Unindent();
            w.Line("},");
        }
        w.Line($"UnknownVariables = {Episodes}.UnknownVariablePolicy.{episodes.UnknownVariables},");
        w.Line($"Labels = new {Episodes}.LabelDefinition[]");
        w.Line("{");
        w.Indent();
        foreach (var label in episodes.Labels)
            w.Line(Label(label) + ",");
        w.Unindent();
        w.Line("},");
        var p = episodes.Preprocessing;
        w.Line($"Preprocessing = new {Episodes}.EpisodePreprocessingOptions");
        w.Line("{");
        w.Indent();
        w.Line($"IntervalMinutes = {ModelEmitter.Number(p.IntervalMinutes)},");
        w.Line($"Aggregate = {Episodes}.StepAggregate.{p.Aggregate},");
        w.Line($"HorizonMinutes = {(p.HorizonHours is double hours ? ModelEmitter.Number(hours * 60) : "null")},");
        w.Line($"MaxSteps = {(p.MaxSteps is long steps ? steps.ToString(CultureInfo.InvariantCulture) : "null")},");
        w.Line($"Imputation = {Episodes}.Imputation.{p.Imputation},");
        if (p.ClipQuantile is double clip) w.Line($"ClipQuantile = {ModelEmitter.Number(clip)},");
        w.Line($"MissingIndicators = {Bool(p.MissingIndicators)},");
        w.Line($"TimeSinceObserved = {Bool(p.TimeSinceObserved)},");
        w.Line($"Scaling = {Episodes}.Scaling.{p.Scaling},");
        w.Line($"StaticInputs = {Bool(p.StaticInputs)},");
        w.Line($"Include = {(p.Include is { } include ? Strings(include) : "null")},");
        w.Line($"Exclude = {Strings(p.Exclude)},");
        w.Line($"EmptyEpisodes = {Episodes}.EmptyEpisodePolicy.{p.EmptyEpisodes},");
        w.Unindent();
        w.Line("},");
        w.Line($"Representation = {Experiments}.EpisodeRepresentation.{episodes.Representation},");
        w.Line($"FirstLastSteps = {episodes.FirstLastSteps},");
        w.Line($"TrainFraction = {ModelEmitter.Number(episodes.TrainFraction)},");
        w.Line($"ValidationFraction = {ModelEmitter.Number(episodes.ValidationFraction)},");
        w.Line($"SplitSeed = {episodes.SplitSeed},");
        foreach (var (value, property) in new[] { (episodes.TestPath, "TestPath"), (episodes.TestOutcomes, "TestOutcomes") })
            if (value is not null) w.Line($"{property} = {Escape.StringLiteral(value)},");
        w.Line($"BatchSize = {episodes.BatchSize},");
        w.Line($"TargetReplication = {ModelEmitter.Number(episodes.TargetReplication)},");
        w.Line($"AuxiliaryWeight = {ModelEmitter.Number(episodes.AuxiliaryWeight)},");
        w.Line($"PositiveWeighting = {Experiments}.PositiveWeighting.{episodes.PositiveWeighting},");
        w.Line($"Monitor = {Experiments}.EpisodeMonitor.{episodes.Monitor},");
        w.Line($"PrecisionAt = {episodes.PrecisionAt},");
        if (episodes.SummaryBaseline != EpisodeSummaryBaseline.None) w.Line($"SummaryBaseline = {Experiments}.EpisodeSummaryBaseline.{episodes.SummaryBaseline},");
        if (episodes.EnsembleWith.Count > 0) w.Line($"EnsembleWith = {Strings(episodes.EnsembleWith)},");
        w.Unindent();
        w.Line("},");
    }

    /// <summary>A label as the runtime's LabelDefinition, with only the arguments its rule uses.</summary>
    private static string Label(LabelSettings label)
    {
        var arguments = new List<string> { Escape.StringLiteral(label.Name), Escape.StringLiteral(label.Column), $"{Episodes}.LabelRule.{label.Rule}" };
        if (label.Rule is LabelRule.Below or LabelRule.AtLeast) arguments.Add($"Threshold: {ModelEmitter.Number(label.Threshold)}");
        if (label.Rule == LabelRule.In) arguments.Add($"Values: new double[] {{ {string.Join(", ", label.Values.Select(ModelEmitter.Number))} }}");
        if (label.Auxiliary) arguments.Add("Auxiliary: true");
        if (label.MissingAs is long missing) arguments.Add($"MissingAs: {missing}f");
        return $"new {Episodes}.LabelDefinition({string.Join(", ", arguments)})";
    }

    private static string Strings(IEnumerable<string> values) => values.Any()
        ? $"new string[] {{ {string.Join(", ", values.Select(Escape.StringLiteral))} }}"
        : "global::System.Array.Empty<string>()";

    private static void SamplingSpec(SourceWriter w, SamplingSettings sampling)
    {
        w.Line($"Sampling = new {Experiments}.SamplingSpec");
        w.Line("{");
        w.Indent();
        w.Line($"Temperatures = new[] {{ {string.Join(", ", sampling.Temperatures.Select(ModelEmitter.Number))} }},");
        w.Line($"Length = {sampling.Length},");
        w.Line($"Every = {sampling.Every},");
        w.Unindent();
        w.Line("},");
    }

    private static void TrainingSpec(SourceWriter w, TrainingSettings training)
    {
        var optimizer = training.Optimizer;
        var options = new List<string> { $"LearningRate = {ModelEmitter.Number(optimizer.LearningRate)}" };
        switch (optimizer.Kind)
        {
            case OptimizerKind.RmsProp:
                options.Add($"Rho = {ModelEmitter.Number(optimizer.Rho!.Value)}");
                options.Add($"Momentum = {ModelEmitter.Number(optimizer.Momentum!.Value)}");
                options.Add($"Epsilon = {ModelEmitter.Number(optimizer.Epsilon!.Value)}");
                break;
            case OptimizerKind.Adam:
                options.Add($"Beta1 = {ModelEmitter.Number(optimizer.Beta1!.Value)}");
                options.Add($"Beta2 = {ModelEmitter.Number(optimizer.Beta2!.Value)}");
                options.Add($"Epsilon = {ModelEmitter.Number(optimizer.Epsilon!.Value)}");
                break;
            default:
                options.Add($"Momentum = {ModelEmitter.Number(optimizer.Momentum!.Value)}");
                options.Add($"Nesterov = {Bool(optimizer.Nesterov!.Value)}");
                break;
        }
        w.Line($"Training = new {Experiments}.TrainingSpec");
        w.Line("{");
        w.Indent();
        w.Line($"Optimizer = new {Training}.OptimizerOptions({Training}.OptimizerKind.{optimizer.Kind}) {{ {string.Join(", ", options)} }},");
        w.Line($"Loss = {Training}.LossKind.{training.Loss},");
        w.Line($"Epochs = {training.Epochs},");
        w.Line($"StepsPerEpoch = {training.StepsPerEpoch},");
        w.Line($"ValidationSteps = {(training.ValidationSteps is long steps ? steps.ToString(CultureInfo.InvariantCulture) : "null")},");
        w.Line($"Seed = {training.Seed},");
        w.Line($"ClipNorm = {(training.ClipNorm is double clip ? ModelEmitter.Number(clip) : "null")},");
        w.Line($"EarlyStoppingPatience = {(training.EarlyStoppingPatience is long patience ? patience.ToString(CultureInfo.InvariantCulture) : "null")},");
        w.Line($"LearningRateDecay = {ModelEmitter.Number(training.LearningRateDecay)},");
        w.Unindent();
        w.Line("},");
    }

    private static void BaselineSpec(SourceWriter w, BaselineSettings baseline)
        => w.Line($"Baseline = new {Experiments}.BaselineSpec({Experiments}.BaselineKind.{baseline.Kind}, Season: {baseline.Season}),");

    private static string Bool(bool value) => value ? "true" : "false";
}
