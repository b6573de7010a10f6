using System;
using TorchSharp;
using static TorchSharp.torch;

namespace SeqDsl.Runtime.Layers;

/// <summary>Options of <see cref="MaxPooling1D"/> and <see cref="AveragePooling1D"/>.</summary>
public sealed record Pooling1DOptions
{
    /// <summary>Window length along time.</summary>
    public long PoolSize { get; init; } = 2;

    /// <summary>Step between windows; null means <see cref="PoolSize"/>.</summary>
    public long? Strides { get; init; }

    /// <summary><see cref="Padding.Valid"/> or <see cref="Padding.Same"/>.</summary>
    public Padding Padding { get; init; } = Padding.Valid;
}

/// <summary>Shared part of the 1-D poolings: option checks and the channel-last ↔ torch layout switch.</summary>
public abstract class Pooling1D : nn.Module<Tensor, Tensor>
{
    private protected Pooling1D(string name, Pooling1DOptions options) : base(name)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.PoolSize <= 0 || options.Strides is <= 0)
            throw new ArgumentException(
                $"Layer '{name}': PoolSize and Strides must be positive (got {options.PoolSize}, {options.Strides}).", nameof(options));
        if (options.Padding is not (Padding.Valid or Padding.Same))
            throw new ArgumentException($"Layer '{name}': pooling supports Valid or Same padding, not {options.Padding}.", nameof(options));
        Options = options;
    }

    /// <summary>The options the layer was built with.</summary>
    public Pooling1DOptions Options { get; }

    /// <summary>Effective stride.</summary>
    private protected long Stride => Options.Strides ?? Options.PoolSize;

    /// <inheritdoc/>
    public override Tensor forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        ShapeChecks.Sequence(GetName(), input);
        long length = input.shape[1];
        var (left, right) = Options.Padding == Padding.Same
            ? PaddingMath.Same(length, Options.PoolSize, Stride, 1)
            : (0L, 0L);
        if (PaddingMath.SlidLength(length, Options.PoolSize, Stride, padded: Options.Padding == Padding.Same) < 1)
            throw new ArgumentException(
                $"Layer '{GetName()}' needs at least {Options.PoolSize} time steps with {Options.Padding} padding " +
                $"but received {ShapeChecks.Format(input.shape)}.", nameof(input));
        return Pool(input.transpose(1, 2), left, right).transpose(1, 2);
    }

    /// <summary>Pools a (batch, channels, time) tensor after padding it by (left, right).</summary>
    private protected abstract Tensor Pool(Tensor x, long left, long right);
}

/// <summary>Keras MaxPooling1D: (batch, time, F) → (batch, time', F); 'same' pads with −∞ so padding never wins.</summary>
public sealed class MaxPooling1D : Pooling1D
{
    /// <summary>Creates the layer.</summary>
    /// <param name="name">Layer name, used in error messages.</param>
    /// <param name="options">Layer options.</param>
    public MaxPooling1D(string name, Pooling1DOptions options) : base(name, options)
    {
        RegisterComponents();
    }

    private protected override Tensor Pool(Tensor x, long left, long right)
    {
        if (left + right > 0)
            x = nn.functional.pad(x, new[] { left, right }, PaddingModes.Constant, double.NegativeInfinity);
        return nn.functional.max_pool1d(x, Options.PoolSize, Stride);
    }
}

/// <summary>
/// Keras AveragePooling1D: (batch, time, F) → (batch, time', F); with 'same' the padded positions are left
/// out of each window's average, as in Keras.
/// </summary>
public sealed class AveragePooling1D : Pooling1D
{
    /// <summary>Creates the layer.</summary>
    /// <param name="name">Layer name, used in error messages.</param>
    /// <param name="options">Layer options.</param>
    public AveragePooling1D(string name, Pooling1DOptions options) : base(name, options)
    {
        RegisterComponents();
    }

    private protected override Tensor Pool(Tensor x, long left, long right)
    {
        if (left + right == 0)
            return nn.functional.avg_pool1d(x, Options.PoolSize, Stride);
        // torch only pads symmetrically, while 'same' may put one more step on the right; pad by hand and
        // divide by the share of real steps in each window instead.
        var padded = nn.functional.pad(x, new[] { left, right });
        var ones = torch.ones(1, 1, x.shape[2], dtype: x.dtype, device: x.device);
        var coverage = nn.functional.avg_pool1d(nn.functional.pad(ones, new[] { left, right }), Options.PoolSize, Stride);
        return nn.functional.avg_pool1d(padded, Options.PoolSize, Stride).div(coverage);
    }
}

/// <summary>Keras GlobalMaxPooling1D: maximum over time, (batch, time, F) → (batch, F).</summary>
public sealed class GlobalMaxPooling1D : nn.Module<Tensor, Tensor>
{
    /// <summary>Creates the layer.</summary>
    /// <param name="name">Layer name, used in error messages.</param>
    public GlobalMaxPooling1D(string name) : base(name)
    {
        RegisterComponents();
    }

    /// <inheritdoc/>
    public override Tensor forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        ShapeChecks.Sequence(GetName(), input);
        return input.amax(new long[] { 1 });
    }
}

/// <summary>Keras GlobalAveragePooling1D: mean over time, (batch, time, F) → (batch, F).</summary>
public sealed class GlobalAveragePooling1D : nn.Module<Tensor, Tensor>
{
    /// <summary>Creates the layer.</summary>
    /// <param name="name">Layer name, used in error messages.</param>
    public GlobalAveragePooling1D(string name) : base(name)
    {
        RegisterComponents();
    }

    /// <inheritdoc/>
    public override Tensor forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        ShapeChecks.Sequence(GetName(), input);
        return input.mean(new long[] { 1 });
    }
}
