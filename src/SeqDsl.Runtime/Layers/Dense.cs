using System;
using SeqDsl.Runtime.Generation;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SeqDsl.Runtime.Layers;

/// <summary>Options of <see cref="Dense"/>.</summary>
/// <param name="Units">Output width.</param>
public sealed record DenseOptions(long Units)
{
    /// <summary>Activation applied to the output.</summary>
    public Activation Activation { get; init; } = Activation.Linear;

    /// <summary>Whether the layer adds a bias vector.</summary>
    public bool UseBias { get; init; } = true;
}

/// <summary>
/// Fully connected layer on the last axis, as Keras Dense: (batch, F) → (batch, units) and
/// (batch, time, F) → (batch, time, units).
/// </summary>
/// <remarks>
/// <c>kernel</c> is stored in torch layout (units, F), the transpose of the Keras kernel; <c>bias</c> is (units).
/// Kernel glorot-uniform, bias zero.
/// </remarks>
public sealed class Dense : nn.Module<Tensor, Tensor>, IStepLayer
{
    private readonly Parameter kernel;
    private readonly Parameter? bias;

    /// <summary>Creates the layer.</summary>
    /// <param name="name">Layer name, used in error messages.</param>
    /// <param name="inputFeatures">Width of the last input axis.</param>
    /// <param name="options">Layer options.</param>
    public Dense(string name, long inputFeatures, DenseOptions options) : base(name)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (inputFeatures <= 0) throw new ArgumentOutOfRangeException(nameof(inputFeatures), inputFeatures, "Must be positive.");
        if (options.Units <= 0) throw new ArgumentOutOfRangeException(nameof(options), options.Units, "Units must be positive.");
        Options = options;
        InputFeatures = inputFeatures;
        kernel = new Parameter(empty(options.Units, inputFeatures, dtype: ScalarType.Float32));
        KerasInitializers.GlorotUniform(kernel, inputFeatures, options.Units);
        if (options.UseBias)
            bias = new Parameter(zeros(options.Units, dtype: ScalarType.Float32));
        RegisterComponents();
    }

    /// <summary>The options the layer was built with.</summary>
    public DenseOptions Options { get; }

    /// <summary>Width of the last input axis.</summary>
    public long InputFeatures { get; }

    /// <summary>The kernel in torch layout (units, F).</summary>
    internal Tensor Kernel => kernel;

    /// <summary>The bias (units), or null without bias.</summary>
    internal Tensor? Bias => bias;

    /// <inheritdoc/>
    public override Tensor forward(Tensor input)
    {
        if ((input.dim() != 2 && input.dim() != 3) || input.shape[^1] != InputFeatures)
            throw new ArgumentException(
                $"Layer '{GetName()}' expects input of shape (batch, {InputFeatures}) or (batch, time, {InputFeatures}) " +
                $"but received {ShapeChecks.Format(input.shape)}.", nameof(input));
        return Activations.Apply(Options.Activation, Logits(input));
    }

    /// <summary>The layer before its activation: for a softmax layer the logits, from which cross-entropy is computed stably.</summary>
    public Tensor Logits(Tensor input)
    {
        if ((input.dim() != 2 && input.dim() != 3) || input.shape[^1] != InputFeatures)
            throw new ArgumentException(
                $"Layer '{GetName()}' expects input of shape (batch, {InputFeatures}) or (batch, time, {InputFeatures}) " +
                $"but received {ShapeChecks.Format(input.shape)}.", nameof(input));
        return nn.functional.linear(input, kernel, bias);
    }

    int IStepLayer.StateCount => 0;

    (Tensor Output, Tensor[]? State) IStepLayer.Step(Tensor input, Tensor[]? state, bool last)
    {
        // Only the last time step matters for the next character.
        var latest = input.dim() == 3 ? input[.., -1, ..] : input;
        return (last ? Logits(latest) : forward(latest), null);
    }

    bool IStepLayer.TryCreateHostStep(HostStepInput input, bool last, out HostStep? step) =>
        (step = HostDense.TryCreate(this, input, last)) is not null;
}
