using System;
using TorchSharp;
using static TorchSharp.torch;

namespace SeqDsl.Runtime.Layers;

/// <summary>
/// The spec's <c>static_branch</c> block: a record's static descriptors (age, weight, …) run once through their own
/// layers, and the result is joined to every step of the block's input (or to its one vector per record).
/// </summary>
/// <remarks>
/// The episodes task delivers the statics as the last channels of every step (the same values at each); a generated
/// model with a static branch takes them off the steps with <see cref="Split"/> before its first layer, so the steps'
/// layers see only the time-varying channels and the branch sees each record's statics once. Padding steps are never read:
/// the statics come from step 0, which every record has. The branch's layers are fields of the generated model, as for
/// every block (see <see cref="LayerPath"/>).
/// </remarks>
public sealed class StaticBranch : nn.Module<Tensor, Tensor>
{
    private readonly LayerPath _layers;

    /// <summary>Creates the block.</summary>
    /// <param name="name">Block name, used in error messages.</param>
    /// <param name="layers">The layers the statics (batch, statics) run through; an empty path joins them as they are.</param>
    public StaticBranch(string name, LayerPath layers) : base(name)
    {
        _layers = layers ?? throw new ArgumentNullException(nameof(layers));
        RegisterComponents();
    }

    /// <summary>The layers the statics run through.</summary>
    public LayerPath Layers => _layers;

    /// <summary>
    /// Splits an episodes batch (batch, time, features), whose last <paramref name="statics"/> channels repeat each
    /// record's static descriptors at every step, into the time-varying channels (batch, time, features − statics), a view,
    /// and the statics (batch, statics) read at step 0.
    /// </summary>
    /// <exception cref="ArgumentException">The input is not (batch, time ≥ 1, features > statics).</exception>
    public static (Tensor Steps, Tensor Statics) Split(Tensor input, long statics)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (statics < 1) throw new ArgumentOutOfRangeException(nameof(statics), statics, "At least one static channel is split off.");
        if (input.dim() != 3 || input.shape[1] < 1 || input.shape[2] <= statics)
            throw new ArgumentException($"A batch of steps (batch, time, features) with more than {statics} features, the last {statics} of them statics, was expected; received {ShapeChecks.Format(input.shape)}.", nameof(input));
        long steps = input.shape[2] - statics;
        return (input.narrow(2, 0, steps), input.select(1, 0).narrow(1, steps, statics));
    }

    /// <summary>
    /// Runs the statics (batch, S) through the block's layers, giving (batch, K), and joins that to the last axis of
    /// <paramref name="input"/>: (batch, time, F) → (batch, time, F + K), the same K values at every step, or
    /// (batch, F) → (batch, F + K).
    /// </summary>
    /// <exception cref="ArgumentException">The shapes do not fit: statics not (batch, S), a batch size that differs, layers that do not return one vector per record.</exception>
    public Tensor forward(Tensor input, Tensor statics)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(statics);
        long rank = input.dim();
        if (rank is not (2 or 3) || statics.dim() != 2 || statics.shape[0] != input.shape[0])
            throw new ArgumentException($"Block '{GetName()}' joins statics (batch, statics) to (batch, time, features) or (batch, features) of the same batch; received statics {ShapeChecks.Format(statics.shape)} and input {ShapeChecks.Format(input.shape)}.");
        using var scope = NewDisposeScope();
        var branch = _layers.Run(statics);
        if (branch.dim() != 2 || branch.shape[0] != input.shape[0])
            throw new ArgumentException($"Block '{GetName()}' joins one vector per record to its input; its layers returned {ShapeChecks.Format(branch.shape)} for statics {ShapeChecks.Format(statics.shape)}.");
        if (rank == 3) branch = branch.unsqueeze(1).expand(input.shape[0], input.shape[1], branch.shape[1]);
        return cat(new[] { input, branch }, -1).MoveToOuterDisposeScope();
    }

    /// <summary>Not available: the block needs the record's statics beside its input (<see cref="forward(Tensor, Tensor)"/>).</summary>
    /// <exception cref="InvalidOperationException">Always.</exception>
    public override Tensor forward(Tensor input)
        => throw new InvalidOperationException($"Block '{GetName()}' joins the records' statics to its input: call forward(input, statics), as the generated model does after StaticBranch.Split.");
}
