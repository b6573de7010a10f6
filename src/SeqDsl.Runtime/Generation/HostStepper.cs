using System;
using System.Collections.Generic;
using System.Runtime.CompilerServices;
using SeqDsl.Runtime.Layers;
using SeqDsl.Runtime.Text;
using TorchSharp;
using static TorchSharp.torch;

namespace SeqDsl.Runtime.Generation;

/// <summary>
/// Stateful generation on the CPU in managed code: one character costs one cell step per layer on plain float
/// arrays, with no tensor created and no native call.
/// </summary>
/// <remarks>
/// A single step of a batch of one is a few small matrix-vector products (LSTM(128): 512×128), far too little
/// work to pay for the dozens of TorchSharp calls a tensor step makes; here it takes microseconds. Each layer
/// builds its own managed step (<see cref="IStepLayer.TryCreateHostStep"/>), copying its weights, once per
/// <see cref="TextGenerator.Generate"/> call, so a model trained further between calls is seen. The first layer
/// reads the character itself: for one-hot input its input projection is one column of the weight matrix (kept
/// transposed, so it is a contiguous row), for index input an embedding row. A layer whose options the managed step
/// does not run (a recurrent layer reading backwards, an activation such as gelu) makes <see cref="TryCreate"/>
/// return null and generation steps with tensors instead. Results match the tensor path to float rounding.
/// The hot methods are compiled optimized from their first call: a generation of a few hundred characters ends
/// before tiered compilation would promote them.
/// </remarks>
internal sealed class HostStepper
{
    private readonly HostStep[] steps;
    private readonly float[] logits;

    private HostStepper(HostStep[] steps)
    {
        this.steps = steps;
        logits = new float[steps[^1].Width];
    }

    /// <summary>Width of what <see cref="Step"/> returns.</summary>
    public int OutputWidth => logits.Length;

    /// <summary>
    /// Builds a stepper for the layers of a model on the CPU, or returns null (with the reason) when some layer,
    /// option or device is outside what it runs.
    /// </summary>
    public static HostStepper? TryCreate(IReadOnlyList<nn.Module<Tensor, Tensor>> modules, int vocabularySize, TextEncoding encoding, out string? reason)
    {
        if (StepLayers.TryResolve(modules, out reason) is not { } layers) return null;
        var built = new List<HostStep>();
        var input = new HostStepInput(null, vocabularySize, encoding);
        for (int i = 0; i < layers.Length; i++)
        {
            var module = modules[i];
            foreach (var (_, parameter) in module.named_parameters())
            {
                if (parameter.device_type != DeviceType.CPU || parameter.dtype != ScalarType.Float32)
                {
                    reason = $"layer '{module.GetName()}' holds {parameter.dtype} parameters on {parameter.device}";
                    return null;
                }
            }
            if (!layers[i].TryCreateHostStep(input, last: i == layers.Length - 1, out var step))
            {
                reason = $"layer '{module.GetName()}' ({module.GetType().Name}) is not one the managed step runs with these options";
                return null;
            }
            if (step is null) continue;
            built.Add(step);
            input = input with { Width = step.Width };
        }
        if (built.Count == 0)
        {
            reason = "the model has no layer the managed step runs";
            return null;
        }
        reason = null;
        return new HostStepper(built.ToArray());
    }

    /// <summary>Feeds one character; returns the last layer's output before its activation (the logits), valid until the next call.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public ReadOnlySpan<float> Step(int token)
    {
        ReadOnlySpan<float> vector = default;
        bool isToken = true;
        foreach (var step in steps)
        {
            vector = step.Forward(token, isToken, vector);
            isToken = false;
        }
        vector.CopyTo(logits);
        return logits;
    }
}
