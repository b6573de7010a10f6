using System;
using System.Runtime.CompilerServices;
using SeqDsl.Runtime.Generation;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SeqDsl.Runtime.Layers;

/// <summary>
/// Long short-term memory as Keras LSTM: i, f, o = recurrent_activation(...), g = act(...),
/// c' = f ⊙ c + i ⊙ g, h' = o ⊙ act(c'). State is [h, c].
/// </summary>
/// <remarks>
/// Parameters in torch layout and gate order (i, f, g, o): weight_ih (4U, F), weight_hh (4U, U), bias_ih (4U),
/// bias_hh (4U); 4(UF + U² + 2U) in all. Keras has a single bias vector, 4(UF + U² + U): torch's two vectors
/// only ever appear summed, so a Keras bias maps to bias_ih with bias_hh zero. The forget-gate slice of
/// bias_ih starts at 1 (Keras unit_forget_bias).
/// </remarks>
public sealed class Lstm : RecurrentLayer
{
    private readonly LSTM rnn;

    /// <summary>Creates the layer.</summary>
    /// <param name="name">Layer name, used in error messages.</param>
    /// <param name="inputFeatures">Width of the last input axis.</param>
    /// <param name="options">Layer options.</param>
    public Lstm(string name, long inputFeatures, RecurrentOptions options)
        : base(name, RecurrentKind.Lstm, inputFeatures, options)
    {
        rnn = nn.LSTM(inputFeatures, options.Units, bias: options.UseBias, batchFirst: true, dtype: ScalarType.Float32);
        InitializeKerasWeights();
        RegisterComponents();
    }

    private protected override nn.Module Rnn => rnn;

    private protected override (Tensor Sequence, Tensor[] State) RunFused(Tensor x, Tensor[]? initialState)
    {
        (Tensor, Tensor)? h0c0 = initialState is null
            ? null
            : (initialState[0].unsqueeze(0), initialState[1].unsqueeze(0));
        var (sequence, hn, cn) = rnn.call(x, h0c0);
        return (sequence, new[] { hn.squeeze(0), cn.squeeze(0) });
    }

    private protected override Tensor[] Step(Tensor xProj, Tensor hProj, Tensor[] state)
    {
        var g = xProj.Plus(hProj).chunk(4, -1);
        var input = Activations.Apply(Options.RecurrentActivation, g[0]);
        var forget = Activations.Apply(Options.RecurrentActivation, g[1]);
        var cell = Activations.Apply(Options.Activation, g[2]);
        var output = Activations.Apply(Options.RecurrentActivation, g[3]);
        var c = forget.mul(state[1]).Plus(input.mul(cell));
        var h = output.mul(Activations.Apply(Options.Activation, c));
        return new[] { h, c };
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal override void HostCell(Span<float> xProj, ReadOnlySpan<float> hProj, Span<float> h, Span<float> c)
    {
        int u = h.Length;
        for (int j = 0; j < xProj.Length; j++) xProj[j] += hProj[j];
        HostActivations.Apply(Options.RecurrentActivation, xProj[..(2 * u)]);
        HostActivations.Apply(Options.Activation, xProj.Slice(2 * u, u));
        HostActivations.Apply(Options.RecurrentActivation, xProj.Slice(3 * u, u));
        for (int j = 0; j < u; j++)
            c[j] = xProj[u + j] * c[j] + xProj[j] * xProj[2 * u + j];
        c.CopyTo(h);
        HostActivations.Apply(Options.Activation, h);
        for (int j = 0; j < u; j++) h[j] *= xProj[3 * u + j];
    }
}
