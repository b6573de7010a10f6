using System.Collections.Generic;
using SeqDsl.Runtime.Generation;
using static TorchSharp.torch;

namespace SeqDsl.Runtime.Layers;

/// <summary>
/// A layer that stateful generation runs one time step at a time: the recurrent layers, <see cref="Dense"/>,
/// <see cref="Embedding"/> and <see cref="Dropout"/>. Each has two steps, one per path: on tensors (any device,
/// <see cref="TextGenerator"/>) and on float arrays in managed code (the CPU, <see cref="HostStepper"/>). A model with
/// any other layer has no stateful generation; <see cref="StepLayers"/> decides that for both paths.
/// </summary>
internal interface IStepLayer
{
    /// <summary>State tensors carried from one step to the next, each (batch, units): none, [h], or [h, c] for LSTM.</summary>
    int StateCount { get; }

    /// <summary>
    /// Runs the layer on tensors over <paramref name="input"/> (batch, time, …), or (batch, …) after a layer that
    /// returned only its last step, from <paramref name="state"/> (null: zeros). Returns the output and the state after
    /// the last time step (null for a stateless layer). <paramref name="last"/>: the model's final layer, which hands
    /// over its output before the activation (the logits), as the sampler expects.
    /// </summary>
    (Tensor Output, Tensor[]? State) Step(Tensor input, Tensor[]? state, bool last);

    /// <summary>
    /// The layer's managed step reading <paramref name="input"/>. False when the layer's options are outside what the
    /// managed step runs (generation then steps with tensors); true with a null <paramref name="step"/> when the layer
    /// passes its input through unchanged (dropout outside training).
    /// </summary>
    bool TryCreateHostStep(HostStepInput input, bool last, out HostStep? step);
}

/// <summary>Which layers stateful generation can step: the one place that says so, for the tensor and the managed path.</summary>
internal static class StepLayers
{
    /// <summary>The model's layers as step layers, or null with the first layer that has no single step.</summary>
    public static IStepLayer[]? TryResolve(IReadOnlyList<nn.Module<Tensor, Tensor>> modules, out string? reason)
    {
        var layers = new IStepLayer[modules.Count];
        for (int i = 0; i < modules.Count; i++)
        {
            if (modules[i] is not IStepLayer layer)
            {
                reason = $"layer '{modules[i].GetName()}' ({modules[i].GetType().Name}) is none of these";
                return null;
            }
            layers[i] = layer;
        }
        reason = null;
        return layers;
    }

    /// <summary>What stateful generation runs, for messages.</summary>
    public const string Supported = "embedding, recurrent, dropout and dense layers";
}
