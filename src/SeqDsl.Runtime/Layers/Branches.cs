using System;
using TorchSharp;
using System.Collections.Generic;
using System.Linq;
using static TorchSharp.torch;

namespace SeqDsl.Runtime.Layers;

/// <summary>How <see cref="Branches"/> combines the outputs of its paths.</summary>
public enum BranchMerge
{
    /// <summary>Element-wise sum; every path returns the same shape.</summary>
    Sum,
    /// <summary>Element-wise mean; every path returns the same shape.</summary>
    Mean,
    /// <summary>Concatenation along one axis; the other axes agree.</summary>
    Concat,
}

/// <summary>
/// A list of layers run one after the other: a path of a <see cref="Branches"/> block, the body of a
/// <see cref="Residual"/> or a head of a <see cref="SeriesDecomposition"/>. An empty path is the identity.
/// </summary>
/// <remarks>
/// Blocks do not own the layers of their paths: a generated model declares every layer, nested ones included, as a
/// field of its own (TorchSharp registers it there, so weight keys are the spec's layer names, flat), and the block only
/// composes their forward passes. Put the layers in a module of your own when you use a block outside a generated model.
/// </remarks>
public sealed class LayerPath
{
    private readonly nn.Module<Tensor, Tensor>[] _layers;

    /// <summary>Creates a path of the given layers, in order.</summary>
    public LayerPath(params nn.Module<Tensor, Tensor>[] layers)
    {
        ArgumentNullException.ThrowIfNull(layers);
        if (layers.Any(l => l is null)) throw new ArgumentException("A path's layers must not be null.", nameof(layers));
        _layers = layers.ToArray();
    }

    /// <summary>The layers in order.</summary>
    public IReadOnlyList<nn.Module<Tensor, Tensor>> Layers => _layers;

    /// <summary>Runs the layers in order; the input itself when the path is empty.</summary>
    public Tensor Run(Tensor input)
    {
        var x = input;
        foreach (var layer in _layers) x = layer.call(x);
        return x;
    }
}

/// <summary>
/// Paths that read the same input, their outputs merged by <see cref="BranchMerge"/>: the spec's <c>branches</c> block
/// (several heads, an identity path beside a transformed one, …).
/// </summary>
public sealed class Branches : nn.Module<Tensor, Tensor>
{
    private readonly LayerPath[] _paths;

    /// <summary>Creates the block.</summary>
    /// <param name="name">Block name, used in error messages.</param>
    /// <param name="paths">At least one path; see <see cref="LayerPath"/> for who owns their layers.</param>
    /// <param name="merge">How the paths' outputs are combined.</param>
    /// <param name="axis">For <see cref="BranchMerge.Concat"/>: the axis, Keras style (the batch axis is 0; −1 the last).</param>
    public Branches(string name, IReadOnlyList<LayerPath> paths, BranchMerge merge, long axis = -1) : base(name)
    {
        ArgumentNullException.ThrowIfNull(paths);
        if (paths.Count == 0) throw new ArgumentException("A branches block needs at least one path.", nameof(paths));
        if (!Enum.IsDefined(merge)) throw new ArgumentOutOfRangeException(nameof(merge), merge, "Unknown merge.");
        if (axis == 0) throw new ArgumentOutOfRangeException(nameof(axis), axis, "Paths cannot be concatenated along the batch axis.");
        _paths = paths.ToArray();
        Merge = merge;
        Axis = axis;
        RegisterComponents();
    }

    /// <summary>The paths in order.</summary>
    public IReadOnlyList<LayerPath> Paths => _paths;

    /// <summary>How the paths' outputs are combined.</summary>
    public BranchMerge Merge { get; }

    /// <summary>The concatenation axis (Keras style).</summary>
    public long Axis { get; }

