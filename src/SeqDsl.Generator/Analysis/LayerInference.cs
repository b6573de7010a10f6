using System.Collections.Generic;
using Microsoft.CodeAnalysis;
using SeqDsl.Generator.Diagnostics;
using SeqDsl.Generator.Model;
using SeqDsl.Runtime.Layers;

namespace SeqDsl.Generator.Analysis;

/// <summary>What a layer kind's inference sees of one layer: the layer, its input, the layer before it, and where to report.</summary>
internal sealed class LayerInference
{
    private readonly string _path;
    private readonly List<DiagnosticInfo> _diagnostics;

    public LayerInference(string path, LayerSpec layer, TensorShape input, LayerSpec? previous, List<DiagnosticInfo> diagnostics)
    {
        _path = path;
        Layer = layer;
        Input = input;
        Previous = previous;
        _diagnostics = diagnostics;
    }

    public LayerSpec Layer { get; }
    public TensorShape Input { get; }
    public LayerSpec? Previous { get; }

    /// <summary>The episodes task's step channels when this layer reads them as they come (the first of the model's layers, sequence representation); null otherwise.</summary>
    public EpisodeChannels? Channels { get; init; }

    /// <summary>The statics a layer of the model's own list may read (static_branch), or why there are none; null inside a block.</summary>
    public StaticChannels? Statics { get; init; }

    public void Report(DiagnosticDescriptor descriptor, params object[] args)
        => _diagnostics.Add(DiagnosticInfo.Create(descriptor, _path, Layer.Span, args));

    /// <summary>
    /// A block's path run from <paramref name="input"/>: its layers' plans and its output (the input itself for an empty
    /// path); null after a layer reported a diagnostic. A path's first layer sees the layer before the block as its previous.
    /// </summary>
    public (PathPlan Plan, TensorShape Output)? InferPath(PathSpec path, TensorShape input) => InferPath(path, input, Previous);

    /// <summary>The same, with the layer a path's first layer sees as its previous (whose hints explain its input).</summary>
    public (PathPlan Plan, TensorShape Output)? InferPath(PathSpec path, TensorShape input, LayerSpec? previous)
    {
        var (plans, output) = ModelAnalyzer.InferSequence(_path, path.Layers, input, previous, _diagnostics);
        return output is null ? null : (new PathPlan(path.Label, plans), output);
    }

    /// <summary>Whether the input has a time axis; reports, with a hint about the layer that removed it, when not.</summary>
    public bool NeedsTime()
    {
        if (Input.HasTime) return true;
        // Only a flat episodes representation gives a first layer no time axis.
        string hint = Previous is not null ? Previous.Definition.TimeAxisHint(Previous.Name)
            : " The episodes representation gives one vector per record; recurrent, convolutional and pooling layers need 'representation: sequence'.";
        Report(SeqDiagnostics.NeedsTimeAxis, Layer.Name, Layer.Kind, Input.ToString(), hint);
        return false;
    }

    /// <summary>
    /// The time length after a window of <paramref name="span"/> steps slides over the input (conv1d, pooling;
    /// the runtime's <see cref="PaddingMath.SlidLength"/>); open stays open; null after reporting a window that does not fit.
    /// </summary>
    public Dim? SlidTime(long span, long strides, bool padded, string what, string remedy)
    {
        if (Input.Time.IsOpen) return Dim.Open;
        long time = Input.Time.Value;
        long outTime = PaddingMath.SlidLength(time, span, strides, padded);
        if (outTime >= 1) return Dim.Of(outTime);
        Report(SeqDiagnostics.TimeTooShort, Layer.Name, Layer.Kind, time, outTime, $"{what} does not fit in {time}; {remedy}");
        return null;
    }
}
