using System.Collections.Generic;
using System.Linq;
using SeqDsl.Generator.Layers;

namespace SeqDsl.Generator.Catalog;

internal enum OptionType
{
    Integer,
    Number,
    Boolean,
    Choice,
    Identifier,
    Text,
    /// <summary>A nested layer (bidirectional's 'layer'), or a section parsed by hand (input, layers).</summary>
    Layer,
    /// <summary>A list of strings, e.g. CSV columns.</summary>
    TextList,
    /// <summary>A list of numbers, e.g. sampling temperatures.</summary>
    NumberList,
    /// <summary>A [start, end] pair of row indices; end may be the word 'end'.</summary>
    Split,
    /// <summary>An integer, or the word 'all'.</summary>
    IntegerOrAll,
    /// <summary>A nested mapping whose keys are <see cref="OptionDef.Children"/>.</summary>
    Section,
    /// <summary>One of <see cref="OptionDef.Variants"/>: either its name alone or a mapping { name: { options } }.</summary>
    Variant,
}

/// <summary>One form of a variant option, e.g. the 'adam' optimizer with its own keys.</summary>
internal sealed class VariantDef
{
    public VariantDef(string name, string description, params OptionDef[] options)
    {
        Name = name;
        Description = description;
        Options = options;
    }

    public string Name { get; }
    public string Description { get; }
    public IReadOnlyList<OptionDef> Options { get; }
}

/// <summary>One key a layer or section accepts: the single source for parsing, validation and the JSON Schema.</summary>
internal sealed class OptionDef
{
    public OptionDef(string name, OptionType type, string description)
    {
        Name = name;
        Type = type;
        Description = description;
    }

    public string Name { get; }
    public OptionType Type { get; }
    public string Description { get; }
    public bool Required { get; init; }
    /// <summary>The default, as YAML text (null: none; "null" for an explicit null default).</summary>
    public string? Default { get; init; }
    public double? Minimum { get; init; }
    public bool MinimumExclusive { get; init; }
    public double? Maximum { get; init; }
    public bool MaximumExclusive { get; init; }
    public bool Nullable { get; init; }
    public IReadOnlyList<string> Choices { get; init; } = System.Array.Empty<string>();
    public IReadOnlyList<OptionDef> Children { get; init; } = System.Array.Empty<OptionDef>();
    public IReadOnlyList<VariantDef> Variants { get; init; } = System.Array.Empty<VariantDef>();
    /// <summary>For a choice that generated code passes on: the runtime enum (in SeqDsl.Runtime.Layers) whose members are the choices in PascalCase.</summary>
    public string? RuntimeEnum { get; init; }
    /// <summary>An integer that may also be the word 'vocab': the vocabulary size of a text task, known only from its corpus.</summary>
    public bool AllowsVocab { get; init; }

    /// <summary>"an integer > 0", "a number in [0, 1)", …: what the message says was expected.</summary>
    public string RangeText
    {
        get
        {
            if (Minimum is double min && Maximum is double max)
                return $"in {(MinimumExclusive ? "(" : "[")}{Helpers.Text.FormatDouble(min)}, {Helpers.Text.FormatDouble(max)}{(MaximumExclusive ? ")" : "]")}";
            if (Minimum is double lo) return (MinimumExclusive ? "> " : ">= ") + Helpers.Text.FormatDouble(lo);
            if (Maximum is double hi) return (MaximumExclusive ? "< " : "<= ") + Helpers.Text.FormatDouble(hi);
            return "";
        }
    }

