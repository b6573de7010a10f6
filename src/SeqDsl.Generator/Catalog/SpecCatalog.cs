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
    /// <summary>A nested layer (bidirectional's 'layer').</summary>
    Layer,
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
        OptionType.Integer => Nullable ? "an integer or null" : "an integer",
        OptionType.Number => "a number",
        OptionType.Boolean => "true or false",
        OptionType.Choice => "one of " + string.Join(", ", Choices),
        OptionType.Identifier => "a name of letters, digits and '_' that starts with a letter",
        OptionType.Text => "a string",
        OptionType.Layer => "a recurrent layer mapping such as '{ gru: { units: 32 } }'",
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
            Units("Dimensionality of the output space."), Activation("linear"), UseBias()),
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
            new OptionDef("input_dim", OptionType.Integer, "Size of the vocabulary: the largest token id plus one.") { Required = true, Minimum = 0, MinimumExclusive = true },
            new OptionDef("output_dim", OptionType.Integer, "Dimension of the dense embedding.") { Required = true, Minimum = 0, MinimumExclusive = true }),
    };

    public static LayerDef? FindLayer(string kind) => Layers.FirstOrDefault(l => l.Kind == kind);

    public static readonly IReadOnlyList<OptionDef> InputOptions = new[]
    {
        new OptionDef("features", OptionType.Integer, "Number of features per time step (the last axis). Required for float32 input.") { Minimum = 0, MinimumExclusive = true },
        new OptionDef("time", OptionType.Integer, "Fixed number of time steps; leave out (or null) for an open time length.") { Nullable = true, Default = "null", Minimum = 0, MinimumExclusive = true },
        new OptionDef("dtype", OptionType.Choice, "float32 for (batch, time, features) series; int64 for (batch, time) token ids that feed an embedding.") { Default = "float32", Choices = new[] { "float32", "int64" } },
    };

    public static readonly IReadOnlyList<OptionDef> RootOptions = new[]
    {
        new OptionDef("model", OptionType.Identifier, "Name of the model; the generated class is <model>Model.") { Required = true },
        new OptionDef("namespace", OptionType.Identifier, "Namespace of the generated class; defaults to the project's root namespace."),
        new OptionDef("description", OptionType.Text, "Free text, shown in the generated class's documentation."),
        new OptionDef("input", OptionType.Layer, "Shape of one input batch: (batch, time, features).") { Required = true },
        new OptionDef("layers", OptionType.Layer, "The layers, applied in order.") { Required = true },
    };
}
