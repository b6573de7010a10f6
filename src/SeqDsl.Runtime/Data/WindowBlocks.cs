using System;
using System.Runtime.InteropServices;
using static TorchSharp.torch;

namespace SeqDsl.Runtime.Data;

/// <summary>
/// The rows a <see cref="WindowGenerator"/> on the CPU can read, copied once in phase-major order so that every
/// window is a single contiguous run of memory.
/// </summary>
/// <remarks>
/// A window samples rows <c>q, q + step, …, q + (T − 1)·step</c>. Stored row by row, that is T small copies of one
/// row each, spread over T·step rows of memory. Here the rows <c>[first, end)</c> are regrouped by phase
/// <c>(q − first) mod step</c>: phase k holds rows <c>first + k, first + k + step, …</c> back to back, so a window
/// is the T consecutive rows of one phase starting at <c>(q − first) / step</c>, copied with one block move. The
/// copy costs about as much memory as the rows it covers (each generator covers only its own split), and makes
/// batch assembly several times faster than a gather with index_select (see bench/perf.sh).
/// </remarks>
internal sealed class WindowBlocks
{
    private readonly float[] phases;      // (step, phaseLength, features), row-major
    private readonly float[] targets;     // (rows, targetWidth): the target columns of rows [targetFirst, …), row-major
    private readonly long firstRow;
    private readonly long targetFirst;
    private readonly int phaseLength;
    private readonly int step;
    private readonly int timeSteps;
    private readonly int features;
    private readonly int horizon;
    private readonly int targetWidth;
    private readonly WindowGeometry geometry;
    private readonly bool reverse;

    private WindowBlocks(float[] phases, float[] targets, int targetWidth, long firstRow, long targetFirst, int phaseLength, WindowOptions options, int features)
    {
        this.targetWidth = targetWidth;
        this.phases = phases;
        this.targets = targets;
        this.firstRow = firstRow;
        this.targetFirst = targetFirst;
        this.phaseLength = phaseLength;
        this.features = features;
        step = options.Step;
        timeSteps = options.TimeSteps;
        horizon = options.Horizon;
        geometry = options.Geometry;
        reverse = options.Reverse;
    }

    /// <summary>
    /// Copies what windows for target rows <c>[firstTargetRow, endTargetRow)</c> read; null when the data is not on
    /// the CPU or the copy would not fit in one array (the generator then gathers with index_select).
    /// </summary>
    public static WindowBlocks? TryCreate(Tensor data, int[] targetColumns, WindowOptions options, long firstTargetRow, long endTargetRow)
    {
        if (data.device_type != TorchSharp.DeviceType.CPU)
            return null;
        long features = data.shape[1];
        var geometry = options.Geometry;
        // Input rows: from the first window's first row to the last window's last row, inclusive.
        long first = geometry.FirstInputRow(firstTargetRow);
        long end = geometry.InputEnd(endTargetRow);
        long rows = end - first;
        long phaseLength = (rows + options.Step - 1) / options.Step;
        long targetFirst = geometry.FirstTarget(firstTargetRow);
        long targetCount = geometry.LastTarget(endTargetRow) - targetFirst + 1;
        if (rows <= 0 || (double)options.Step * phaseLength * features > Array.MaxLength || (double)targetCount * targetColumns.Length > Array.MaxLength)
            return null;

        var phases = GC.AllocateUninitializedArray<float>((int)(options.Step * phaseLength * features));
        var targets = GC.AllocateUninitializedArray<float>((int)(targetCount * targetColumns.Length));
        using (NewDisposeScope())
        {
            var covered = data.narrow(0, first, rows);
            long padding = options.Step * phaseLength - rows;
            if (padding > 0)
                covered = cat(new[] { covered, zeros(padding, features, dtype: data.dtype) }, 0);
            // (phaseLength, step, features) -> (step, phaseLength, features): row first + m·step + k lands in phase k at m.
            var grouped = covered.reshape(phaseLength, options.Step, features).transpose(0, 1)
                .to_type(ScalarType.Float32).contiguous();
            MemoryMarshal.Cast<byte, float>(grouped.bytes).CopyTo(phases);
            // (rows, K): the horizon of one window is then horizon · K consecutive values, in the targets' (horizon, K) order.
            using var columnIndex = tensor(Array.ConvertAll(targetColumns, c => (long)c), dtype: ScalarType.Int64);
            var columns = data.narrow(0, targetFirst, targetCount).index_select(1, columnIndex)
                .to_type(ScalarType.Float32).contiguous();
            MemoryMarshal.Cast<byte, float>(columns.bytes).CopyTo(targets);
        }
        return new WindowBlocks(phases, targets, targetColumns.Length, first, targetFirst, (int)phaseLength, options, (int)features);
    }

    /// <summary>Writes the windows of <paramref name="rows"/> into (B, T, features) inputs and (B, horizon) targets, or (B, horizon, K) with K target columns.</summary>
    public void Fill(ReadOnlySpan<long> rows, Span<float> inputs, Span<float> targetValues)
    {
        int window = timeSteps * features;
        var source = phases.AsSpan();
        for (int b = 0; b < rows.Length; b++)
        {
            long offset = geometry.FirstInputRow(rows[b]) - firstRow;
            int phase = (int)(offset % step);
            int start = (phase * phaseLength + (int)(offset / step)) * features;
            var destination = inputs.Slice(b * window, window);
            if (!reverse)
            {
                source.Slice(start, window).CopyTo(destination);
            }
            else
            {
                // Most recent sample first: the block's rows in the opposite order.
                for (int t = 0; t < timeSteps; t++)
                    source.Slice(start + (timeSteps - 1 - t) * features, features).CopyTo(destination.Slice(t * features, features));
            }
            long target = geometry.FirstTarget(rows[b]) - targetFirst;
            int span = horizon * targetWidth;
            targets.AsSpan((int)target * targetWidth, span).CopyTo(targetValues.Slice(b * span, span));
        }
    }
}
