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

    public static void Emit(SourceWriter w, ModelPlan plan)
    {
        var settings = plan.Spec.Experiment;
        w.Line(settings.HasData || settings.HasText
            ? "/// <summary>The spec's experiment: the model, its data, training and baseline or sampling, with every default resolved.</summary>"
            : "/// <summary>The spec as an experiment; it has no data section, so it can be summarized but not trained.</summary>");
        if (plan.SizedBy is not null)
        {
            // The positional model factory and table need a vocabulary; the runner uses the ForVocabulary members.
            w.Line($"public static {Experiments}.ExperimentSpec Experiment {{ get; }} = new(ModelName, SpecFile,");
            w.Line($"    static () => throw new global::System.InvalidOperationException(ModelName + \" is sized by its corpus's vocabulary: use CreateModelForVocabulary.\"), LayersFor(0), ParameterCountFor(0))");
            w.Line("{");
            w.Indent();
            w.Line($"CreateModelForVocabulary = static vocabularySize => new {plan.ClassName}(vocabularySize),");
            w.Line("LayersForVocabulary = LayersFor,");
        }
        else
        {
            w.Line($"public static {Experiments}.ExperimentSpec Experiment {{ get; }} = new(ModelName, SpecFile, static () => new {plan.ClassName}(), Layers, ParameterCount)");
            w.Line("{");
            w.Indent();
        }
        if (settings.HasData)
        {
            DataSpec(w, settings);
            TrainingSpec(w, settings);
            BaselineSpec(w, settings);
        }
        else if (settings.HasText)
        {
            TextSpec(w, settings);
            TrainingSpec(w, settings);
            SamplingSpec(w, settings);
            w.Line($"Baseline = new {Experiments}.BaselineSpec({Experiments}.BaselineKind.None),");
        }
        w.Unindent();
        w.Line("};");
    }

    private static void DataSpec(SourceWriter w, ExperimentSettings s)
    {
        string source = s.Raw("data.source") switch { "synthetic-climate" => "SyntheticClimate", "jena-climate" => "JenaClimate", _ => "Csv" };
        w.Line($"Data = new {Experiments}.DataSpec({Experiments}.DataSourceKind.{source}, {Escape.StringLiteral(s.Raw("data.target")!)})");
        w.Line("{");
        w.Indent();
        foreach (var (key, property) in new[] { ("path", "Path"), ("date_column", "DateColumn"), ("date_format", "DateFormat"), ("sha256", "Sha256") })
            if (s.Raw("data." + key) is { } value) w.Line($"{property} = {Escape.StringLiteral(value)},");
        if (s.Has("data.columns"))
            w.Line($"Columns = new[] {{ {string.Join(", ", s.List("data.columns").Select(Escape.StringLiteral))} }},");
        w.Line($"Missing = {Data}.MissingValuePolicy.{Text.ToPascalCase(s.Raw("data.missing")!)},");
        if (s.Raw("data.source") == "synthetic-climate") w.Line($"Rows = {s.Int("data.rows")},");
        string horizon = s.Int("data.window.horizon").ToString(CultureInfo.InvariantCulture);
        w.Line($"Window = new {Data}.WindowOptions(Lookback: {s.Int("data.window.lookback")}, Step: {s.Int("data.window.step")}, Delay: {s.Int("data.window.delay")}, BatchSize: {s.Int("data.window.batch_size")}) {{ Horizon = {horizon}, Reverse = {Bool(s, "data.window.reverse")} }},");
        w.Line($"Shuffle = {Bool(s, "data.window.shuffle")},");
        foreach (var (key, property) in new[] { ("train", "Train"), ("val", "Validation"), ("test", "Test") })
        {
            if (s.Split("data.splits." + key) is { } split)
                w.Line($"{property} = new {Experiments}.SplitRange({split.Start}, {(split.End is long end ? end.ToString(CultureInfo.InvariantCulture) : "null")}),");
        }
        w.Line($"Normalize = {Bool(s, "data.normalize")},");
        w.Unindent();
        w.Line("},");
    }

    private static void TextSpec(SourceWriter w, ExperimentSettings s)
    {
        w.Line($"Text = new {Experiments}.TextSpec");
        w.Line("{");
        w.Indent();
        w.Line($"Corpus = {Escape.StringLiteral(s.Raw("text.corpus")!)},");
        w.Line($"Lowercase = {Bool(s, "text.lowercase")},");
        w.Line($"MaxLen = {s.Int("text.maxlen")},");
        w.Line($"Step = {s.Int("text.step")},");
        w.Line($"BatchSize = {s.Int("text.batch_size")},");
        w.Line($"Encoding = global::SeqDsl.Runtime.Text.TextEncoding.{(s.Raw("text.encoding") == "indices" ? "Indices" : "OneHot")},");
        w.Line($"ValidationFraction = {Number(s, "text.validation_fraction")},");
        w.Line($"Shuffle = {Bool(s, "text.shuffle")},");
        w.Unindent();
        w.Line("},");
    }

    private static void SamplingSpec(SourceWriter w, ExperimentSettings s)
    {
        w.Line($"Sampling = new {Experiments}.SamplingSpec");
        w.Line("{");
        w.Indent();
        w.Line($"Temperatures = new[] {{ {string.Join(", ", s.Numbers("sampling.temperatures").Select(t => ModelEmitter.Number(t.ToString("R", CultureInfo.InvariantCulture))))} }},");
        w.Line($"Length = {s.Int("sampling.length")},");
        w.Line($"Every = {s.Int("sampling.every")},");
        w.Unindent();
        w.Line("},");
    }

    private static void TrainingSpec(SourceWriter w, ExperimentSettings s)
    {
        string optimizer = s.Raw("training.optimizer")!;
        var options = new List<string> { $"LearningRate = {Number(s, "training.optimizer.learning_rate")}" };
        switch (optimizer)
        {
            case "rmsprop":
                options.Add($"Rho = {Number(s, "training.optimizer.rho")}");
                options.Add($"Momentum = {Number(s, "training.optimizer.momentum")}");
                options.Add($"Epsilon = {Number(s, "training.optimizer.epsilon")}");
                break;
            case "adam":
                options.Add($"Beta1 = {Number(s, "training.optimizer.beta_1")}");
                options.Add($"Beta2 = {Number(s, "training.optimizer.beta_2")}");
                options.Add($"Epsilon = {Number(s, "training.optimizer.epsilon")}");
                break;
            default:
                options.Add($"Momentum = {Number(s, "training.optimizer.momentum")}");
                options.Add($"Nesterov = {Bool(s, "training.optimizer.nesterov")}");
                break;
        }
        string kind = optimizer switch { "rmsprop" => "RmsProp", "adam" => "Adam", _ => "Sgd" };
        w.Line($"Training = new {Experiments}.TrainingSpec");
        w.Line("{");
        w.Indent();
        w.Line($"Optimizer = new {Training}.OptimizerOptions({Training}.OptimizerKind.{kind}) {{ {string.Join(", ", options)} }},");
        string loss = s.HasText ? "categorical_crossentropy" : s.Raw("training.loss")!;
        w.Line($"Loss = {Training}.LossKind.{(loss == "categorical_crossentropy" ? "CategoricalCrossEntropy" : Text.ToPascalCase(loss))},");
        w.Line($"Epochs = {s.Int("training.epochs")},");
        w.Line($"StepsPerEpoch = {s.Int("training.steps_per_epoch")},");
        w.Line($"ValidationSteps = {(s.Raw("training.validation_steps") is "all" or null ? "null" : s.Raw("training.validation_steps"))},");
        w.Line($"Seed = {s.Int("training.seed")},");
        w.Line($"ClipNorm = {(s.Has("training.clip_norm") ? Number(s, "training.clip_norm") : "null")},");
        w.Line($"EarlyStoppingPatience = {(s.Has("training.early_stopping_patience") ? s.Int("training.early_stopping_patience").ToString(CultureInfo.InvariantCulture) : "null")},");
        w.Line($"LearningRateDecay = {Number(s, "training.learning_rate_decay")},");
        w.Unindent();
        w.Line("},");
    }

    private static void BaselineSpec(SourceWriter w, ExperimentSettings s)
    {
        string kind = s.Raw("baseline") switch { "seasonal_naive" => "SeasonalNaive", "none" => "None", _ => "Naive" };
        string season = s.Raw("baseline") == "seasonal_naive" ? s.Int("baseline.season").ToString(CultureInfo.InvariantCulture) : "144";
        w.Line($"Baseline = new {Experiments}.BaselineSpec({Experiments}.BaselineKind.{kind}, Season: {season}),");
    }

    private static string Bool(ExperimentSettings s, string path) => s.Bool(path) ? "true" : "false";

    private static string Number(ExperimentSettings s, string path) => ModelEmitter.Number(s.Raw(path)!);
}
