using System;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SeqDsl.Runtime.Layers;

/// <summary>Options of <see cref="Conv1D"/>.</summary>
/// <param name="Filters">Number of output channels.</param>
/// <param name="KernelSize">Window length along time.</param>
public sealed record Conv1DOptions(long Filters, long KernelSize)
{
    /// <summary>Step between windows.</summary>
    public long Strides { get; init; } = 1;

    /// <summary>Time-axis padding: valid, same or causal.</summary>
    public Padding Padding { get; init; } = Padding.Valid;

    /// <summary>Spacing between kernel taps.</summary>
    public long DilationRate { get; init; } = 1;

    /// <summary>Activation applied to the output.</summary>
    public Activation Activation { get; init; } = Activation.Linear;

    /// <summary>Whether the layer adds a bias vector.</summary>
    public bool UseBias { get; init; } = true;
}

/// <summary>
/// Temporal convolution as Keras Conv1D, channel-last: (batch, time, channels) → (batch, time', filters).
/// </summary>
/// <remarks>
/// <c>kernel</c> is stored in torch layout (filters, channels, kernel_size); Keras stores (kernel_size, channels,
/// filters). Padding is computed from the actual length of each input, so open-length sequences work:
/// valid pads nothing, causal pads dilation·(k − 1) on the left, same follows TensorFlow (extra step on the right).
/// Kernel glorot-uniform with Keras fans (k·channels, k·filters), bias zero.
/// </remarks>
public sealed class Conv1D : nn.Module<Tensor, Tensor>
{
    private readonly Parameter kernel;
    private readonly Parameter? bias;

    /// <summary>Creates the layer.</summary>
    /// <param name="name">Layer name, used in error messages.</param>
    /// <param name="inputChannels">Width of the last input axis.</param>
    /// <param name="options">Layer options.</param>
    public Conv1D(string name, long inputChannels, Conv1DOptions options) : base(name)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (inputChannels <= 0) throw new ArgumentOutOfRangeException(nameof(inputChannels), inputChannels, $"Layer '{name}': input channels must be positive.");
        if (options.Filters <= 0 || options.KernelSize <= 0 || options.Strides <= 0 || options.DilationRate <= 0)
            throw new ArgumentException(
                $"Layer '{name}': Filters, KernelSize, Strides and DilationRate must be positive (got {options.Filters}, {options.KernelSize}, {options.Strides}, {options.DilationRate}).",
                nameof(options));
        if (!Enum.IsDefined(options.Padding))
            throw new ArgumentException($"Layer '{name}': unknown padding {options.Padding}.", nameof(options));
        Options = options;
        InputChannels = inputChannels;
        kernel = new Parameter(empty(options.Filters, inputChannels, options.KernelSize, dtype: ScalarType.Float32));
        KerasInitializers.GlorotUniform(kernel, options.KernelSize * inputChannels, options.KernelSize * options.Filters);
        if (options.UseBias)
            bias = new Parameter(zeros(options.Filters, dtype: ScalarType.Float32));
        RegisterComponents();
    }

    /// <summary>The options the layer was built with.</summary>
    public Conv1DOptions Options { get; }

    /// <summary>Width of the last input axis.</summary>
    public long InputChannels { get; }

    /// <inheritdoc/>
    public override Tensor forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        ShapeChecks.Sequence(GetName(), input, InputChannels);
        long length = input.shape[1], k = Options.KernelSize, s = Options.Strides, d = Options.DilationRate;
        var (left, right) = Options.Padding switch
        {
            Padding.Same => PaddingMath.Same(length, k, s, d),
            Padding.Causal => PaddingMath.Causal(k, d),
            _ => (0L, 0L),
        };
        if (PaddingMath.SlidLength(length, PaddingMath.Span(k, d), s, padded: Options.Padding != Padding.Valid) < 1)
            throw new ArgumentException(
                $"Layer '{GetName()}' needs at least {PaddingMath.Span(k, d)} time steps with {Options.Padding} padding " +
                $"but received {ShapeChecks.Format(input.shape)}.", nameof(input));

        var x = input.transpose(1, 2);
        if (left + right > 0)
            x = nn.functional.pad(x, new[] { left, right });
        var y = nn.functional.conv1d(x, kernel, bias, stride: s, padding: 0, dilation: d);
        return Activations.Apply(Options.Activation, y.transpose(1, 2));
    }
}
