using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using SeqDsl.Generator.Analysis;
using SeqDsl.Generator.Catalog;
using SeqDsl.Generator.Emit;
using SeqDsl.Generator.Helpers;
using SeqDsl.Generator.Model;

namespace SeqDsl.Generator.Layers;

/// <summary>
/// A layer kind: its YAML key, the Keras class it mirrors, its runtime class and options (the catalog and the
/// JSON Schema list them), how its options bind to typed settings, its shape and parameter inference and its
/// emitted construction. Adding a layer kind is one subclass listed in <see cref="SpecCatalog.Layers"/>.
/// </summary>
internal abstract class LayerDef
{
    private const string RuntimeNamespace = "global::SeqDsl.Runtime.Layers";

    protected LayerDef(string kind, string kerasName, string runtimeClass, string description, params OptionDef[] options)
    {
        Kind = kind;
        KerasName = kerasName;
        RuntimeClass = runtimeClass;
        Description = description;
        Options = new[] { LayerOptions.Name }.Concat(options).ToArray();
    }

    public string Kind { get; }
    public string KerasName { get; }
    /// <summary>The class in SeqDsl.Runtime.Layers that the generated code creates.</summary>
    public string RuntimeClass { get; }
    public string RuntimeType => Runtime(RuntimeClass);
    public string Description { get; }
    public IReadOnlyList<OptionDef> Options { get; }
    /// <summary>Whether 'bidirectional' may wrap it.</summary>
    public virtual bool IsRecurrent => false;
    /// <summary>Whether it reads int64 token ids (every other layer needs float input).</summary>
    public virtual bool TakesTokens => false;
    /// <summary>How it reads an episodes task's padded batch of variable-length records.</summary>
    public virtual PaddedInput PaddedInput => PaddedInput.Unsupported;
    /// <summary>Whether its forward takes the records' statics beside its input (static_branch): the model splits them off its input first.</summary>
    public virtual bool ReadsStatics => false;

    public OptionDef? Find(string key) => Options.FirstOrDefault(o => o.Name == key);

    /// <summary>The options given in the spec (already checked against <see cref="Options"/>) as typed settings.</summary>
    public abstract LayerSettings Bind(LayerOptionReader options);

    /// <summary>Options that are valid alone but not together: the key to report at and the message; null when none.</summary>
    public virtual (OptionDef Key, string Message)? Conflict(LayerSettings settings, string context) => null;

    /// <summary>
    /// For a block: the label of its path from <paramref name="option"/> (a <see cref="OptionType.LayerList"/>, or the
    /// <paramref name="index"/>-th list of a <see cref="OptionType.LayerLists"/>), which prefixes its layers' default names.
    /// </summary>
    public virtual string PathLabel(OptionDef option, int index) => option.Name;

    /// <summary>What to tell a user whose next layer needs the time axis this layer removed.</summary>
    public virtual string TimeAxisHint(string name) => $" '{name}' ({Kind}) removed the time axis.";

    /// <summary>Output shape and parameter counts; null after reporting a diagnostic. Overflow throws <see cref="OverflowException"/>.</summary>
    public abstract LayerShape? Infer(LayerInference layer);

    /// <summary>The C# expression that creates the runtime layer.</summary>
    public abstract string Construct(LayerConstruction layer);

    /// <summary>A type of SeqDsl.Runtime.Layers as generated code names it.</summary>
    internal static string Runtime(string type) => $"{RuntimeNamespace}.{type}";
}

/// <summary>A layer kind whose settings are <typeparamref name="TSettings"/>.</summary>
internal abstract class LayerDef<TSettings> : LayerDef where TSettings : LayerSettings
{
    protected LayerDef(string kind, string kerasName, string runtimeClass, string description, params OptionDef[] options)
        : base(kind, kerasName, runtimeClass, description, options)
    {
    }

    public sealed override LayerSettings Bind(LayerOptionReader options) => BindSettings(options);
    public sealed override (OptionDef Key, string Message)? Conflict(LayerSettings settings, string context) => Conflict((TSettings)settings, context);
    public sealed override LayerShape? Infer(LayerInference layer) => Infer(layer, (TSettings)layer.Layer.Settings);
    public sealed override string Construct(LayerConstruction layer) => Construct(layer, (TSettings)layer.Layer.Settings);

    protected abstract TSettings BindSettings(LayerOptionReader options);
    protected virtual (OptionDef Key, string Message)? Conflict(TSettings settings, string context) => null;
    protected abstract LayerShape? Infer(LayerInference layer, TSettings settings);
    protected abstract string Construct(LayerConstruction layer, TSettings settings);
}

/// <summary>A layer's options as typed values; records, so the pipeline's models keep comparing by value.</summary>
internal abstract record LayerSettings;

/// <summary>The settings of a layer without options of its own.</summary>
internal sealed record NoSettings : LayerSettings
{
    public static readonly NoSettings Instance = new();
}

/// <summary>A layer's inferred output and parameter counts (TorchSharp's layout, and Keras's).</summary>
internal sealed record LayerShape(TensorShape Output, Count Parameters, Count KerasParameters)
{
    /// <summary>A block's inferred paths; their layers' parameters are not in <see cref="Parameters"/>.</summary>
    public EquatableArray<PathPlan> Paths { get; init; } = EquatableArray<PathPlan>.Empty;

