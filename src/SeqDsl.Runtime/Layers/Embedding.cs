using System;
using System.Linq;
using SeqDsl.Runtime.Generation;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SeqDsl.Runtime.Layers;

/// <summary>
/// Keras Embedding: integer indices (batch, time) → vectors (batch, time, outputDim); any input rank works,
/// the vector axis is appended.
/// </summary>
/// <remarks>Table <c>embeddings</c> (inputDim, outputDim), same layout as Keras, initialized uniform(−0.05, 0.05).</remarks>
public sealed class Embedding : nn.Module<Tensor, Tensor>, IStepLayer
{
    private readonly Parameter embeddings;

    /// <summary>Creates the layer.</summary>
    /// <param name="name">Layer name, used in error messages.</param>
    /// <param name="inputDim">Vocabulary size; indices must lie in [0, inputDim).</param>
    /// <param name="outputDim">Vector width.</param>
    public Embedding(string name, long inputDim, long outputDim) : base(name)
    {
        if (inputDim <= 0) throw new ArgumentOutOfRangeException(nameof(inputDim), inputDim, $"Layer '{name}': must be positive.");
        if (outputDim <= 0) throw new ArgumentOutOfRangeException(nameof(outputDim), outputDim, $"Layer '{name}': must be positive.");
        InputDim = inputDim;
        OutputDim = outputDim;
        embeddings = new Parameter(empty(inputDim, outputDim, dtype: ScalarType.Float32));
        KerasInitializers.Uniform(embeddings, -0.05, 0.05);
        RegisterComponents();
    }

    /// <summary>Vocabulary size.</summary>
    public long InputDim { get; }

    /// <summary>Vector width.</summary>
    public long OutputDim { get; }

    /// <summary>The table (inputDim, outputDim).</summary>
    internal Tensor Table => embeddings;

    /// <inheritdoc/>
    public override Tensor forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (!input.is_integral() || input.dtype == ScalarType.Bool)
            throw new ArgumentException(
                $"Layer '{GetName()}' expects integer indices but received a {input.dtype} tensor of shape {ShapeChecks.Format(input.shape)}.",
                nameof(input));
        var flat = input.flatten().to_type(ScalarType.Int64);
        if (flat.numel() > 0)
        {
            // Checked here because an out-of-range index otherwise fails deep in native code without the layer's name.
            using var lowest = flat.min();
            using var highest = flat.max();
            long min = lowest.item<long>(), max = highest.item<long>();
            if (min < 0 || max >= InputDim)
                throw new ArgumentException(
                    $"Layer '{GetName()}' expects indices in [0, {InputDim}) but received values in [{min}, {max}].", nameof(input));
        }
        var shape = input.shape.Append(OutputDim).ToArray();
        return embeddings.index_select(0, flat).reshape(shape);
    }

    int IStepLayer.StateCount => 0;

    (Tensor Output, Tensor[]? State) IStepLayer.Step(Tensor input, Tensor[]? state, bool last) => (forward(input), null);

    bool IStepLayer.TryCreateHostStep(HostStepInput input, bool last, out HostStep? step) =>
        (step = HostEmbedding.TryCreate(this, input)) is not null;
}
