using System;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SeqDsl.Runtime.Layers;

/// <summary>Which instance normalization wraps a model.</summary>
public enum InstanceNormKind
{
    /// <summary>NLinear: subtract each window's last value per channel from the input, add it back to the output.</summary>
    SubtractLast,
    /// <summary>RevIN: per window and channel, subtract the mean and divide by the standard deviation over time; undo both on the output.</summary>
    Revin,
}

/// <summary>Options of <see cref="InstanceNormalization"/>.</summary>
/// <param name="Kind">Subtract-last or RevIN.</param>
public sealed record InstanceNormOptions(InstanceNormKind Kind)
{
    /// <summary>RevIN: a learnable weight and bias per channel applied after normalizing (and undone before de-normalizing).</summary>
    public bool Affine { get; init; } = true;

    /// <summary>RevIN: added to the variance before its square root, so a constant window does not divide by zero.</summary>
    public double Eps { get; init; } = 1e-5;

    /// <summary>
    /// The input channel whose statistics de-normalize a (batch, horizon) output: the forecast target's column. A
    /// (batch, horizon, channels) output is de-normalized per channel.
    /// </summary>
    public long TargetChannel { get; init; }
}

/// <summary>
/// A window's statistics, per channel: the value subtracted (last value or mean) and the one divided by (the standard
/// deviation; ones for subtract-last), each (batch, 1, channels) and detached, as NLinear and RevIN detach them.
/// </summary>
public sealed record InstanceStatistics(Tensor Center, Tensor Scale);

/// <summary>
/// Instance normalization around a model, the spec's <c>normalization</c>: <see cref="Normalize"/> takes each
/// window's statistics and normalizes the input (batch, time, channels) with them; the model runs on the result;
/// <see cref="Denormalize"/> maps the model's output back with the same statistics. A (batch, horizon) output is
/// de-normalized with the statistics of <see cref="InstanceNormOptions.TargetChannel"/>, a (batch, horizon, channels)
/// output per channel.
/// </summary>
/// <remarks>
/// RevIN (Kim et al. 2022): x̂ = (x − mean) / sqrt(var + eps), biased variance over time, then x̂·weight + bias with
/// Affine; de-normalizing computes (y − bias) / (weight + eps²) · sqrt(var + eps) + mean, as the reference code does.
/// Parameters: <c>weight</c> (ones) and <c>bias</c> (zeros), one per channel, only with RevIN and Affine.
/// </remarks>
public sealed class InstanceNormalization : nn.Module<Tensor, Tensor>
{
    private readonly Parameter? weight;
    private readonly Parameter? bias;
    // Held for the module's life: a temporary scalar can be finalized while libtorch reads it (see TorchScalars).
    private readonly Scalar epsilon;
    private readonly Scalar affineEpsilon;

    /// <summary>Creates the normalization.</summary>
    /// <param name="name">Its name, used in error messages and as the prefix of its weight keys.</param>
    /// <param name="channels">Channels (features) of the input.</param>
    /// <param name="options">Kind, affine parameters, eps and the target channel.</param>
    public InstanceNormalization(string name, long channels, InstanceNormOptions options) : base(name)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (channels <= 0) throw new ArgumentOutOfRangeException(nameof(channels), channels, "Must be positive.");
        if (options.TargetChannel < 0 || options.TargetChannel >= channels)
            throw new ArgumentOutOfRangeException(nameof(options), options.TargetChannel, $"The target channel must be in 0..{channels - 1}.");
        if (!(options.Eps > 0)) throw new ArgumentOutOfRangeException(nameof(options), options.Eps, "Eps must be positive.");
        Options = options;
        Channels = channels;
        if (options.Kind == InstanceNormKind.Revin && options.Affine)
        {
            weight = new Parameter(ones(channels, dtype: ScalarType.Float32));
            bias = new Parameter(zeros(channels, dtype: ScalarType.Float32));
        }
        epsilon = options.Eps.ToScalar();
        affineEpsilon = (options.Eps * options.Eps).ToScalar();
        RegisterComponents();
    }

    /// <summary>The options it was built with.</summary>
    public InstanceNormOptions Options { get; }

    /// <summary>Channels of the input.</summary>
    public long Channels { get; }

    /// <summary>The normalized input alone (its statistics are dropped): for inspecting what the wrapped model reads.</summary>
    public override Tensor forward(Tensor input) => Normalize(input).Normalized;

    /// <summary>Each window's statistics and the input normalized with them.</summary>
    /// <exception cref="ArgumentException">The input is not (batch, time, <see cref="Channels"/>).</exception>
    public (Tensor Normalized, InstanceStatistics Statistics) Normalize(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        ShapeChecks.Sequence(GetName(), input, Channels);
        using var scope = NewDisposeScope();
        Tensor center, scale;
        using (no_grad())
        {
            if (Options.Kind == InstanceNormKind.SubtractLast)
            {
                center = input.narrow(1, input.shape[1] - 1, 1).detach().clone();
                scale = ones_like(center);
            }
            else
            {
                var detached = input.detach();
                center = detached.mean(new long[] { 1 }, keepdim: true);
                scale = detached.var(1, unbiased: false, keepdim: true).add(epsilon, TorchScalars.One).sqrt();
            }
        }
        var normalized = input.Minus(center).div(scale);
        if (weight is not null) normalized = normalized.mul(weight).Plus(bias!);
        var statistics = new InstanceStatistics(center.MoveToOuterDisposeScope(), scale.MoveToOuterDisposeScope());
        return (normalized.MoveToOuterDisposeScope(), statistics);
    }

    /// <summary>The model's output mapped back with the statistics of its input.</summary>
    /// <exception cref="ArgumentException">The output is neither (batch, horizon) nor (batch, horizon, <see cref="Channels"/>).</exception>
    public Tensor Denormalize(Tensor output, InstanceStatistics statistics)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(statistics);
        using var scope = NewDisposeScope();
        Tensor center = statistics.Center, scale = statistics.Scale;
        Tensor? w = weight, b = bias;
        if (output.dim() == 2)
        {
            // One series forecast for the target: its channel's statistics for every step of the horizon.
            long target = Options.TargetChannel;
            center = center[.., 0, target].unsqueeze(1);
            scale = scale[.., 0, target].unsqueeze(1);
            w = w?[target];
            b = b?[target];
        }
        else if (output.dim() != 3 || output.shape[2] != Channels)
        {
            throw new ArgumentException(
                $"'{GetName()}' de-normalizes (batch, horizon) or (batch, horizon, {Channels}) outputs but received {ShapeChecks.Format(output.shape)}.",
                nameof(output));
        }
        if (output.shape[0] != center.shape[0])
            throw new ArgumentException($"'{GetName()}' received an output of {output.shape[0]} windows for statistics of {center.shape[0]}.", nameof(output));
        var y = output;
        if (w is not null) y = y.Minus(b!).div(w.add(affineEpsilon, TorchScalars.One));
        return y.mul(scale).Plus(center).MoveToOuterDisposeScope();
    }
}