    public string TypeText => Type switch
    {
        OptionType.Integer => (Nullable ? "an integer or null" : "an integer") + (AllowsVocab ? " (or 'vocab' in a text task)" : ""),
        OptionType.NumberList => "a list of numbers such as [0.2, 0.5]",
        OptionType.Number => "a number",
        OptionType.Boolean => "true or false",
        OptionType.Choice => "one of " + string.Join(", ", Choices),
        OptionType.Identifier => "a name of letters, digits and '_' that starts with a letter",
        OptionType.Text => "a string",
        OptionType.Layer => "a recurrent layer mapping such as '{ gru: { units: 32 } }'",
        OptionType.TextList => "a list of strings such as [a, b]",
        OptionType.Split => "a pair [start, end] of row indices (end may be 'end')",
        OptionType.IntegerOrAll => "an integer or 'all'",
        OptionType.Section => "a mapping",
        OptionType.Variant => "one of " + string.Join(", ", Variants.Select(v => v.Name)) + ", alone or with options as '{ " + (Variants.Count > 0 ? Variants[0].Name : "name") + ": { … } }'",
        _ => Type.ToString(),
    };
}

/// <summary>
/// What the spec language accepts. The parser validates against it and the JSON Schema in schemas/ is
/// generated from it (a test fails when the checked-in schema drifts), so the two cannot disagree.
/// </summary>
internal static class SpecCatalog
{
    /// <summary>Every layer kind; each is one <see cref="LayerDef"/> subclass in Layers/ with its options, inference and construction.</summary>
    public static readonly IReadOnlyList<LayerDef> Layers = new LayerDef[]
    {
        new DenseLayer(),
        new FlattenLayer(),
        new DropoutLayer(),
        RecurrentLayer.Gru,
        RecurrentLayer.Lstm,
        RecurrentLayer.SimpleRnn,
        new BidirectionalLayer(),
        new Conv1DLayer(),
        PoolingLayer.Max,
        PoolingLayer.Average,
        GlobalPoolingLayer.Max,
        GlobalPoolingLayer.Average,
        new EmbeddingLayer(),
    };

    public static LayerDef? FindLayer(string kind) => Layers.FirstOrDefault(l => l.Kind == kind);

    /// <summary>
    /// The sections that hold a key of this name ('training', 'data.window', 'training.optimizer.adam'), for a
    /// key written in the wrong place; empty when no section has it.
    /// </summary>
    public static IReadOnlyList<string> SectionsHolding(string key)
    {
        var found = new List<string>();
        void Walk(IEnumerable<OptionDef> options, string path)
        {
            foreach (var option in options)
            {
                string here = path.Length == 0 ? option.Name : path + "." + option.Name;
                if (option.Type == OptionType.Section)
                {
                    if (option.Children.Any(c => c.Name == key)) found.Add(here);
                    Walk(option.Children, here);
                }
                foreach (var variant in option.Variants)
                {
                    if (variant.Options.Any(o => o.Name == key)) found.Add(here + "." + variant.Name);
                    Walk(variant.Options, here + "." + variant.Name);
                }
            }
        }
        Walk(RootOptions, "");
        return found;
    }

    /// <summary>The definition behind a key path such as "data.window.lookback" or "training.optimizer.learning_rate".</summary>
    /// <param name="path">Dot-separated keys.</param>
    /// <param name="chosenVariant">For paths below a variant: which variant the spec chose (by the variant's path).</param>
    public static OptionDef? FindByPath(string path, System.Func<string, string?>? chosenVariant = null)
    {
        var parts = path.Split('.');
        IReadOnlyList<OptionDef> level = RootOptions;
        OptionDef? current = null;
        for (int i = 0; i < parts.Length; i++)
        {
            if (current is { Type: OptionType.Variant })
            {
                string variantPath = string.Join(".", parts, 0, i);
                string? chosen = chosenVariant?.Invoke(variantPath) ?? current.Default;
                var variant = current.Variants.FirstOrDefault(v => v.Name == chosen);
                return variant?.Options.FirstOrDefault(o => o.Name == parts[i]);
            }
            current = level.FirstOrDefault(o => o.Name == parts[i]);
            if (current is null) return null;
            level = current.Children;
        }
        return current;
    }

