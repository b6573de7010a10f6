using System;
using System.Globalization;
using static TorchSharp.torch;

namespace SeqDsl.Runtime.Layers;

/// <summary>
/// The real steps of a padded batch (batch, time, ·) as the length-aware layers read it: each record's lengths on the
/// input's device and, once asked for, the one gather index that reverses every record within its own real span.
/// </summary>
/// <remarks>
/// The index is <c>idx[b, t] = t &lt; len[b] ? len[b] − 1 − t : t</c>: real steps are reversed in place and padding
/// steps stay where they are. It is its own inverse, so the same gather turns a backward output back into input order,
/// and with every length equal to time it is exactly <c>flip(1)</c>. One index serves every width (it is expanded as a
/// view), so a bidirectional layer builds it once per batch.
/// </remarks>
internal sealed class PaddedSteps : IDisposable
{
    private readonly Tensor lengths;
    private Tensor? reverseIndex;

    private PaddedSteps(Tensor lengths, long time)
    {
        this.lengths = lengths;
        Time = time;
    }

    /// <summary>Steps of the padded axis.</summary>
    public long Time { get; }

    /// <summary>
    /// Checks <paramref name="lengths"/> against <paramref name="input"/> (batch, time, features) and keeps them, as
    /// int64 on the input's device.
    /// </summary>
    /// <exception cref="ArgumentException">Lengths that are not a (batch) integer vector with every value in 1..time.</exception>
    public static PaddedSteps Create(string layer, Tensor input, Tensor lengths)
    {
        ArgumentNullException.ThrowIfNull(lengths);
        long batch = input.shape[0], time = input.shape[1];
        if (lengths.dim() != 1 || lengths.shape[0] != batch)
            throw new ArgumentException(
                $"Layer '{layer}' expects lengths of shape ({batch.ToString(CultureInfo.InvariantCulture)}), one per record of the input " +
                $"{ShapeChecks.Format(input.shape)}, but received {ShapeChecks.Format(lengths.shape)}.",
                nameof(lengths));
        if (!IsInteger(lengths.dtype))
            throw new ArgumentException(
                $"Layer '{layer}' expects lengths as whole numbers (int64) but received {lengths.dtype}.", nameof(lengths));
        if (batch > 0)
        {
            // One read of both ends; the lengths usually live on the CPU already.
            using var shortestTensor = lengths.min();
            using var longestTensor = lengths.max();
            using var both = stack(new[] { shortestTensor, longestTensor });
            using var ends = both.to(ScalarType.Int64, CPU);
            var values = ends.data<long>();
            long shortest = values[0], longest = values[1];
            if (shortest < 1 || longest > time)
                throw new ArgumentException(
                    $"Layer '{layer}': every length must be between 1 and the input's {time.ToString(CultureInfo.InvariantCulture)} steps, " +
                    $"but the lengths run from {shortest.ToString(CultureInfo.InvariantCulture)} to {longest.ToString(CultureInfo.InvariantCulture)}.",
                    nameof(lengths));
        }
        var kept = lengths.to(ScalarType.Int64, input.device);
        // TorchSharp may hand back the caller's own tensor when nothing changes; this object disposes what it keeps.
        return new PaddedSteps(ReferenceEquals(kept, lengths) ? lengths.alias() : kept, time);
    }

    /// <summary>
    /// <paramref name="sequence"/> (batch, time, width) with each record's real steps in reverse order and its padding
    /// left in place.
    /// </summary>
    public Tensor ReverseWithinRecords(Tensor sequence)
    {
        if (reverseIndex is null)
        {
            using var steps = arange(Time, dtype: ScalarType.Int64, device: lengths.device).unsqueeze(0);   // (1, time)
            using var length = lengths.unsqueeze(1);                                                        // (batch, 1)
            using var real = steps.lt(length);
            using var reversed = length.sub(TorchScalars.One).Minus(steps);
            using var index = where(real, reversed, steps);
            reverseIndex = index.unsqueeze(2);
        }
        using var expanded = reverseIndex.expand(-1, -1, sequence.shape[2]);
        return sequence.gather(1, expanded);
    }

    /// <summary>Each record's output at its last real step: <paramref name="sequence"/> (batch, time, width) → (batch, width).</summary>
    public Tensor LastRealStep(Tensor sequence)
    {
        using var last = lengths.sub(TorchScalars.One).view(-1, 1, 1);
        using var index = last.expand(-1, 1, sequence.shape[2]);
        using var gathered = sequence.gather(1, index);
        return gathered.squeeze(1);
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        lengths.Dispose();
        reverseIndex?.Dispose();
    }

    private static bool IsInteger(ScalarType type) =>
        type is ScalarType.Int64 or ScalarType.Int32 or ScalarType.Int16 or ScalarType.Int8 or ScalarType.Byte;
}
