using System;
using System.Collections.Generic;
using TorchSharp;
using static TorchSharp.torch;

namespace SeqDsl.Runtime.Episodes;

/// <summary>
/// A padded batch of episodes: inputs (batch, time, features) with zeros after each record's length, the lengths,
/// the labels (batch, labels) and the step mask (batch, time), 1 on real steps. The caller disposes it (or a
/// DisposeScope does).
/// </summary>
public sealed class EpisodeBatch : IDisposable
{
    internal EpisodeBatch(Tensor inputs, Tensor lengths, Tensor labels, Tensor stepMask)
    {
        Inputs = inputs;
        Lengths = lengths;
        Labels = labels;
        StepMask = stepMask;
    }

    /// <summary>(batch, time, features) float32; time is the longest record of this batch.</summary>
    public Tensor Inputs { get; }

    /// <summary>(batch) int64: each record's real steps.</summary>
    public Tensor Lengths { get; }

    /// <summary>(batch, labels) float32 of 0 and 1: scored labels, then auxiliary ones.</summary>
    public Tensor Labels { get; }

    /// <summary>(batch, time) float32: 1 on a record's real steps, 0 on padding (for target replication).</summary>
    public Tensor StepMask { get; }

    /// <inheritdoc/>
    public void Dispose()
    {
        Inputs.Dispose();
        Lengths.Dispose();
        Labels.Dispose();
        StepMask.Dispose();
    }
}

/// <summary>Padded batches of prepared episodes, and the gathers that sequence outputs need.</summary>
public static class EpisodeBatches
{
    /// <summary>
    /// The batch of records <paramref name="positions"/> (indices into <paramref name="episodes"/>), whose labels are the
    /// rows <paramref name="labelRows"/> of <paramref name="labels"/> (the same records in the labelled set).
    /// </summary>
    /// <exception cref="ArgumentException">The lists differ in length or are empty.</exception>
    public static EpisodeBatch Create(PreparedEpisodes episodes, EpisodeLabels labels, IReadOnlyList<int> positions, IReadOnlyList<int> labelRows)
    {
        if (positions.Count == 0 || positions.Count != labelRows.Count)
            throw new ArgumentException($"a batch needs as many label rows as records, and at least one; got {positions.Count} and {labelRows.Count}.");
        int batch = positions.Count, features = episodes.Features, labelCount = labels.Names.Count;
        int time = 0;
        foreach (int p in positions) time = Math.Max(time, episodes.Lengths[p]);
        var inputs = new float[batch * time * features];
        var lengths = new long[batch];
        var mask = new float[batch * time];
        var targets = new float[batch * labelCount];
        for (int b = 0; b < batch; b++)
        {
            int p = positions[b], length = episodes.Lengths[p];
            Array.Copy(episodes.Inputs[p], 0, inputs, b * time * features, length * features);
            Array.Fill(mask, 1f, b * time, length);
            lengths[b] = length;
            Array.Copy(labels.Values, labelRows[b] * labelCount, targets, b * labelCount, labelCount);
        }
        return new EpisodeBatch(
            tensor(inputs, new long[] { batch, time, features }),
            tensor(lengths, new long[] { batch }),
            tensor(targets, new long[] { batch, labelCount }),
            tensor(mask, new long[] { batch, time }));
    }

    /// <summary>(batch, time) float mask of real steps for <paramref name="lengths"/> (batch, int64) and <paramref name="time"/> steps.</summary>
    public static Tensor StepMask(Tensor lengths, long time)
    {
        using var steps = arange(time, dtype: ScalarType.Int64, device: lengths.device).unsqueeze(0);
        using var real = steps.lt(lengths.unsqueeze(1));
        return real.to_type(ScalarType.Float32);
    }

    /// <summary>
    /// Each record's output at its last real step: <paramref name="sequence"/> (batch, time, units) gathered at
    /// <c>lengths - 1</c> into (batch, units). Padding after a record never reaches its prediction.
    /// </summary>
    /// <exception cref="ArgumentException">The sequence is not 3-dimensional, or the batch sizes differ.</exception>
    public static Tensor LastRealStep(Tensor sequence, Tensor lengths)
    {
        if (sequence.dim() != 3 || lengths.dim() != 1 || lengths.shape[0] != sequence.shape[0])
            throw new ArgumentException($"expected a (batch, time, units) sequence and (batch) lengths; got [{string.Join(", ", sequence.shape)}] and [{string.Join(", ", lengths.shape)}].");
        using var lastIndex = (sequence.shape[1] - 1).ToScalar();
        using var last = lengths.to_type(ScalarType.Int64).sub(TorchScalars.One).clamp(TorchScalars.Zero, lastIndex);
        using var index = last.view(-1, 1, 1).expand(-1, 1, sequence.shape[2]);
        using var gathered = sequence.gather(1, index);
        return gathered.squeeze(1);
    }
}