    public static readonly IReadOnlyList<OptionDef> InputOptions = new[]
    {
        new OptionDef("features", OptionType.Integer, "Number of features per time step (the last axis). Required for float32 input unless a data or text section implies it.") { Minimum = 0, MinimumExclusive = true, AllowsVocab = true },
        new OptionDef("time", OptionType.Integer, "Fixed number of time steps; leave out (or null) for an open time length.") { Nullable = true, Default = "null", Minimum = 0, MinimumExclusive = true },
        new OptionDef("dtype", OptionType.Choice, "float32 for (batch, time, features) series; int64 for (batch, time) token ids that feed an embedding.") { Default = "float32", Choices = new[] { "float32", "int64" } },
    };

    /// <summary>Jena's 14 numeric columns (the synthetic source has the same).</summary>
    public static readonly string[] ClimateColumns =
    {
        "p (mbar)", "T (degC)", "Tpot (K)", "Tdew (degC)", "rh (%)", "VPmax (mbar)", "VPact (mbar)", "VPdef (mbar)",
        "sh (g/kg)", "H2OC (mmol/mol)", "rho (g/m**3)", "wv (m/s)", "max. wv (m/s)", "wd (deg)",
    };

    internal static OptionDef Positive(string name, string description, string? defaultValue = null, bool required = false)
        => new(name, OptionType.Integer, description) { Default = defaultValue, Required = required, Minimum = 0, MinimumExclusive = true };

    private static OptionDef LearningRate(string defaultValue)
        => new("learning_rate", OptionType.Number, $"Learning rate (Keras default {defaultValue}).") { Default = defaultValue, Minimum = 0, MinimumExclusive = true };

    private static OptionDef Epsilon()
        => new("epsilon", OptionType.Number, "Small constant for numerical stability (Keras's 1e-7; PyTorch's default is 1e-8).") { Default = "1E-07", Minimum = 0, MinimumExclusive = true };

    public static readonly OptionDef WindowSection = new("window", OptionType.Section, "How samples are cut from the series, as the lecture's generator does: each sample is data[row - lookback : row : step], its target data[row + delay] (or the next 'horizon' values).")
    {
        Required = true,
        Children = new[]
        {
            Positive("lookback", "How many rows each sample looks back (1440 = 10 days of 10-minute rows).", required: true),
            Positive("step", "Sample every step-th row (6 = one point per hour). lookback must be a multiple of step; the model's time length is lookback / step.", "1"),
            new OptionDef("delay", OptionType.Integer, "How many rows after the last observed row the target lies (144 = 24 hours).") { Default = "0", Minimum = 0 },
            Positive("batch_size", "Samples per batch.", "128"),
            Positive("horizon", "Number of consecutive future values to predict (1: a single value).", "1"),
            new OptionDef("reverse", OptionType.Boolean, "Feed each window in anti-chronological order (the lecture's reversed-sequence experiment).") { Default = "false" },
            new OptionDef("shuffle", OptionType.Boolean, "Draw training rows at random (validation and test are always sequential).") { Default = "true" },
        },
    };

    public static readonly OptionDef SplitsSection = new("splits", OptionType.Section, "Row ranges as the lecture's generator takes them: [min_index, max_index]; a window's row lies in [min_index + lookback, max_index). 'end' means the last usable row. The ranges of target rows must not overlap.")
    {
        Required = true,
        Children = new[]
        {
            new OptionDef("train", OptionType.Split, "Training rows, e.g. [0, 200000]. Normalization statistics come from these rows only.") { Required = true },
            new OptionDef("val", OptionType.Split, "Validation rows, e.g. [200001, 300000]."),
            new OptionDef("test", OptionType.Split, "Test rows, e.g. [300001, end]."),
        },
    };

