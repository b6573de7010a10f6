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
    Count KerasParameters);

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

    public Count Parameters => Layers.Aggregate(Count.Zero, (total, l) => total + l.Parameters);
    public Count KerasParameters => Layers.Aggregate(Count.Zero, (total, l) => total + l.KerasParameters);

    /// <summary>The named size (a text task's vocabulary) that shapes or counts depend on, so the class is built for a value of it; null when none.</summary>
    public SizeName? SizedBy
    {
        get
        {
            foreach (var dim in InputShape.Dims)
                if (dim.IsSymbolic) return dim.Size;
            foreach (var layer in Layers)
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
