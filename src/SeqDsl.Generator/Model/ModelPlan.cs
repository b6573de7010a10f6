using System.Linq;
using SeqDsl.Generator.Diagnostics;
using SeqDsl.Generator.Helpers;

namespace SeqDsl.Generator.Model;

/// <summary>
/// A tensor shape without the batch axis: (time, features) or (features); -1 marks an open length.
/// Tokens is true for int64 token ids (batch, time).
/// </summary>
internal sealed record TensorShape(EquatableArray<long> Dims, bool Tokens = false)
{
    public const long Open = -1;

    /// <summary>The vocabulary size of a text task, known only from its corpus.</summary>
    public const long Vocab = -2;

    public static TensorShape Sequence(long time, long features) => new(new EquatableArray<long>(new[] { time, features }));
    public static TensorShape Vector(long features) => new(new EquatableArray<long>(new[] { features }));
    public static TensorShape TokenIds(long time) => new(new EquatableArray<long>(new[] { time }), Tokens: true);

    public int Rank => Dims.Count + 1;
    public bool HasTime => Dims.Count == 2 || Tokens;
    public long Time => Dims[0];
    public long Features => Dims[Dims.Count - 1];

    /// <summary>Keras notation: (None, 240, 14).</summary>
    public override string ToString()
        => "(" + string.Join(", ", new[] { "None" }.Concat(Dims.Select(d => d == Open ? "None" : d == Vocab ? "vocab" : d.ToString(System.Globalization.CultureInfo.InvariantCulture)))) + ")";
}

/// <summary>A layer after shape inference: where it sits, what it receives and returns, what it weighs.</summary>
internal sealed record LayerPlan(
    LayerSpec Spec,
    string FieldName,
    string PropertyName,
    TensorShape InputShape,
    TensorShape OutputShape,
    long Parameters,
    long KerasParameters)
{
    /// <summary>Parameters per vocabulary entry (text tasks): the count is VocabSquared·V² + VocabLinear·V + Parameters.</summary>
    public long VocabLinear { get; init; }
    public long VocabSquared { get; init; }
    public long KerasVocabLinear { get; init; }
    public long KerasVocabSquared { get; init; }
}

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
    public long Parameters => Layers.Sum(l => l.Parameters);
    public long KerasParameters => Layers.Sum(l => l.KerasParameters);

    /// <summary>Whether shapes and counts depend on a text task's vocabulary size.</summary>
    public bool DependsOnVocabulary => InputShape.Dims.Contains(TensorShape.Vocab) || Layers.Any(l => l.OutputShape.Dims.Contains(TensorShape.Vocab) || l.VocabLinear != 0 || l.VocabSquared != 0);
    public TensorShape OutputShape => Layers[Layers.Count - 1].OutputShape;
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
    EquatableArray<DiagnosticInfo> Diagnostics);