    public static readonly OptionDef DataSection = new("data", OptionType.Section, "Where the series comes from, which column is the target, how windows are cut and how the rows are split.")
    {
        Children = new[]
        {
            new OptionDef("source", OptionType.Choice, "synthetic-climate: a built-in series with Jena's 14 columns (works offline); jena-climate: the real Jena climate series, downloaded once into a per-user cache; csv: a file of your own.") { Required = true, Choices = new[] { "synthetic-climate", "jena-climate", "csv" } },
            new OptionDef("path", OptionType.Text, "csv: the file, relative to the working directory (or absolute). The CLI's --data overrides it."),
            new OptionDef("date_column", OptionType.Text, "csv: the column holding timestamps (default: the first column, when it holds dates)."),
            new OptionDef("date_format", OptionType.Text, "csv: a .NET date format such as 'dd.MM.yyyy HH:mm:ss' (default: Jena's or ISO 8601)."),
            new OptionDef("columns", OptionType.TextList, "csv: the numeric columns to use, in order (default: all but the date column)."),
            new OptionDef("missing", OptionType.Choice, "What to do with empty or non-numeric cells: error (the default) names the file, row and column.") { Default = "error", Choices = new[] { "error", "drop", "forward_fill", "interpolate" } },
            new OptionDef("sha256", OptionType.Text, "jena-climate: the expected SHA-256 of the downloaded archive."),
            Positive("rows", "synthetic-climate: how many 10-minute rows to generate (Jena has 420551).", "420551"),
            new OptionDef("target", OptionType.Text, "The column to predict, e.g. 'T (degC)'.") { Required = true },
            WindowSection,
            SplitsSection,
            new OptionDef("normalize", OptionType.Boolean, "Subtract the mean and divide by the standard deviation of the training rows, per column.") { Default = "true" },
        },
    };

    public static readonly OptionDef TrainingSection = new("training", OptionType.Section, "How the model is trained.")
    {
        Children = new[]
        {
            new OptionDef("optimizer", OptionType.Variant, "The optimizer, with Keras's defaults, e.g. 'rmsprop' or '{ adam: { learning_rate: 0.001 } }'.")
            {
                Default = "rmsprop",
                Variants = new[]
                {
                    new VariantDef("rmsprop", "RMSprop (Keras: lr 0.001, rho 0.9, epsilon 1e-7).", LearningRate("0.001"),
                        new OptionDef("rho", OptionType.Number, "Discounting factor of the squared-gradient average.") { Default = "0.9", Minimum = 0, Maximum = 1, MaximumExclusive = true },
                        new OptionDef("momentum", OptionType.Number, "Momentum.") { Default = "0", Minimum = 0 },
                        Epsilon()),
                    new VariantDef("adam", "Adam (Keras: lr 0.001, beta_1 0.9, beta_2 0.999, epsilon 1e-7).", LearningRate("0.001"),
                        new OptionDef("beta_1", OptionType.Number, "Decay of the first-moment estimate.") { Default = "0.9", Minimum = 0, Maximum = 1, MaximumExclusive = true },
                        new OptionDef("beta_2", OptionType.Number, "Decay of the second-moment estimate.") { Default = "0.999", Minimum = 0, Maximum = 1, MaximumExclusive = true },
                        Epsilon()),
                    new VariantDef("sgd", "Stochastic gradient descent (Keras: lr 0.01).", LearningRate("0.01"),
                        new OptionDef("momentum", OptionType.Number, "Momentum.") { Default = "0", Minimum = 0 },
                        new OptionDef("nesterov", OptionType.Boolean, "Nesterov momentum.") { Default = "false" }),
                },
            },
            new OptionDef("loss", OptionType.Choice, "Training loss; categorical_crossentropy for a text task (computed from the logits before the softmax).") { Default = "mae", Choices = new[] { "mae", "mse", "huber", "categorical_crossentropy" } },
            Positive("epochs", "Number of epochs.", "20"),
            Positive("steps_per_epoch", "Training batches per epoch.", "500"),
            new OptionDef("validation_steps", OptionType.IntegerOrAll, "Validation batches per epoch; 'all' covers the validation rows once, as the lecture's val_steps.") { Default = "all", Minimum = 0, MinimumExclusive = true },
            new OptionDef("seed", OptionType.Integer, "Seed of weights, dropout masks and shuffled batches, for reproducible runs.") { Default = "42", Minimum = 0 },
            new OptionDef("clip_norm", OptionType.Number, "Clip the gradients' global norm to this value.") { Minimum = 0, MinimumExclusive = true },
            Positive("early_stopping_patience", "Stop after this many epochs without a better validation loss."),
            new OptionDef("learning_rate_decay", OptionType.Number, "Multiply the learning rate by this after every epoch (0.5 halves it).") { Default = "1", Minimum = 0, MinimumExclusive = true, Maximum = 1 },
        },
    };

