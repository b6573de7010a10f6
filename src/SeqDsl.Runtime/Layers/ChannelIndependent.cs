using System;
using static TorchSharp.torch;

namespace SeqDsl.Runtime.Layers;

/// <summary>
/// Channel independence (DLinear, PatchTST): one shared model applied to every column of a multivariate window as a
/// separate univariate series. A batch (B, T, C) becomes (B·C, T, 1), the model maps each series to its horizon
/// (B·C, H), and the forecasts are put back as (B, H, C): the layout of multivariate targets.
/// </summary>
/// <remarks>
/// The series of one window are the rows b·C … b·C + C − 1 of the per-channel batch, so the model sees the channels of a
/// window as neighbours in its batch but never mixes them: every layer acts on each batch row alone (no batch norm),
/// hence the forecast of a channel is exactly the model's forecast of that channel alone. Generated model classes
/// declare it with <c>channels: independent</c> and call <see cref="Apply"/> around their layers, outside any
/// normalization the spec declares (which then sees one channel at a time).
/// </remarks>
public sealed class ChannelIndependent : nn.Module<Tensor, Tensor>
{
    private readonly nn.Module<Tensor, Tensor> perChannel;

    /// <summary>Wraps <paramref name="perChannel"/>, a model of (N, T, 1) series → (N, H) forecasts.</summary>
    /// <param name="name">The module's name.</param>
    /// <param name="perChannel">The shared model; registered as the submodule <c>per_channel</c>.</param>
    public ChannelIndependent(string name, nn.Module<Tensor, Tensor> perChannel) : base(name)
    {
        ArgumentNullException.ThrowIfNull(perChannel);
        this.perChannel = perChannel;
        register_module("per_channel", perChannel);
    }

    /// <summary>Runs the shared model on every channel of <paramref name="input"/> (B, T, C); returns (B, H, C).</summary>
    public override Tensor forward(Tensor input) => Apply(input, perChannel.call);

    /// <summary>
    /// Runs <paramref name="perChannel"/> on every channel of <paramref name="input"/> (B, T, C) as a separate series
    /// (B·C, T, 1) and returns its (B·C, H) forecasts as (B, H, C).
    /// </summary>
    /// <exception cref="ArgumentException">The input is not (batch, time, channels), or the model does not return one vector per series.</exception>
    public static Tensor Apply(Tensor input, Func<Tensor, Tensor> perChannel)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(perChannel);
        if (input.dim() != 3)
            throw new ArgumentException($"Channel-independent models take (batch, time, channels) input; received {ShapeChecks.Format(input.shape)}.", nameof(input));
        long batch = input.shape[0], time = input.shape[1], channels = input.shape[2];
        // (B, T, C) → (B, C, T) → (B·C, T, 1): row b·C + c is channel c of window b.
        var series = input.transpose(1, 2).reshape(batch * channels, time, 1);
        var forecast = perChannel(series);
        if (forecast.dim() != 2 || forecast.shape[0] != batch * channels)
            throw new ArgumentException(
                $"Applied to each channel, the model must return one vector per series ({batch * channels}, horizon); it returned {ShapeChecks.Format(forecast.shape)}.");
        // (B·C, H) → (B, C, H) → (B, H, C).
        return forecast.reshape(batch, channels, forecast.shape[1]).transpose(1, 2);
    }
}
