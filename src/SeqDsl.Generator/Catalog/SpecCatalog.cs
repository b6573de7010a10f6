using System.Collections.Generic;
using System.Linq;

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

/// <summary>A layer type: its YAML key, the Keras class it mirrors, and its options.</summary>
internal sealed class LayerDef
{
    public LayerDef(string kind, string kerasName, string description, params OptionDef[] options)
    {
        Kind = kind;
        KerasName = kerasName;
        Description = description;
        Options = new[] { SpecCatalog.NameOption }.Concat(options).ToArray();
    }

    public string Kind { get; }
    public string KerasName { get; }
    public string Description { get; }
    public IReadOnlyList<OptionDef> Options { get; }
    public bool IsRecurrent => Kind is "gru" or "lstm" or "simple_rnn";

    public OptionDef? Find(string key) => Options.FirstOrDefault(o => o.Name == key);
}

/// <summary>
/// What the spec language accepts. The parser validates against it and the JSON Schema in schemas/ is
/// generated from it (a test fails when the checked-in schema drifts), so the two cannot disagree.
/// </summary>
internal static class SpecCatalog
{
    public static readonly string[] Activations = { "linear", "relu", "elu", "gelu", "tanh", "sigmoid", "hard_sigmoid", "softmax" };

    public static readonly OptionDef NameOption = new("name", OptionType.Identifier,
        "Layer name: the generated field and the key of its weights. Defaults to the type and a counter (gru_1, dense_2).");

    private static OptionDef Units(string what) => new("units", OptionType.Integer, what) { Required = true, Minimum = 0, MinimumExclusive = true };

    private static OptionDef Activation(string defaultValue, string what = "Activation function.")
        => new("activation", OptionType.Choice, what) { Default = defaultValue, Choices = Activations };

    private static OptionDef UseBias() => new("use_bias", OptionType.Boolean, "Whether the layer adds a bias vector.") { Default = "true" };

    private static OptionDef[] RecurrentOptions(bool hasGates) => new[]
    {
        Units("Dimensionality of the output space (the hidden state)."),
        Activation("tanh", "Activation of the candidate state and output. Anything other than tanh (relu for simple_rnn) runs the step loop instead of the fused kernel."),
        hasGates
            ? new OptionDef("recurrent_activation", OptionType.Choice, "Activation of the gates. Keras 2.3+ uses sigmoid; Keras 2.0 used hard_sigmoid (runs the step loop).") { Default = "sigmoid", Choices = Activations }
            : null,
        UseBias(),
        new OptionDef("dropout", OptionType.Number, "Fraction of the input units to drop: one mask per sequence, reused at every time step (Gal & Ghahramani).") { Default = "0", Minimum = 0, Maximum = 1, MaximumExclusive = true },
        new OptionDef("recurrent_dropout", OptionType.Number, "Fraction of the recurrent state units to drop: one mask per sequence, reused at every step. Runs the step loop in training.") { Default = "0", Minimum = 0, Maximum = 1, MaximumExclusive = true },
        new OptionDef("return_sequences", OptionType.Boolean, "Return the full sequence (batch, time, units) instead of the last output (batch, units).") { Default = "false" },
        new OptionDef("go_backwards", OptionType.Boolean, "Process the input sequence backwards (and return the reversed sequence).") { Default = "false" },
    }.Where(o => o is not null).Select(o => o!).ToArray();

    private static OptionDef[] PoolingOptions() => new[]
    {
        new OptionDef("pool_size", OptionType.Integer, "Size of the pooling window.") { Default = "2", Minimum = 0, MinimumExclusive = true },
        new OptionDef("strides", OptionType.Integer, "Step of the pooling window; null means pool_size.") { Default = "null", Nullable = true, Minimum = 0, MinimumExclusive = true },
        new OptionDef("padding", OptionType.Choice, "valid: no padding; same: pad so that the output length is ceil(time / strides).") { Default = "valid", Choices = new[] { "valid", "same" } },
    };