    public static readonly OptionDef TextSection = new("text", OptionType.Section, "A character-level text task: windows of maxlen characters every step characters, the next character as target; the vocabulary comes from the corpus and is saved with the model.")
    {
        Children = new[]
        {
            new OptionDef("corpus", OptionType.Text, "'embedded' (a built-in public-domain English text, offline) or the path of a UTF-8 text file; the CLI's --data overrides it.") { Default = "embedded" },
            new OptionDef("lowercase", OptionType.Boolean, "Lower-case the corpus first.") { Default = "true" },
            Positive("maxlen", "Characters per window (the model's time length).", "60"),
            Positive("step", "Characters between the starts of consecutive windows.", "3"),
            Positive("batch_size", "Windows per batch.", "128"),
            new OptionDef("encoding", OptionType.Choice, "one_hot: (batch, maxlen, vocab) vectors; indices: (batch, maxlen) ids for an embedding layer.") { Default = "one_hot", Choices = new[] { "one_hot", "indices" } },
            new OptionDef("validation_fraction", OptionType.Number, "The last fraction of the corpus held out for validation.") { Default = "0.05", Minimum = 0, Maximum = 1, MaximumExclusive = true },
            new OptionDef("shuffle", OptionType.Boolean, "Draw training windows at random.") { Default = "true" },
        },
    };

    public static readonly OptionDef SamplingSection = new("sampling", OptionType.Section, "Text samples printed during training and saved with the history, as the lecture does after each epoch.")
    {
        Children = new[]
        {
            new OptionDef("temperatures", OptionType.NumberList, "Softmax temperatures to sample at.") { Default = "0.2,0.5,1,1.2" },
            Positive("length", "Characters per sample.", "400"),
            Positive("every", "Sample after every n-th epoch.", "1"),
        },
    };

    public static readonly OptionDef BaselineOption = new("baseline", OptionType.Variant, "The common-sense baseline reported beside the model, over exactly the validation and test batches: naive repeats the last observed target; seasonal_naive the value one season earlier.")
    {
        Default = "naive",
        Variants = new[]
        {
            new VariantDef("naive", "Predict the last observed value of the target (for a horizon: repeat it)."),
            new VariantDef("seasonal_naive", "Predict the value one season before the target row.",
                Positive("season", "Season length in rows (144 = one day of 10-minute rows).", "144")),
            new VariantDef("none", "No baseline."),
        },
    };

    public static readonly IReadOnlyList<OptionDef> RootOptions = new[]
    {
        new OptionDef("model", OptionType.Identifier, "Name of the model; the generated class is <model>Model.") { Required = true },
        new OptionDef("namespace", OptionType.Identifier, "Namespace of the generated class; defaults to the project's root namespace."),
        new OptionDef("description", OptionType.Text, "Free text, shown in the generated class's documentation."),
        new OptionDef("input", OptionType.Layer, "Shape of one input batch: (batch, time, features). With a 'data' section, time and features follow from the window and the source's columns.") { Required = true },
        new OptionDef("layers", OptionType.Layer, "The layers, applied in order.") { Required = true },
        DataSection,
        TextSection,
        TrainingSection,
        SamplingSection,
        BaselineOption,
    };
}
