using System;
using System.Runtime.CompilerServices;
using SeqDsl.Runtime.Generation;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SeqDsl.Runtime.Layers;

/// <summary>Fully connected recurrence as Keras SimpleRNN: h' = act(W_ih x + b_ih + W_hh h + b_hh).</summary>
/// <remarks>
/// Parameters in torch layout: weight_ih (U, F), weight_hh (U, U), bias_ih (U), bias_hh (U); UF + U² + 2U in all.
/// Keras has a single bias vector, UF + U² + U: torch's two vectors only ever appear summed, so a Keras bias maps
/// to bias_ih with bias_hh zero. <see cref="RecurrentOptions.RecurrentActivation"/> is unused.
/// </remarks>
public sealed class SimpleRnn : RecurrentLayer
{
    private readonly RNN rnn;

    /// <summary>Creates the layer.</summary>
    /// <param name="name">Layer name, used in error messages.</param>
    /// <param name="inputFeatures">Width of the last input axis.</param>
    /// <param name="options">Layer options.</param>
    public SimpleRnn(string name, long inputFeatures, RecurrentOptions options)
        : base(name, RecurrentKind.SimpleRnn, inputFeatures, options)
    {
        var nonLinearity = options.Activation == Activation.Relu ? nn.NonLinearities.ReLU : nn.NonLinearities.Tanh;
        rnn = nn.RNN(inputFeatures, options.Units, nonLinearity: nonLinearity, bias: options.UseBias,
            batchFirst: true, dtype: ScalarType.Float32);
        InitializeKerasWeights();
        RegisterComponents();
    }

    private protected override nn.Module Rnn => rnn;

    private protected override (Tensor Sequence, Tensor[] State) RunFused(Tensor x, Tensor[]? initialState)
    {
        var (sequence, hn) = rnn.call(x, initialState?[0].unsqueeze(0));
        return (sequence, new[] { hn.squeeze(0) });
    }

    private protected override Tensor[] Step(Tensor xProj, Tensor hProj, Tensor[] state) =>
        new[] { Activations.Apply(Options.Activation, xProj.Plus(hProj)) };

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal override void HostCell(Span<float> xProj, ReadOnlySpan<float> hProj, Span<float> h, Span<float> c)
    {
        for (int j = 0; j < h.Length; j++) h[j] = xProj[j] + hProj[j];
        HostActivations.Apply(Options.Activation, h);
    }
}