    public static readonly IReadOnlyList<LayerDef> Layers = new[]
    {
        new LayerDef("dense", "Dense", "Densely connected layer on the last axis.",
            new OptionDef("units", OptionType.Integer, "Dimensionality of the output space; 'vocab' in a text task.") { Required = true, Minimum = 0, MinimumExclusive = true, AllowsVocab = true },
            Activation("linear"), UseBias()),
        new LayerDef("flatten", "Flatten", "Flattens (batch, time, features) to (batch, time * features); needs a fixed time length."),
        new LayerDef("dropout", "Dropout", "Sets a fraction of inputs to 0 at training time.",
            new OptionDef("rate", OptionType.Number, "Fraction of the input units to drop.") { Required = true, Minimum = 0, Maximum = 1, MaximumExclusive = true }),
        new LayerDef("gru", "GRU", "Gated recurrent unit, Keras reset_after=True (the cuDNN/PyTorch formulation).", RecurrentOptions(hasGates: true)),
        new LayerDef("lstm", "LSTM", "Long short-term memory layer.", RecurrentOptions(hasGates: true)),
        new LayerDef("simple_rnn", "SimpleRNN", "Fully connected recurrent layer whose output is fed back as input.", RecurrentOptions(hasGates: false)),
        new LayerDef("bidirectional", "Bidirectional", "Runs a recurrent layer forwards and backwards and merges the two outputs.",
            new OptionDef("layer", OptionType.Layer, "The recurrent layer to run in both directions, e.g. { gru: { units: 32 } }.") { Required = true },
            new OptionDef("merge_mode", OptionType.Choice, "How the forward and backward outputs are combined.") { Default = "concat", Choices = new[] { "concat", "sum", "mul", "ave" } }),
        new LayerDef("conv1d", "Conv1D", "1D convolution over the time axis.",
            new OptionDef("filters", OptionType.Integer, "Number of output filters.") { Required = true, Minimum = 0, MinimumExclusive = true },
            new OptionDef("kernel_size", OptionType.Integer, "Length of the convolution window.") { Required = true, Minimum = 0, MinimumExclusive = true },
            new OptionDef("strides", OptionType.Integer, "Step of the convolution window.") { Default = "1", Minimum = 0, MinimumExclusive = true },
            new OptionDef("padding", OptionType.Choice, "valid: no padding; same: output length ceil(time / strides); causal: left padding so that output t depends on inputs up to t.") { Default = "valid", Choices = new[] { "valid", "same", "causal" } },
            new OptionDef("dilation_rate", OptionType.Integer, "Dilation of the convolution window.") { Default = "1", Minimum = 0, MinimumExclusive = true },
            Activation("linear"), UseBias()),
        new LayerDef("max_pooling1d", "MaxPooling1D", "Max pooling over the time axis.", PoolingOptions()),
        new LayerDef("average_pooling1d", "AveragePooling1D", "Average pooling over the time axis.", PoolingOptions()),
        new LayerDef("global_max_pooling1d", "GlobalMaxPooling1D", "Maximum over the whole time axis: (batch, time, features) to (batch, features)."),
        new LayerDef("global_average_pooling1d", "GlobalAveragePooling1D", "Mean over the whole time axis: (batch, time, features) to (batch, features)."),
        new LayerDef("embedding", "Embedding", "Turns integer token ids (batch, time) into dense vectors (batch, time, output_dim).",
            new OptionDef("input_dim", OptionType.Integer, "Size of the vocabulary: the largest token id plus one; 'vocab' in a text task.") { Required = true, Minimum = 0, MinimumExclusive = true, AllowsVocab = true },
            new OptionDef("output_dim", OptionType.Integer, "Dimension of the dense embedding.") { Required = true, Minimum = 0, MinimumExclusive = true }),
    };

    public static LayerDef? FindLayer(string kind) => Layers.FirstOrDefault(l => l.Kind == kind);

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

    private static OptionDef Positive(string name, string description, string? defaultValue = null, bool required = false)
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
