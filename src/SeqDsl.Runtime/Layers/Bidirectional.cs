using System;
using static TorchSharp.torch;

namespace SeqDsl.Runtime.Layers;

/// <summary>
/// Keras Bidirectional wrapper: runs a forward and a backward copy of a recurrent layer over the same input
/// and merges their outputs. With <see cref="RecurrentOptions.ReturnSequences"/> the backward output is flipped
/// back into input order first, so step t of both halves refers to input step t.
/// </summary>
/// <remarks>
/// Sub-layers are the fields <c>forward_layer</c> and <c>backward_layer</c> (state-dict prefixes). The backward
/// layer gets <c>GoBackwards = !options.GoBackwards</c>. Output width is 2·units for
/// <see cref="MergeMode.Concat"/>, units otherwise.
/// </remarks>
public sealed class Bidirectional : nn.Module<Tensor, Tensor>, ILengthAwareModule
{
    private readonly RecurrentLayer forward_layer;
    private readonly RecurrentLayer backward_layer;

    /// <summary>Creates the wrapper and both recurrent layers.</summary>
    /// <param name="name">Layer name, used in error messages; sub-layers are named forward_/backward_ + name.</param>
    /// <param name="kind">Recurrent cell type.</param>
    /// <param name="inputFeatures">Width of the last input axis.</param>
    /// <param name="options">Options of the forward layer.</param>
    /// <param name="mergeMode">How the two outputs are combined.</param>
    public Bidirectional(string name, RecurrentKind kind, long inputFeatures, RecurrentOptions options, MergeMode mergeMode)
        : base(name)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (!Enum.IsDefined(mergeMode))
            throw new ArgumentOutOfRangeException(nameof(mergeMode), mergeMode, "Unknown merge mode.");
        MergeMode = mergeMode;
        forward_layer = RecurrentLayer.Create(kind, "forward_" + name, inputFeatures, options);
        backward_layer = RecurrentLayer.Create(kind, "backward_" + name, inputFeatures,
            options with { GoBackwards = !options.GoBackwards });
        RegisterComponents();
    }

    /// <summary>How the two outputs are combined.</summary>
    public MergeMode MergeMode { get; }

    /// <summary>The layer reading the sequence in the configured direction.</summary>
    public RecurrentLayer ForwardLayer => forward_layer;

    /// <summary>The layer reading the sequence in the opposite direction.</summary>
    public RecurrentLayer BackwardLayer => backward_layer;

    /// <inheritdoc/>
    /// <remarks>
    /// Both halves run length-aware on the same checked lengths and one reversal index: the backward half reads each
    /// record from its last real step to its first, and with return_sequences its outputs are put back into input order
    /// within each record's span before the merge, so step t of both halves refers to input step t. With every length
    /// equal to time the result is exactly that of <see cref="forward(Tensor)"/>.
    /// </remarks>
    /// <exception cref="ArgumentException">The input's shape, or lengths that are not (batch) whole numbers in 1..time.</exception>
    public Tensor forward(Tensor input, Tensor lengths)
    {
        ArgumentNullException.ThrowIfNull(input);
        ShapeChecks.Sequence(GetName(), input, forward_layer.InputFeatures);
        using var steps = PaddedSteps.Create(GetName(), input, lengths);
        using var y = forward_layer.Forward(input, steps);
        using var yBackward = backward_layer.Forward(input, steps);
        if (!forward_layer.Options.ReturnSequences)
            return Merge(y, yBackward);
        using var inInputOrder = steps.ReverseWithinRecords(yBackward);
        return Merge(y, inInputOrder);
    }

    /// <inheritdoc/>
    public override Tensor forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        ShapeChecks.Sequence(GetName(), input, forward_layer.InputFeatures);
        var y = forward_layer.call(input);
        var yBackward = backward_layer.call(input);
        if (forward_layer.Options.ReturnSequences)
            yBackward = yBackward.flip(1);
        return Merge(y, yBackward);
    }

    private Tensor Merge(Tensor y, Tensor yBackward) => MergeMode switch
    {
        MergeMode.Concat => cat(new[] { y, yBackward }, -1),
        MergeMode.Sum => y.Plus(yBackward),
        MergeMode.Mul => y.mul(yBackward),
        MergeMode.Ave => y.Plus(yBackward).mul_(TorchScalars.Half),
        _ => throw new InvalidOperationException($"Unknown merge mode {MergeMode}."),
    };
}
