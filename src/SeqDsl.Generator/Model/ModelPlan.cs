using System.Linq;
using SeqDsl.Generator.Diagnostics;
using SeqDsl.Generator.Helpers;

namespace SeqDsl.Generator.Model;

/// <summary>
/// A tensor shape without the batch axis: (time, features) or (features). Tokens is true for int64 token
/// ids (batch, time).
/// </summary>
internal sealed record TensorShape(EquatableArray<Dim> Dims, bool Tokens = false)
{
    public static TensorShape Sequence(Dim time, Dim features) => new(new EquatableArray<Dim>(new[] { time, features }));
    public static TensorShape Vector(Dim features) => new(new EquatableArray<Dim>(new[] { features }));
    public static TensorShape TokenIds(Dim time) => new(new EquatableArray<Dim>(new[] { time }), Tokens: true);

    public int Rank => Dims.Count + 1;
    public bool HasTime => Dims.Count == 2 || Tokens;
    public Dim Time => Dims[0];
    public Dim Features => Dims[Dims.Count - 1];
    public bool IsSymbolic => Dims.Any(d => d.IsSymbolic);

    /// <summary>Keras notation: (None, 240, 14), (None, vocab).</summary>
    public override string ToString() => "(" + string.Join(", ", new[] { "None" }.Concat(Dims.Select(d => d.ToString()))) + ")";
}

/// <summary>A layer after shape inference: where it sits, what it receives and returns, what it weighs.</summary>
internal sealed record LayerPlan(
    LayerSpec Spec,
    string FieldName,
    string PropertyName,
    TensorShape InputShape,
    TensorShape OutputShape,
    Count Parameters,
    Count KerasParameters)
{
    /// <summary>A block's paths, inferred; empty for a plain layer. <see cref="Parameters"/> are the block's own (its row of the layer table), without its layers'.</summary>
    public EquatableArray<PathPlan> Paths { get; init; } = EquatableArray<PathPlan>.Empty;

    /// <summary>The episodes task's step channels, for a layer that reads them by meaning (gru_d); null for every other layer.</summary>
    public EpisodeChannels? Channels { get; init; }

    /// <summary>The parameters of this layer and of every layer in its paths (checked: the analyzer reports a sum that does not fit).</summary>
    public Count TotalParameters => Paths.SelectMany(p => p.Layers).Aggregate(Parameters, (total, l) => total + l.TotalParameters);

    /// <summary>The same in Keras's layout.</summary>
    public Count TotalKerasParameters => Paths.SelectMany(p => p.Layers).Aggregate(KerasParameters, (total, l) => total + l.TotalKerasParameters);

    /// <summary>This layer and the layers of its paths, depth first, each with its nesting depth (0 for a layer of the model's list).</summary>
    public System.Collections.Generic.IEnumerable<(LayerPlan Layer, int Depth)> SelfAndNested(int depth = 0)
    {
        yield return (this, depth);
        foreach (var path in Paths)
            foreach (var layer in path.Layers)
                foreach (var nested in layer.SelfAndNested(depth + 1))
                    yield return nested;
    }
}

/// <summary>One of a block's lists of layers after inference: its label and its layers, in order.</summary>
internal sealed record PathPlan(string Label, EquatableArray<LayerPlan> Layers);

/// <summary>The instance normalization around the model after inference: the input's shape, its parameters, the channel a (None, horizon) output takes its statistics from.</summary>
internal sealed record NormalizationPlan(InstanceNormSettings Settings, TensorShape Shape, Count Parameters, long TargetChannel);

/// <summary>Everything the emitter needs for one model class.</summary>
internal sealed record ModelPlan(
    string FileName,
    string Namespace,
    string ClassName,
    ModelSpec Spec,
    InputSpec Input,
    TensorShape InputShape,
    EquatableArray<LayerPlan> Layers)
{
    /// <summary>
    /// With 'channels: independent', the input's columns, each of which the layers read as a series of its own (their
    /// input has one feature); null when the layers read all columns together.
    /// </summary>
    public Dim? IndependentChannels { get; init; }

    /// <summary>
    /// With a static branch: the statics split off the end of each step of the input before the first layer (the layers
    /// read the remaining channels, the branch the statics); null without one.
    /// </summary>
    public long? StaticFeatures { get; init; }

    /// <summary>The instance normalization around the layers; null when the spec has none.</summary>
    public NormalizationPlan? Normalization { get; init; }

    /// <summary>The classes of the spec's sweep variants (<see cref="VariantSpec"/>), in order; empty without 'layers.*' sweep keys.</summary>
    public EquatableArray<ModelPlan> Variants { get; init; } = EquatableArray<ModelPlan>.Empty;

    /// <summary>For a sweep variant's class: which variant, with its values; null for the spec's own class.</summary>
    public VariantSpec? Variant { get; init; }

    public Count Parameters => Layers.Aggregate(Normalization?.Parameters ?? Count.Zero, (total, l) => total + l.TotalParameters);
    public Count KerasParameters => Layers.Aggregate(Normalization?.Parameters ?? Count.Zero, (total, l) => total + l.TotalKerasParameters);

    /// <summary>Every layer, nested ones included, depth first, with its nesting depth: the rows of the layer table after the normalization's.</summary>
    public System.Collections.Generic.IEnumerable<(LayerPlan Layer, int Depth)> AllLayers => Layers.SelectMany(l => l.SelfAndNested());

    /// <summary>The named size (a text task's vocabulary) that shapes or counts depend on, so the class is built for a value of it; null when none.</summary>
    public SizeName? SizedBy
    {
        get
        {
            foreach (var dim in InputShape.Dims)
                if (dim.IsSymbolic) return dim.Size;
            foreach (var (layer, _) in AllLayers)
            {
                foreach (var dim in layer.OutputShape.Dims)
                    if (dim.IsSymbolic) return dim.Size;
                if (!layer.Parameters.IsNumber) return layer.Parameters.Size;
            }
            return null;
        }
    }
    /// <summary>What the last layer returns (per channel, with 'channels: independent').</summary>
    public TensorShape LayersOutputShape => Layers[Layers.Count - 1].OutputShape;

    /// <summary>What the model returns: the last layer's output, or with 'channels: independent' each channel's (None, horizon) put back as (None, horizon, channels).</summary>
    public TensorShape OutputShape => IndependentChannels is Dim channels && !LayersOutputShape.HasTime
        ? TensorShape.Sequence(LayersOutputShape.Features, channels)
        : LayersOutputShape;
}

/// <summary>
/// The result for one spec file: a plan when the spec is valid, else just enough (namespace and class
/// name) for a placeholder type, and the diagnostics either way.
/// </summary>
internal sealed record SpecResult(
    string FilePath,
    string FileName,
    string? Namespace,
    string? ClassName,
    string? ModelName,
    SourceSpan ModelSpan,
    ModelPlan? Plan,
    EquatableArray<DiagnosticInfo> Diagnostics)
{
    /// <summary>The layers of a spec with errors that could still be read, for the placeholder class's properties.</summary>
    public EquatableArray<ReadableLayer> ReadableLayers { get; init; } = EquatableArray<ReadableLayer>.Empty;
}
