using System;
using System.Collections.Generic;
using System.Linq;
using static TorchSharp.torch;

namespace SeqDsl.Runtime.Data;

/// <summary>
/// Forecast errors per channel (target column), in normalized units: each channel's MAE and MSE over every window and
/// horizon step. Every channel has as many values as the others, so the mean of the channels' MAEs is the MAE over all
/// values, as the multivariate (M) long-horizon papers average it.
/// </summary>
/// <param name="ChannelMae">MAE of each channel, in the forecast's channel order.</param>
/// <param name="ChannelMse">MSE of each channel.</param>
public sealed record ChannelErrors(IReadOnlyList<double> ChannelMae, IReadOnlyList<double> ChannelMse)
{
    /// <summary>One channel's errors.</summary>
    public static ChannelErrors Single(double mae, double mse) => new(new[] { mae }, new[] { mse });

    /// <summary>Channels scored.</summary>
    public int Count => ChannelMae.Count;

    /// <summary>MAE averaged over horizon and channels.</summary>
    public double Mae => ChannelMae.Average();

    /// <summary>MSE averaged over horizon and channels.</summary>
    public double Mse => ChannelMse.Average();

    /// <summary>The errors of some channels, in the order given (e.g. the target columns among all the channels a channel-independent model forecasts).</summary>
    public ChannelErrors Select(IReadOnlyList<int> channels)
    {
        ArgumentNullException.ThrowIfNull(channels);
        if (channels.Count == 0 || channels.Any(c => c < 0 || c >= Count))
            throw new ArgumentOutOfRangeException(nameof(channels), $"Channels [{string.Join(", ", channels)}] must be among the {Count} scored.");
        return new ChannelErrors(channels.Select(c => ChannelMae[c]).ToArray(), channels.Select(c => ChannelMse[c]).ToArray());
    }
}

/// <summary>
/// Sums of absolute and squared errors per channel over batches, kept on the device in float64 so that scoring does not
/// synchronize once per batch.
/// </summary>
internal sealed class ChannelErrorSums : IDisposable
{
    private readonly Tensor absolute;
    private readonly Tensor squared;
    private readonly int channels;
    private long valuesPerChannel;

    public ChannelErrorSums(int channels, Device device)
    {
        this.channels = channels;
        absolute = zeros(channels, dtype: ScalarType.Float64, device: device);
        squared = zeros(channels, dtype: ScalarType.Float64, device: device);
    }

    /// <summary>
    /// Adds one batch. Targets are (B, horizon) for one channel or (B, horizon, channels); predictions have the targets'
    /// elements in any shape of the same row-major order (a model may end in (B, horizon · channels)).
    /// </summary>
    public void Add(Tensor predictions, Tensor targets)
    {
        if (predictions.numel() != targets.numel())
            throw new ArgumentException(
                $"Predictions {Layers.ShapeChecks.Format(predictions.shape)} and targets {Layers.ShapeChecks.Format(targets.shape)} have different element counts.");
        using var scope = NewDisposeScope();
        var error = predictions.reshape(-1, channels).to_type(ScalarType.Float64).Minus(targets.reshape(-1, channels).to_type(ScalarType.Float64));
        absolute.PlusInPlace(error.abs().sum(dim: 0));
        squared.PlusInPlace(error.square().sum(dim: 0));
        valuesPerChannel += error.shape[0];
    }

    /// <summary>The mean errors per channel so far.</summary>
    public ChannelErrors Result()
    {
        if (valuesPerChannel == 0) throw new InvalidOperationException("No batch was scored.");
        using var mae = (absolute / valuesPerChannel).cpu();
        using var mse = (squared / valuesPerChannel).cpu();
        return new ChannelErrors(mae.data<double>().ToArray(), mse.data<double>().ToArray());
    }

    public void Dispose()
    {
        absolute.Dispose();
        squared.Dispose();
    }
}
