using System.Linq;
using SeqDsl.Generator.Catalog;
using SeqDsl.Generator.Diagnostics;
using SeqDsl.Generator.Helpers;
using SeqDsl.Generator.Layers;

namespace SeqDsl.Generator.Model;

// The parsed spec: plain, equatable data (no YAML nodes, no Roslyn symbols), so the generator can cache
// every step that consumes it.

/// <summary>A spec file handed to the generator: its path, text and the project's root namespace.</summary>
internal sealed record SpecFile(string Path, string Text, string? RootNamespace)
{
    /// <summary>The first lines of the CSV files this spec names that the build could read (empty: none, or no MSBuild step).</summary>
    public EquatableArray<CsvHeader> CsvHeaders { get; init; } = EquatableArray<CsvHeader>.Empty;
}

/// <summary>One key: value of a layer, already checked against the catalog. Value is normalized YAML text (the spec's text and order, for tables and emitted initializers).</summary>
internal sealed record OptionValue(string Key, string Value, SourceSpan Span);

internal sealed record LayerSpec(
    int Index,
    string Kind,
    string Name,
    EquatableArray<OptionValue> Options,
    LayerSpec? Inner,
    LayerSettings Settings,
    SourceSpan Span)
{
    /// <summary>The layer kind's definition: options, inference, construction.</summary>
    public LayerDef Definition => SpecCatalog.FindLayer(Kind)!;

    /// <summary>A block's lists of layers (a branches block's paths, a residual's body, a decomposition's trend and seasonal heads); empty for a plain layer.</summary>
    public EquatableArray<PathSpec> Paths { get; init; } = EquatableArray<PathSpec>.Empty;

    /// <summary>This layer and every layer nested in its paths, depth first (a block before its layers).</summary>
    public System.Collections.Generic.IEnumerable<LayerSpec> SelfAndNested()
    {
        yield return this;
        foreach (var path in Paths)
            foreach (var layer in path.Layers)
                foreach (var nested in layer.SelfAndNested())
                    yield return nested;
    }

    public OptionValue? Find(string key)
    {
        foreach (var option in Options)
            if (option.Key == key) return option;
        return null;
    }

    /// <summary>Whether a size option names a size ('units: vocab') instead of giving a number.</summary>
    public bool NamesASize => Options.Any(o => Definition.Find(o.Key)?.AllowsVocab == true && NamedSizes.Parse(o.Value) is not null);

    /// <summary>The layer as one line of flow YAML, e.g. "gru: { units: 32, dropout: 0.2 }", for docs and tables.</summary>
    public string SpecText
    {
        get
        {
            var parts = new System.Collections.Generic.List<string>();
            foreach (var option in Options)
            {
                if (option.Key == "layer" && Inner is not null)
                    parts.Add("layer: { " + Inner.SpecText + " }");
                else
                    parts.Add(option.Key + ": " + option.Value);
            }
            return parts.Count == 0 ? Kind : Kind + ": { " + string.Join(", ", parts) + " }";
        }
    }
}

/// <summary>One list of layers inside a block: its label (part of its layers' default names: 'path1', 'trend') and the layers, run in order.</summary>
internal sealed record PathSpec(string Label, EquatableArray<LayerSpec> Layers);

/// <summary>
/// The spec's 'normalization': instance normalization around the whole model (NLinear's subtract-last or RevIN). Name is
/// its generated field and the prefix of its weight keys; Span is where the spec says it.
/// </summary>
internal sealed record InstanceNormSettings(InstanceNormKind Kind, bool Affine, double Eps, string SpecText, SourceSpan Span)
{
    public string Name => Kind == InstanceNormKind.Revin ? "revin" : "subtract_last";
}

/// <summary>Kinds of instance normalization; members are named as the runtime's <c>InstanceNormKind</c>.</summary>
internal enum InstanceNormKind { SubtractLast, Revin }

internal sealed record InputSpec(Dim? Features, long? Time, string DType, SourceSpan Span)
{
    public bool IsTokens => DType == "int64";

    /// <summary>False for one vector per sample, (batch, features): an episodes task's summary or first_last representation.</summary>
    public bool HasTime { get; init; } = true;
}

internal sealed record ModelSpec(
    string ModelName,
    SourceSpan ModelSpan,
    string? Namespace,
    string? Description,
    InputSpec Input,
    EquatableArray<LayerSpec> Layers,
    ExperimentSettings Experiment)
{
    /// <summary>'channels: independent': the layers run on each input column as a separate series (see the runtime's ChannelIndependent).</summary>
    public bool ChannelsIndependent { get; init; }

    /// <summary>The instance normalization around the model; null when the spec has none.</summary>
    public InstanceNormSettings? Normalization { get; init; }

    /// <summary>The spec's 'sweep', expanded; null when the spec has none (and for a variant's own spec).</summary>
    public SweepSettings? Sweep { get; init; }

    /// <summary>Every layer, nested ones included, depth first.</summary>
    public System.Collections.Generic.IEnumerable<LayerSpec> AllLayers => Layers.SelectMany(l => l.SelfAndNested());
}

/// <summary>What parsing produced: the spec when it is complete enough to analyse, the model name when known, and diagnostics.</summary>
internal sealed record ParsedSpec(
    string FilePath,
    string? RootNamespace,
    string? ModelName,
    SourceSpan ModelSpan,
    string? Namespace,
    ModelSpec? Spec,
    EquatableArray<DiagnosticInfo> Diagnostics)
{
    /// <summary>The layers whose kind and name could be read, even when the spec has errors: the placeholder class keeps their properties.</summary>
    public EquatableArray<ReadableLayer> ReadableLayers { get; init; } = EquatableArray<ReadableLayer>.Empty;
}

/// <summary>A layer's property in the generated class, as far as a spec with errors tells it: its name and runtime type.</summary>
internal sealed record ReadableLayer(string PropertyName, string RuntimeType);