    /// <summary>Whether the layer reads the episodes channels by meaning (<see cref="LayerInference.Channels"/>), so its construction needs them.</summary>
    public bool ReadsChannels { get; init; }

    public static LayerShape WithoutParameters(TensorShape output) => new(output, Count.Zero, Count.Zero);
    public static LayerShape WithParameters(TensorShape output, Count parameters) => new(output, parameters, parameters);
}

/// <summary>
/// Reads a layer's checked option values (YAML text) by their definitions, falling back to the definitions'
/// defaults. Only <see cref="LayerDef.Bind"/> uses it.
/// </summary>
internal readonly struct LayerOptionReader
{
    private readonly IReadOnlyList<OptionValue> _values;

    public LayerOptionReader(IReadOnlyList<OptionValue> values, LayerSpec? inner, int? labelCount = null)
    {
        _values = values;
        Inner = inner;
        _labelCount = labelCount;
    }

    private readonly int? _labelCount;

    /// <summary>The wrapped layer ('layer' of a bidirectional), already bound.</summary>
    public LayerSpec? Inner { get; }

    private string Raw(OptionDef option)
    {
        foreach (var value in _values)
            if (value.Key == option.Name) return value.Value;
        return option.Default ?? throw new InvalidOperationException($"option '{option.Name}' has neither a value nor a default");
    }

    public long Int(OptionDef option) => long.Parse(Raw(option), CultureInfo.InvariantCulture);
    public long? NullableInt(OptionDef option) => Raw(option) is var raw && raw != "null" ? long.Parse(raw, CultureInfo.InvariantCulture) : null;
    public double Number(OptionDef option) => double.Parse(Raw(option), NumberStyles.Float, CultureInfo.InvariantCulture);
    public bool Bool(OptionDef option) => Raw(option) == "true";

    /// <summary>An integer option that may name a size instead ('units: vocab'), or the episodes task's label count ('units: labels', the number).</summary>
    public Dim Size(OptionDef option)
    {
        string raw = Raw(option);
        if (raw == NamedSizes.LabelsWord)
            return Dim.Of(_labelCount ?? throw new InvalidOperationException($"'{NamedSizes.LabelsWord}' outside an episodes task reached binding"));
        return NamedSizes.Parse(raw) is { } name ? Dim.Named(name) : Dim.Of(Int(option));
    }

    /// <summary>A choice as the enum whose members are the choices in PascalCase (the runtime's enum has the same).</summary>
    public TEnum Choice<TEnum>(OptionDef option) where TEnum : struct
        => System.Enum.TryParse<TEnum>(Helpers.Text.ToPascalCase(Raw(option)), out var value)
            ? value
            : throw new InvalidOperationException($"'{Raw(option)}' is not a {typeof(TEnum).Name}");
}

/// <summary>How a layer reads a padded batch of variable-length records (an episodes task's sequence representation).</summary>
internal enum PaddedInput
{
    /// <summary>It mixes steps without knowing where a record ends (conv1d, pooling, flatten) or reads token ids (embedding).</summary>
    Unsupported,

    /// <summary>It reads each step on its own (dense, dropout): a record's padding never reaches its real steps.</summary>
    PerStep,

    /// <summary>It takes each record's length: its runtime class implements <c>ILengthAwareModule</c> (recurrent layers, bidirectional).</summary>
    LengthAware,
}

/// <summary>Activation functions; members are named as the runtime's <c>Activation</c>.</summary>
internal enum Activation { Linear, Relu, Elu, Gelu, Tanh, Sigmoid, HardSigmoid, Softmax }

/// <summary>Padding of a window along time; members are named as the runtime's <c>Padding</c>.</summary>
internal enum Padding { Valid, Same, Causal }

/// <summary>How a bidirectional layer merges its two directions; members are named as the runtime's <c>MergeMode</c>.</summary>
internal enum MergeMode { Concat, Sum, Mul, Ave }

/// <summary>Options that several layer kinds share.</summary>
internal static class LayerOptions
{
    public static readonly string[] Activations = { "linear", "relu", "elu", "gelu", "tanh", "sigmoid", "hard_sigmoid", "softmax" };

    public static readonly OptionDef Name = new("name", OptionType.Identifier,
        "Layer name: the generated field and the key of its weights. Defaults to the type and a counter (gru_1, dense_2).");

    public static OptionDef Units(string what, bool allowsVocab = false, bool allowsLabels = false)
        => new("units", OptionType.Integer, what) { Required = true, Minimum = 0, MinimumExclusive = true, AllowsVocab = allowsVocab, AllowsLabels = allowsLabels };

    public static OptionDef Activation(string defaultValue, string what = "Activation function.", string name = "activation")
        => new(name, OptionType.Choice, what) { Default = defaultValue, Choices = Activations, RuntimeEnum = nameof(Layers.Activation) };

    public static OptionDef UseBias() => new("use_bias", OptionType.Boolean, "Whether the layer adds a bias vector.") { Default = "true" };

    public static OptionDef Positive(string name, string what, string? defaultValue = null, bool required = false)
        => SpecCatalog.Positive(name, what, defaultValue, required);

    public static OptionDef Fraction(string name, string what, string? defaultValue = null, bool required = false)
        => new(name, OptionType.Number, what) { Default = defaultValue, Required = required, Minimum = 0, Maximum = 1, MaximumExclusive = true };
}
