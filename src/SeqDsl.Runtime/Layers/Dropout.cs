using System;
using SeqDsl.Runtime.Generation;
using static TorchSharp.torch;

namespace SeqDsl.Runtime.Layers;

/// <summary>
/// Inverted dropout as Keras Dropout: in training mode zeroes each element with probability <c>rate</c> and
/// scales the rest by 1/(1 − rate); in eval mode the input passes through unchanged.
/// </summary>
public sealed class Dropout : nn.Module<Tensor, Tensor>, IStepLayer
{
    /// <summary>Creates the layer.</summary>
    /// <param name="name">Layer name, used in error messages.</param>
    /// <param name="rate">Fraction of elements dropped, in [0, 1).</param>
    public Dropout(string name, double rate) : base(name)
    {
        if (!(rate >= 0.0 && rate < 1.0))
            throw new ArgumentOutOfRangeException(nameof(rate), rate, $"Layer '{name}': dropout rate must be in [0, 1).");
        Rate = rate;
        RegisterComponents();
    }

    /// <summary>Fraction of elements dropped in training mode.</summary>
    public double Rate { get; }

    /// <inheritdoc/>
    public override Tensor forward(Tensor input) =>
        training && Rate > 0.0 ? nn.functional.dropout(input, Rate, training: true) : input;

    int IStepLayer.StateCount => 0;

    // Generation runs outside training, where dropout passes its input through.
    (Tensor Output, Tensor[]? State) IStepLayer.Step(Tensor input, Tensor[]? state, bool last) => (input, null);

    bool IStepLayer.TryCreateHostStep(HostStepInput input, bool last, out HostStep? step)
    {
        step = null;
        return true;
    }
}