    /// <inheritdoc/>
    public override Tensor forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        using var scope = NewDisposeScope();
        var outputs = _paths.Select(p => p.Run(input)).ToArray();
        var merged = Merge == BranchMerge.Concat ? Concatenate(outputs) : Combine(outputs);
        return merged.MoveToOuterDisposeScope();
    }

    private Tensor Combine(Tensor[] outputs)
    {
        foreach (var output in outputs.Skip(1))
        {
            if (!output.shape.SequenceEqual(outputs[0].shape))
                throw new ArgumentException($"Block '{GetName()}' cannot {Merge.ToString().ToLowerInvariant()} paths of shapes {string.Join(" and ", outputs.Select(o => ShapeChecks.Format(o.shape)))}.");
        }
        // alias: a lone empty path returns the input itself, which this block's scope must not move.
        var sum = outputs[0].alias();
        foreach (var output in outputs.Skip(1)) sum = sum.Plus(output);
        if (Merge != BranchMerge.Mean) return sum;
        using var count = outputs.Length.ToScalar();
        return sum.div(count);
    }

    private Tensor Concatenate(Tensor[] outputs)
    {
        long rank = outputs[0].dim();
        long axis = Axis < 0 ? rank + Axis : Axis;
        if (axis <= 0 || axis >= rank || outputs.Any(o => o.dim() != rank))
            throw new ArgumentException($"Block '{GetName()}' cannot concatenate paths of shapes {string.Join(" and ", outputs.Select(o => ShapeChecks.Format(o.shape)))} along axis {Axis}.");
        return cat(outputs, axis);
    }
}

/// <summary>A skip connection: input + body(input), the spec's <c>residual</c> block; the body keeps the input's shape.</summary>
public sealed class Residual : nn.Module<Tensor, Tensor>
{
    private readonly LayerPath _body;

    /// <summary>Creates the block.</summary>
    /// <param name="name">Block name, used in error messages.</param>
    /// <param name="body">The layers whose output is added to the input; see <see cref="LayerPath"/> for who owns them.</param>
    public Residual(string name, LayerPath body) : base(name)
    {
        _body = body ?? throw new ArgumentNullException(nameof(body));
        RegisterComponents();
    }

    /// <summary>The layers whose output is added to the input.</summary>
    public LayerPath Body => _body;

    /// <inheritdoc/>
    public override Tensor forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        using var scope = NewDisposeScope();
        var body = _body.Run(input);
        if (!body.shape.SequenceEqual(input.shape))
            throw new ArgumentException($"Block '{GetName()}' adds its input {ShapeChecks.Format(input.shape)} to its layers' output {ShapeChecks.Format(body.shape)}; the shapes must be equal.");
        return input.Plus(body).MoveToOuterDisposeScope();
    }
}

/// <summary>
/// DLinear's series decomposition: the trend is a <see cref="MovingAverage"/> of the input, the seasonal part the
/// remainder (input − trend); each runs through its own path and the two outputs are summed. The spec's
/// <c>decomposition</c> block.
/// </summary>
public sealed class SeriesDecomposition : nn.Module<Tensor, Tensor>
{
    private readonly MovingAverage _average;
    private readonly LayerPath _trend;
    private readonly LayerPath _seasonal;

    /// <summary>Creates the block.</summary>
    /// <param name="name">Block name, used in error messages.</param>
    /// <param name="options">The moving average that gives the trend.</param>
    /// <param name="trend">The path the trend runs through.</param>
    /// <param name="seasonal">The path the remainder runs through.</param>
    public SeriesDecomposition(string name, MovingAverageOptions options, LayerPath trend, LayerPath seasonal) : base(name)
    {
        _average = new MovingAverage(name, options);
        _trend = trend ?? throw new ArgumentNullException(nameof(trend));
        _seasonal = seasonal ?? throw new ArgumentNullException(nameof(seasonal));
        RegisterComponents();
    }

    /// <summary>The path the trend runs through.</summary>
    public LayerPath Trend => _trend;

    /// <summary>The path the remainder runs through.</summary>
    public LayerPath Seasonal => _seasonal;

    /// <summary>The trend and the remainder of <paramref name="input"/> (batch, time, F), each (batch, time, F).</summary>
    public (Tensor Trend, Tensor Seasonal) Decompose(Tensor input)
    {
        var trend = _average.call(input);
        return (trend, input.Minus(trend));
    }

    /// <inheritdoc/>
    public override Tensor forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        using var scope = NewDisposeScope();
        var (trend, seasonal) = Decompose(input);
        var trendOut = _trend.Run(trend);
        var seasonalOut = _seasonal.Run(seasonal);
        if (!trendOut.shape.SequenceEqual(seasonalOut.shape))
            throw new ArgumentException($"Block '{GetName()}' sums its trend output {ShapeChecks.Format(trendOut.shape)} and seasonal output {ShapeChecks.Format(seasonalOut.shape)}; the shapes must be equal.");
        return trendOut.Plus(seasonalOut).MoveToOuterDisposeScope();
    }
}
