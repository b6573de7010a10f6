using System;
using System.Collections.Generic;
using System.Globalization;
using SeqDsl.Runtime.Generation;
using SeqDsl.Runtime.Training;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SeqDsl.Runtime.Layers;

/// <summary>
/// Base of the Keras-style recurrent layers: input (batch, time, features), output (batch, units) or, with
/// <see cref="RecurrentOptions.ReturnSequences"/>, (batch, time, units).
/// </summary>
/// <remarks>
/// Parameters live in an inner torch recurrent module (field <c>rnn</c>, keys <c>rnn.weight_ih_l0</c>,
/// <c>rnn.weight_hh_l0</c>, <c>rnn.bias_ih_l0</c>, <c>rnn.bias_hh_l0</c>) in torch layout. The fused torch kernel
/// and the step loop read the same tensors, so a layer's weights do not depend on which path runs.
/// </remarks>
public abstract class RecurrentLayer : nn.Module<Tensor, Tensor>, IStepLayer, ILengthAwareModule
{
    private readonly RecurrentKind kind;
    private readonly int gates;
    private readonly bool fusedWhenNotTraining;

    private protected RecurrentLayer(string name, RecurrentKind kind, long inputFeatures, RecurrentOptions options)
        : this(name, kind, inputFeatures, inputFeatures, options, stepLoopOnly: null)
    {
    }

    /// <summary>
    /// A layer whose cell reads <paramref name="cellInputs"/> channels that <see cref="PrepareInputs"/> makes of its
    /// <paramref name="inputFeatures"/>; <paramref name="stepLoopOnly"/>, when set, says why it always runs the step loop.
    /// </summary>
    private protected RecurrentLayer(string name, RecurrentKind kind, long inputFeatures, long cellInputs, RecurrentOptions options, string? stepLoopOnly)
        : base(name)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (inputFeatures <= 0)
            throw new ArgumentOutOfRangeException(nameof(inputFeatures), inputFeatures, $"Layer '{name}': input features must be positive.");
        if (cellInputs <= 0)
            throw new ArgumentOutOfRangeException(nameof(cellInputs), cellInputs, $"Layer '{name}': the cell's inputs must be positive.");
        if (options.Units <= 0)
            throw new ArgumentException($"Layer '{name}': Units must be positive, got {options.Units}.", nameof(options));
        CheckRate(name, nameof(RecurrentOptions.Dropout), options.Dropout);
        CheckRate(name, nameof(RecurrentOptions.RecurrentDropout), options.RecurrentDropout);

        this.kind = kind;
        gates = kind switch { RecurrentKind.Gru => 3, RecurrentKind.Lstm => 4, _ => 1 };
        Options = options;
        InputFeatures = inputFeatures;
        CellInputs = cellInputs;

