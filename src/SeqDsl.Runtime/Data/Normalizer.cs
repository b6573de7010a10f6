using System;
using System.Collections.Generic;
using System.Collections.ObjectModel;

namespace SeqDsl.Runtime.Data;

/// <summary>
/// Per-column standardization <c>(x - mean) / std</c>. Fit it on the training rows only, so that validation and test
/// statistics do not leak into training, then apply it to the whole frame.
/// </summary>
public sealed class Normalizer
{
    private readonly float[] _mean;
    private readonly float[] _std;
    private readonly ReadOnlyCollection<string> _columns;

    private Normalizer(IReadOnlyList<string> columns, float[] mean, float[] std)
    {
        _columns = new ReadOnlyCollection<string>(new List<string>(columns));
        _mean = mean;
        _std = std;
    }

    /// <summary>Per-column mean.</summary>
    public IReadOnlyList<float> Mean => Array.AsReadOnly(_mean);

    /// <summary>Per-column population standard deviation; a constant column gets 1 so that it maps to 0 instead of NaN.</summary>
    public IReadOnlyList<float> Std => Array.AsReadOnly(_std);

    /// <summary>The columns the statistics belong to, in order.</summary>
    public IReadOnlyList<string> Columns => _columns;

    /// <summary>Computes per-column mean and population std over rows [<paramref name="startRow"/>, <paramref name="endRowExclusive"/>) only.</summary>
    public static Normalizer Fit(TimeSeriesFrame frame, int startRow, int endRowExclusive)
    {
        ArgumentNullException.ThrowIfNull(frame);
        TimeSeriesFrame.CheckRowRange(startRow, endRowExclusive, frame.Rows);
        if (endRowExclusive == startRow)
            throw new ArgumentException($"Cannot fit a normalizer on zero rows of '{frame.SourceName}'.", nameof(endRowExclusive));

        int width = frame.ColumnCount, count = endRowExclusive - startRow;
        var values = frame.Values;
        // Doubles and two passes: float sums over 300k rows would lose digits, and E[x²]-E[x]² cancels badly.
        var sum = new double[width];
        for (int r = startRow; r < endRowExclusive; r++)
            for (int c = 0; c < width; c++)
                sum[c] += values[r * width + c];
        var mean = new double[width];
        for (int c = 0; c < width; c++)
            mean[c] = sum[c] / count;
        var squares = new double[width];
        for (int r = startRow; r < endRowExclusive; r++)
            for (int c = 0; c < width; c++)
            {
                double d = values[r * width + c] - mean[c];
                squares[c] += d * d;
            }

        var meanF = new float[width];
        var stdF = new float[width];
        for (int c = 0; c < width; c++)
        {
            meanF[c] = (float)mean[c];
            float std = (float)Math.Sqrt(squares[c] / count);
            stdF[c] = std > 0 && float.IsFinite(std) ? std : 1f;
        }
        return new Normalizer(frame.Columns, meanF, stdF);
    }

    /// <summary>A new frame with <c>(x - mean) / std</c> per column; columns are matched by name, so a <see cref="TimeSeriesFrame.Select"/>ed frame works too.</summary>
    public TimeSeriesFrame Apply(TimeSeriesFrame frame)
    {
        ArgumentNullException.ThrowIfNull(frame);
        int width = frame.ColumnCount;
        var mean = new float[width];
        var std = new float[width];
        for (int c = 0; c < width; c++)
        {
            int index = _columns.IndexOf(frame.Columns[c]);
            if (index < 0)
                throw new ArgumentException(
                    $"Column '{frame.Columns[c]}' of '{frame.SourceName}' was not fitted; the normalizer has {TimeSeriesFrame.DescribeColumns(_columns)}.",
                    nameof(frame));
            mean[c] = _mean[index];
            std[c] = _std[index];
        }

        var source = frame.Values;
        var result = new float[source.Length];
        for (int r = 0; r < frame.Rows; r++)
        {
            int offset = r * width;
            for (int c = 0; c < width; c++)
                result[offset + c] = (source[offset + c] - mean[c]) / std[c];
        }
        return new TimeSeriesFrame(frame.Columns, result, frame.Timestamps, frame.SourceName);
    }

    /// <summary>Converts an error in normalized units (e.g. an MAE) back to the units of <paramref name="column"/>.</summary>
    public double ToTargetUnits(double normalizedError, int column) => normalizedError * Std[column];
}
