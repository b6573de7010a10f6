using System;
using System.Runtime.CompilerServices;
using SeqDsl.Runtime.Generation;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SeqDsl.Runtime.Layers;

/// <summary>
/// Gated recurrent unit as Keras GRU with reset_after=True (torch's formulation):
/// r = σ(W_ir x + b_ir + W_hr h + b_hr), z = σ(W_iz x + b_iz + W_hz h + b_hz),
/// n = act(W_in x + b_in + r ⊙ (W_hn h + b_hn)), h' = (1 − z) ⊙ n + z ⊙ h.
/// </summary>
/// <remarks>
/// Parameters in torch layout and gate order (r, z, n): weight_ih (3U, F), weight_hh (3U, U), bias_ih (3U),
/// bias_hh (3U); 3(UF + U² + 2U) in all, the same count as Keras with reset_after=True (whose bias is (2, 3U)),
/// though Keras orders the gates (z, r, h) and stores kernels transposed.
/// </remarks>
public sealed class Gru : RecurrentLayer
{
    private readonly GRU rnn;

    /// <summary>Creates the layer.</summary>
    /// <param name="name">Layer name, used in error messages.</param>
    /// <param name="inputFeatures">Width of the last input axis.</param>
    /// <param name="options">Layer options.</param>
    public Gru(string name, long inputFeatures, RecurrentOptions options)
        : base(name, RecurrentKind.Gru, inputFeatures, options)
    {
        rnn = nn.GRU(inputFeatures, options.Units, bias: options.UseBias, batchFirst: true, dtype: ScalarType.Float32);
        InitializeKerasWeights();
        RegisterComponents();
    }

    private protected override nn.Module Rnn => rnn;

    private protected override (Tensor Sequence, Tensor[] State) RunFused(Tensor x, Tensor[]? initialState)
    {
        var (sequence, hn) = rnn.call(x, initialState?[0].unsqueeze(0));
        return (sequence, new[] { hn.squeeze(0) });
    }

    private protected override Tensor[] Step(Tensor xProj, Tensor hProj, Tensor[] state) => GruStep(Options, xProj, hProj, state);

    /// <summary>The GRU step on projections (shared with <see cref="GruD"/>); returns [h'].</summary>
    internal static Tensor[] GruStep(RecurrentOptions options, Tensor xProj, Tensor hProj, Tensor[] state)
    {
        var x = xProj.chunk(3, -1);
        var h = hProj.chunk(3, -1);
        var r = Activations.Apply(options.RecurrentActivation, x[0].Plus(h[0]));
        var z = Activations.Apply(options.RecurrentActivation, x[1].Plus(h[1]));
        var n = Activations.Apply(options.Activation, x[2].Plus(r.mul(h[2])));
        // (1 − z) ⊙ n + z ⊙ h, rearranged to save an operation.
        return new[] { n.Plus(z.mul(state[0].Minus(n))) };
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal override void HostCell(Span<float> xProj, ReadOnlySpan<float> hProj, Span<float> h, Span<float> c)
    {
        int u = h.Length;
        for (int j = 0; j < 2 * u; j++) xProj[j] += hProj[j];
        HostActivations.Apply(Options.RecurrentActivation, xProj[..(2 * u)]);
        var n = xProj.Slice(2 * u, u);
        for (int j = 0; j < u; j++) n[j] += xProj[j] * hProj[2 * u + j];
        HostActivations.Apply(Options.Activation, n);
        for (int j = 0; j < u; j++) h[j] = n[j] + xProj[u + j] * (h[j] - n[j]);
    }
}
