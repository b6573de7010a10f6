using System;
using System.Globalization;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SeqDsl.Runtime.Layers;

/// <summary>
/// GRU-D (Che, Purushotham, Cho, Sontag &amp; Liu 2018, "Recurrent neural networks for multivariate time series with
/// missing values"): a <see cref="Gru"/> whose inputs decay toward the training mean, and whose state decays, with the
/// time since each variable was last observed. It reads an episodes task's sequence representation: per step the V
/// values (carried forward, standardized, so the training mean is 0), V missingness indicators m, V times since last
/// observed δ, then the static inputs.
/// </summary>
/// <remarks>
/// <para>
/// γx = exp(−max(0, w_x ⊙ δ + b_x)) per variable; x̂ = m ⊙ x + (1 − m) ⊙ γx ⊙ x, the carried value decayed toward the
/// mean 0; γh = exp(−max(0, W_h δ + b_h)), and the step reads ĥ = γh ⊙ h in place of h. The cell reads x̂, m and the
/// statics (2V + S channels), as the paper's gates read x̂ and m.
/// </para>
/// <para>
/// δ arrives scaled (its training mean and deviation); both decays are affine in δ before the max, so they express the
/// same functions of the raw hours. The decays need the state between steps, so the layer always runs the step loop.
/// Parameters: the inner GRU (keys <c>rnn.*</c>, torch layout) and <c>input_decay_weight</c> (V),
/// <c>input_decay_bias</c> (V), <c>state_decay_weight</c> (U, V), <c>state_decay_bias</c> (U), initialized
/// uniformly in ±1/√V as torch's Linear does, so some decay is open from the first step.
/// </para>
/// </remarks>
public sealed class GruD : RecurrentLayer
{
    private readonly GRU rnn;
    private readonly Parameter input_decay_weight;
    private readonly Parameter input_decay_bias;
    private readonly Parameter state_decay_weight;
    private readonly Parameter state_decay_bias;

    /// <summary>Creates the layer.</summary>
    /// <param name="name">Layer name, used in error messages.</param>
    /// <param name="inputFeatures">Width of the last input axis: 3 × <paramref name="variables"/> + the static inputs.</param>
    /// <param name="variables">V: the time-varying variables, each with a value, an indicator and a time since observed.</param>
    /// <param name="options">Layer options; go_backwards is refused (the decays run forward in time).</param>
    public GruD(string name, long inputFeatures, long variables, RecurrentOptions options)
        : base(name, RecurrentKind.Gru, inputFeatures, CellInputsOf(name, inputFeatures, variables, options), options,
               stepLoopOnly: "GRU-D's decays (they need the state between steps)")
    {
        Variables = variables;
        long units = options.Units;
        rnn = nn.GRU(CellInputs, units, bias: options.UseBias, batchFirst: true, dtype: ScalarType.Float32);
        InitializeKerasWeights();
        double bound = 1 / Math.Sqrt(variables);
        input_decay_weight = Uniform(bound, variables);
        input_decay_bias = Uniform(bound, variables);
        state_decay_weight = Uniform(bound, units, variables);
        state_decay_bias = Uniform(bound, units);
        RegisterComponents();
    }

    /// <summary>V: the time-varying variables the layer decays.</summary>
    public long Variables { get; }

    private protected override nn.Module Rnn => rnn;

    private protected override bool HasHostCell => false;

    private protected override (Tensor CellInput, Tensor? StateDecay)? PrepareInputs(Tensor input)
    {
        long v = Variables;
        using var scope = NewDisposeScope();
        var values = input.narrow(2, 0, v);
        var observed = input.narrow(2, v, v);
        var delta = input.narrow(2, 2 * v, v);
        var statics = input.narrow(2, 3 * v, input.shape[2] - 3 * v);
        var inputDecay = nn.functional.relu(delta.mul(input_decay_weight).Plus(input_decay_bias)).neg().exp();
        // m ⊙ x + (1 − m) ⊙ γx ⊙ x = (γx + m − m ⊙ γx) ⊙ x: an observed value stays, a carried one fades toward the mean 0.
        var kept = inputDecay.Plus(observed).Minus(observed.mul(inputDecay));
        var decayed = values.mul(kept);
        var stateDecay = nn.functional.relu(nn.functional.linear(delta, state_decay_weight, state_decay_bias)).neg().exp();
        var cellInput = cat(new[] { decayed, observed, statics }, 2);
        return (cellInput.MoveToOuterDisposeScope(), stateDecay.MoveToOuterDisposeScope());
    }

    private protected override (Tensor Sequence, Tensor[] State) RunFused(Tensor x, Tensor[]? initialState) =>
        throw new InvalidOperationException($"Layer '{GetName()}': GRU-D always runs the step loop.");

    private protected override Tensor[] Step(Tensor xProj, Tensor hProj, Tensor[] state) => Gru.GruStep(Options, xProj, hProj, state);

    internal override void HostCell(Span<float> xProj, ReadOnlySpan<float> hProj, Span<float> h, Span<float> c) =>
        throw new InvalidOperationException($"Layer '{GetName()}': GRU-D has no managed generation step.");

    private static long CellInputsOf(string name, long inputFeatures, long variables, RecurrentOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (variables <= 0 || inputFeatures < 3 * variables)
            throw new ArgumentOutOfRangeException(nameof(variables), variables,
                $"Layer '{name}': GRU-D reads a value, an indicator and a time since observed per variable, so {inputFeatures.ToString(CultureInfo.InvariantCulture)} input features hold at most {(inputFeatures / 3).ToString(CultureInfo.InvariantCulture)} variables.");
        if (options.GoBackwards)
            throw new ArgumentException($"Layer '{name}': GRU-D's decays run forward in time; GoBackwards is not supported.", nameof(options));
        return inputFeatures - variables;
    }

    private static Parameter Uniform(double bound, params long[] shape)
    {
        var values = empty(shape, dtype: ScalarType.Float32);
        using (no_grad())
            values.uniform_(-bound, bound);
        return new Parameter(values);
    }
}
