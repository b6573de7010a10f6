using System;
using static TorchSharp.torch;

namespace SeqDsl.Runtime.Layers;

/// <summary>Flattens every axis after the batch axis: (batch, time, F) → (batch, time*F); rank-2 input passes through.</summary>
public sealed class Flatten : nn.Module<Tensor, Tensor>
{
    /// <summary>Creates the layer.</summary>
    /// <param name="name">Layer name, used in error messages.</param>
    public Flatten(string name) : base(name)
    {
        RegisterComponents();
    }

    /// <inheritdoc/>
    public override Tensor forward(Tensor input)
    {
        if (input.dim() < 2)
            throw new ArgumentException(
                $"Layer '{GetName()}' expects input of rank 2 or more (batch, ...) but received {ShapeChecks.Format(input.shape)}.",
                nameof(input));
        return input.dim() == 2 ? input : input.flatten(1);
    }
}