        var (blocker, onlyRecurrentDropout) = stepLoopOnly is null ? FusedBlocker(kind, options) : (stepLoopOnly, false);
        if (options.Implementation == RecurrentImplementation.Fused && blocker is not null)
            throw new ArgumentException(
                $"Layer '{name}': Implementation = Fused cannot run {blocker}; use Auto or Loop.", nameof(options));
        UsesFusedPath = options.Implementation != RecurrentImplementation.Loop && blocker is null;
        // Recurrent dropout is inert outside training, so inference can still take the fused kernel.
        fusedWhenNotTraining = UsesFusedPath ||
            (options.Implementation != RecurrentImplementation.Loop && onlyRecurrentDropout);
    }

    /// <summary>The options the layer was built with.</summary>
    public RecurrentOptions Options { get; }

    /// <summary>Width of the last input axis.</summary>
    public long InputFeatures { get; }

    /// <summary>Width of what the cell reads at each step: <see cref="InputFeatures"/>, unless <see cref="PrepareInputs"/> reshapes the input.</summary>
    internal long CellInputs { get; }

    /// <summary>
    /// Whether training-mode calls run the fused torch kernel (decided from the options at construction).
    /// Outside training a layer whose only obstacle is recurrent dropout also runs fused, since no mask applies.
    /// </summary>
    public bool UsesFusedPath { get; }

    /// <summary>Receives the input and recurrent dropout masks of each call (null when not drawn).</summary>
    internal Action<Tensor?, Tensor?>? MasksDrawn { get; set; }

    /// <summary>Whether the latest call ran the fused kernel.</summary>
    internal bool LastRunFused { get; private set; }

    /// <summary>Replaces the self-check's route for this layer's fused calls (tests).</summary>
    internal RecurrentKernelRoute? KernelRouteOverride { get; set; }

    /// <summary>Which cell the layer runs.</summary>
    internal RecurrentKind Kind => kind;

    /// <summary>Number of state tensors: 2 for LSTM (h, c), 1 otherwise (h).</summary>
    private int StateCount => kind == RecurrentKind.Lstm ? 2 : 1;

    /// <summary>The inner torch module holding the parameters.</summary>
    private protected abstract nn.Module Rnn { get; }

    /// <summary>Creates the layer of the given kind.</summary>
    public static RecurrentLayer Create(RecurrentKind kind, string name, long inputFeatures, RecurrentOptions options) => kind switch
    {
        RecurrentKind.Gru => new Gru(name, inputFeatures, options),
        RecurrentKind.Lstm => new Lstm(name, inputFeatures, options),
        RecurrentKind.SimpleRnn => new SimpleRnn(name, inputFeatures, options),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown recurrent kind."),
    };

    /// <inheritdoc/>
    public override Tensor forward(Tensor input) => ForwardWithState(input, null).Output;

    /// <inheritdoc/>
    /// <remarks>
    /// The layer runs over the whole padded batch in one call of the same route as <see cref="forward(Tensor)"/>
    /// (fused kernel or step loop, the same dropout masks). Forwards, the padding comes after each record's real steps,
    /// so it cannot reach them; without return_sequences the output is gathered at <c>lengths − 1</c>. With go_backwards
    /// each record is first reversed within its own real span, so the reading starts at its last real step; a returned
    /// sequence stays in reading order (step t is the output after t + 1 steps read backwards), as Keras returns it.
    /// Padding steps' outputs are unspecified (finite when the padding is). With every length equal to time the result
    /// is exactly that of <see cref="forward(Tensor)"/>.
    /// </remarks>
    /// <exception cref="ArgumentException">The input's shape, or lengths that are not (batch) whole numbers in 1..time.</exception>
    public Tensor forward(Tensor input, Tensor lengths)
    {
        CheckInput(input, null);
        using var steps = PaddedSteps.Create(GetName(), input, lengths);
        return Forward(input, steps);
    }

    /// <summary>The length-aware forward on a batch whose lengths are already checked (shared with <see cref="Bidirectional"/>).</summary>
    internal Tensor Forward(Tensor input, PaddedSteps steps)
    {
        using var reversed = Options.GoBackwards ? steps.ReverseWithinRecords(input) : null;
        var (sequence, state) = Run(reversed ?? input, null, returnSequences: true);
        if (Options.ReturnSequences)
        {
            DisposeAll(state, keep: sequence);
            return sequence;
        }
        DisposeAll(state, keep: null);
        using (sequence)
            return steps.LastRealStep(sequence);
    }

    /// <summary>
    /// Runs the layer from an explicit initial state and returns the output together with the final state:
    /// [h] for GRU and SimpleRNN, [h, c] for LSTM, each (batch, units). A null state starts from zeros.
    /// Without <see cref="RecurrentOptions.ReturnSequences"/> the output is the final h itself.
    /// </summary>
    public (Tensor Output, Tensor[] State) ForwardWithState(Tensor input, Tensor[]? initialState)
    {
        CheckInput(input, initialState);
        return Run(Options.GoBackwards ? input.flip(1) : input, initialState, Options.ReturnSequences);
    }

    /// <summary>
    /// Draws the dropout masks (training only), applies the input mask and runs <paramref name="x"/>, already in reading
    /// order, along the route this call takes; the output is the (batch, time, units) sequence when
    /// <paramref name="returnSequences"/>, else the final h.
    /// </summary>
    private (Tensor Output, Tensor[] State) Run(Tensor x, Tensor[]? initialState, bool returnSequences)
    {
        long batch = x.shape[0];

        Tensor? inputMask = null, recurrentMask = null;
        if (training)
        {
            if (Options.Dropout > 0)
                inputMask = DropoutMask(batch, CellInputs, Options.Dropout, x);
            if (Options.RecurrentDropout > 0)
                recurrentMask = DropoutMask(batch, Options.Units, Options.RecurrentDropout, x);
        }
        MasksDrawn?.Invoke(inputMask, recurrentMask);
        Tensor? stateDecay = null;
        if (PrepareInputs(x) is var (cellInput, decay))
        {
            x = cellInput;
            stateDecay = decay;
        }
        if (inputMask is not null)
            x = x.mul(inputMask.unsqueeze(1));
        if (stateDecay is not null)
        {
            LastRunFused = false;
            return RunLoop(x, initialState, recurrentMask, returnSequences, stateDecay);
        }

        bool fused = training ? UsesFusedPath : fusedWhenNotTraining;
        var route = fused ? KernelRouteOverride ?? RecurrentKernels.RouteFor(kind, x) : RecurrentKernelRoute.Loop;
        LastRunFused = route != RecurrentKernelRoute.Loop;
        return RunRoute(x, initialState, recurrentMask, route, returnSequences);
    }

    /// <summary>
    /// Runs <paramref name="x"/> (already reversed for go_backwards and masked by input dropout) along
    /// <paramref name="route"/>; a recurrent mask needs the loop. The output is the sequence when
    /// <paramref name="returnSequences"/>, else the final h.
    /// </summary>
    internal (Tensor Output, Tensor[] State) RunRoute(Tensor x, Tensor[]? initialState, Tensor? recurrentMask, RecurrentKernelRoute route, bool returnSequences)
    {
        if (route == RecurrentKernelRoute.Loop || recurrentMask is not null)
            return RunLoop(x, initialState, recurrentMask, returnSequences);
        var (sequence, state) = route == RecurrentKernelRoute.FusedWithoutOneDnn
            ? RunFusedWithoutOneDnn(x, initialState)
            : RunFused(x, initialState);
        return (returnSequences ? sequence : state[0], state);
    }

    /// <summary>Disposes the state tensors except <paramref name="keep"/> (the loop's last output is its final h).</summary>
    private static void DisposeAll(Tensor[] state, Tensor? keep)
    {
        foreach (var s in state)
            if (!ReferenceEquals(s, keep)) s.Dispose();
    }

    private (Tensor Sequence, Tensor[] State) RunFusedWithoutOneDnn(Tensor x, Tensor[]? initialState)
    {
        using var _ = TorchSetup.SuspendOneDnn();
        return RunFused(x, initialState);
    }

    /// <summary>
    /// What the cell reads instead of the input (batch, time, <see cref="InputFeatures"/>): its (batch, time,
    /// <see cref="CellInputs"/>) inputs and, when the state decays between steps, the factor (batch, time, units) that
    /// multiplies the state before each step. Null: the cell reads the input as it is.
    /// </summary>
    private protected virtual (Tensor CellInput, Tensor? StateDecay)? PrepareInputs(Tensor input) => null;

    /// <summary>Whether the managed generation step may run this layer's cell on its raw input.</summary>
    private protected virtual bool HasHostCell => true;

    /// <summary>Runs the torch kernel; returns the (batch, time, units) outputs and the final state.</summary>
    private protected abstract (Tensor Sequence, Tensor[] State) RunFused(Tensor x, Tensor[]? initialState);

    /// <summary>
    /// One step of the cell. <paramref name="xProj"/> = W_ih x_t + b_ih and <paramref name="hProj"/> = W_hh h + b_hh,
    /// both (batch, G*units); returns the new state.
    /// </summary>
    private protected abstract Tensor[] Step(Tensor xProj, Tensor hProj, Tensor[] state);

    /// <summary>
    /// The same step in managed code on one sequence's floats: <paramref name="xProj"/> = W_ih x_t + b_ih and
    /// <paramref name="hProj"/> = W_hh h + b_hh (G·units each; <paramref name="xProj"/> is scratch), updating
    /// <paramref name="h"/> and, for LSTM, <paramref name="c"/> in place.
    /// </summary>
    internal abstract void HostCell(Span<float> xProj, ReadOnlySpan<float> hProj, Span<float> h, Span<float> c);

    int IStepLayer.StateCount => StateCount;

    (Tensor Output, Tensor[]? State) IStepLayer.Step(Tensor input, Tensor[]? state, bool last) =>
        // A recurrent layer before this one without return_sequences hands over (batch, units): one time step.
        ForwardWithState(input.dim() == 2 ? input.unsqueeze(1) : input, state);

    bool IStepLayer.TryCreateHostStep(HostStepInput input, bool last, out HostStep? step) =>
        (step = HasHostCell ? HostRecurrent.TryCreate(this, input) : null) is not null;

    /// <summary>Writes the Keras default initial values into the inner module's parameters.</summary>
    private protected void InitializeKerasWeights()
    {
        long units = Options.Units, g = gates;
        var (wih, whh, bih, bhh) = Weights();
        KerasInitializers.GlorotUniform(wih, CellInputs, g * units);
        KerasInitializers.Orthogonal(whh);
        if (bih is not null) KerasInitializers.Zeros(bih);
        if (bhh is not null) KerasInitializers.Zeros(bhh);
        if (kind == RecurrentKind.Lstm && bih is not null)
        {
            // Keras unit_forget_bias: the forget gate starts open. torch adds both bias vectors, so one carries it.
            using var _ = no_grad();
            using var forget = bih.narrow(0, units, units);
            forget.fill_(TorchScalars.One);
        }
    }

    private (Tensor Output, Tensor[] State) RunLoop(Tensor x, Tensor[]? initialState, Tensor? recurrentMask, bool returnSequences, Tensor? stateDecay = null)
    {
        var (wih, whh, bih, bhh) = Weights();
        long batch = x.shape[0], steps = x.shape[1], units = Options.Units;
        // Input projections of all steps at once; only the recurrent product stays inside the loop.
        var xProj = nn.functional.linear(x, wih, bih);

        var state = new Tensor[StateCount];
        var owned = new bool[StateCount];
        for (int i = 0; i < state.Length; i++)
        {
            if (initialState is not null)
                state[i] = initialState[i];
            else
            {
                state[i] = zeros(batch, units, dtype: x.dtype, device: x.device);
                owned[i] = true;
            }
        }

        var outputs = returnSequences ? new List<Tensor>((int)steps) : null;
        // One unbind instead of select(1, t) per step: the backward of each select builds a zero gradient the
        // size of all steps, which made the loop several times slower than the fused kernel.
        var perStep = xProj.unbind(1);
        var decayPerStep = stateDecay?.unbind(1);
        for (long t = 0; t < steps; t++)
        {
            Tensor[] next;
            using (var stepScope = NewDisposeScope())
            {
                // A decaying state (GRU-D) is the previous state for everything the step reads of it.
                var previous = decayPerStep is null ? state : new[] { state[0].mul(decayPerStep[t]) };
                var h = recurrentMask is null ? previous[0] : previous[0].mul(recurrentMask);
                next = Step(perStep[t], nn.functional.linear(h, whh, bhh), previous);
                foreach (var n in next) n.MoveToOuterDisposeScope();
            }
            // Intermediate states are released as soon as they are consumed, so memory stays flat over long
            // sequences; autograd keeps its own references.
            for (int i = 0; i < state.Length; i++)
            {
                bool keptAsOutput = i == 0 && outputs is not null && t > 0;
                if (owned[i] && !keptAsOutput) state[i].Dispose();
                owned[i] = true;
            }
            outputs?.Add(next[0]);
            state = next;
        }
        foreach (var slice in perStep) slice.Dispose();
        if (decayPerStep is not null)
            foreach (var slice in decayPerStep) slice.Dispose();
        xProj.Dispose();

        var output = outputs is not null ? stack(outputs, 1) : state[0];
        if (outputs is not null)
        {
            // The stacked copy replaces the per-step tensors; the last one is still the returned state.
            for (int i = 0; i < outputs.Count - 1; i++) outputs[i].Dispose();
        }
        return (output, state);
    }

    /// <summary>The parameters in torch layout: weight_ih (G·U, F), weight_hh (G·U, U), the biases (G·U) or null without bias.</summary>
    internal (Parameter WeightIh, Parameter WeightHh, Parameter? BiasIh, Parameter? BiasHh) Weights()
    {
        var rnn = Rnn;
        Parameter Get(string key) => rnn.get_parameter(key)
            ?? throw new InvalidOperationException($"Layer '{GetName()}': the recurrent module has no parameter '{key}'.");
        return (Get("weight_ih_l0"), Get("weight_hh_l0"),
            Options.UseBias ? Get("bias_ih_l0") : null,
            Options.UseBias ? Get("bias_hh_l0") : null);
    }

    private void CheckInput(Tensor input, Tensor[]? initialState)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (input.dim() != 3 || input.shape[2] != InputFeatures)
            throw new ArgumentException(
                $"Layer '{GetName()}' expects input of shape (batch, time, {InputFeatures}) but received {ShapeChecks.Format(input.shape)}.",
                nameof(input));
        if (input.shape[1] == 0)
            throw new ArgumentException(
                $"Layer '{GetName()}' needs at least one time step but received {ShapeChecks.Format(input.shape)}.",
                nameof(input));
        if (initialState is null) return;
        if (initialState.Length != StateCount)
            throw new ArgumentException(
                $"Layer '{GetName()}' expects {StateCount} initial state tensor(s) but received {initialState.Length}.",
                nameof(initialState));
        foreach (var s in initialState)
        {
            if (s is null || s.dim() != 2 || s.shape[0] != input.shape[0] || s.shape[1] != Options.Units)
                throw new ArgumentException(
                    $"Layer '{GetName()}' expects initial state of shape ({input.shape[0].ToString(CultureInfo.InvariantCulture)}, {Options.Units}) " +
                    $"but received {(s is null ? "null" : ShapeChecks.Format(s.shape))}.",
                    nameof(initialState));
        }
    }

    /// <summary>Inverted-dropout mask: 0 with probability <paramref name="rate"/>, 1/(1 − rate) otherwise.</summary>
    private static Tensor DropoutMask(long batch, long width, double rate, Tensor like)
    {
        using var ones = torch.ones(batch, width, dtype: like.dtype, device: like.device);
        return nn.functional.dropout(ones, rate, training: true);
    }

    private static void CheckRate(string layer, string option, double rate)
    {
        if (!(rate >= 0.0 && rate < 1.0))
            throw new ArgumentException($"Layer '{layer}': {option} must be in [0, 1), got {rate}.", nameof(rate));
    }

    /// <summary>The first option the fused kernel cannot express, and whether recurrent dropout is the only one.</summary>
    private static (string? Blocker, bool OnlyRecurrentDropout) FusedBlocker(RecurrentKind kind, RecurrentOptions o)
    {
        var blockers = new List<string>();
        bool activationOk = o.Activation == Activation.Tanh ||
            (kind == RecurrentKind.SimpleRnn && o.Activation == Activation.Relu);
        if (!activationOk)
            blockers.Add($"Activation = {o.Activation} (needs Tanh{(kind == RecurrentKind.SimpleRnn ? " or Relu" : "")})");
        if (kind != RecurrentKind.SimpleRnn && o.RecurrentActivation != Activation.Sigmoid)
            blockers.Add($"RecurrentActivation = {o.RecurrentActivation} (needs Sigmoid)");
        bool recurrentDropout = o.RecurrentDropout > 0;
        if (recurrentDropout)
            blockers.Add($"RecurrentDropout = {o.RecurrentDropout.ToString(CultureInfo.InvariantCulture)} (needs 0)");
        return (blockers.Count == 0 ? null : string.Join(", ", blockers), recurrentDropout && blockers.Count == 1);
    }
}
