using System;
using System.Collections.Generic;
using System.Collections.ObjectModel;
using TorchSharp;

namespace SeqDsl.Runtime.Data;

/// <summary>
/// A table of float32 time series: named columns, row-major values and optional timestamps. Frames are
/// treated as immutable; <see cref="Select"/>, <see cref="Slice"/> and normalization return new frames.
/// </summary>
public sealed class TimeSeriesFrame
{
    private readonly ReadOnlyCollection<string> _columns;

    /// <summary>Wraps <paramref name="values"/> (row-major, rows × columns; not copied) as a frame.</summary>
    /// <param name="columns">Column names, at least one.</param>
    /// <param name="values">Row-major values; the length must be a multiple of the column count.</param>
    /// <param name="timestamps">One timestamp per row, or null.</param>
    /// <param name="sourceName">Where the data came from (a file path or a generator name), used in messages.</param>
    public TimeSeriesFrame(IReadOnlyList<string> columns, float[] values, DateTime[]? timestamps, string sourceName)
    {
        ArgumentNullException.ThrowIfNull(columns);
        ArgumentNullException.ThrowIfNull(values);
        ArgumentNullException.ThrowIfNull(sourceName);
        if (columns.Count == 0)
            throw new ArgumentException($"A frame needs at least one column (source '{sourceName}').", nameof(columns));
        if (values.Length % columns.Count != 0)
            throw new ArgumentException(
                $"{values.Length} values do not fill whole rows of {columns.Count} columns (source '{sourceName}').", nameof(values));
        int rows = values.Length / columns.Count;
        if (timestamps is not null && timestamps.Length != rows)
            throw new ArgumentException(
                $"{timestamps.Length} timestamps for {rows} rows (source '{sourceName}').", nameof(timestamps));

        _columns = new ReadOnlyCollection<string>(new List<string>(columns));
        Values = values;
        Timestamps = timestamps;
        SourceName = sourceName;
        Rows = rows;
    }

    /// <summary>Column names in storage order.</summary>
    public IReadOnlyList<string> Columns => _columns;

    /// <summary>Number of rows (time steps).</summary>
    public int Rows { get; }

    /// <summary>Number of columns (features).</summary>
    public int ColumnCount => _columns.Count;

    /// <summary>Row-major values, <c>Values[row * ColumnCount + column]</c>. Shared, not copied: do not modify.</summary>
    public float[] Values { get; }

    /// <summary>One timestamp per row, or null when the source had none.</summary>
    public DateTime[]? Timestamps { get; }

    /// <summary>Where the data came from, for messages.</summary>
    public string SourceName { get; }

    /// <summary>The value at <paramref name="row"/>, <paramref name="column"/>.</summary>
    public float this[int row, int column]
    {
        get
        {
            // Checked here because a wrong column would otherwise silently read a neighbouring row.
            if ((uint)row >= (uint)Rows)
                throw new ArgumentOutOfRangeException(nameof(row), row, $"Row must be in [0, {Rows}).");
            if ((uint)column >= (uint)ColumnCount)
                throw new ArgumentOutOfRangeException(nameof(column), column, $"Column must be in [0, {ColumnCount}).");
            return Values[row * ColumnCount + column];
        }
    }

    /// <summary>The index of <paramref name="column"/>; throws an <see cref="ArgumentException"/> listing the available columns.</summary>
    public int IndexOf(string column)
    {
        ArgumentNullException.ThrowIfNull(column);
        int index = _columns.IndexOf(column);
        if (index < 0)
            throw new ArgumentException(
                $"Column '{column}' is not in '{SourceName}'; available columns: {DescribeColumns(_columns)}.", nameof(column));
        return index;
    }

    /// <summary>A frame with the same rows and only <paramref name="columns"/>, in that order.</summary>
    public TimeSeriesFrame Select(IReadOnlyList<string> columns)
    {
        ArgumentNullException.ThrowIfNull(columns);
        var indices = new int[columns.Count];
        for (int i = 0; i < indices.Length; i++)
            indices[i] = IndexOf(columns[i]);

        int width = ColumnCount;
        var values = new float[Rows * indices.Length];
        for (int r = 0; r < Rows; r++)
        {
            int from = r * width, to = r * indices.Length;
            for (int c = 0; c < indices.Length; c++)
                values[to + c] = Values[from + indices[c]];
        }
        return new TimeSeriesFrame(columns, values, Timestamps is null ? null : (DateTime[])Timestamps.Clone(), SourceName);
    }

    /// <summary>Rows <paramref name="startRow"/> (inclusive) to <paramref name="endRowExclusive"/>, copied.</summary>
    public TimeSeriesFrame Slice(int startRow, int endRowExclusive)
    {
        CheckRowRange(startRow, endRowExclusive, Rows);
        int width = ColumnCount;
        var values = Values.AsSpan(startRow * width, (endRowExclusive - startRow) * width).ToArray();
        var timestamps = Timestamps?.AsSpan(startRow, endRowExclusive - startRow).ToArray();
        return new TimeSeriesFrame(_columns, values, timestamps, SourceName);
    }

    /// <summary>The values as a (rows, columns) float32 tensor on <paramref name="device"/> (default CPU).</summary>
    public torch.Tensor ToTensor(torch.Device? device = null) =>
        torch.tensor(Values, new long[] { Rows, ColumnCount }, torch.float32, device);

    internal static void CheckRowRange(int startRow, int endRowExclusive, int rows)
    {
        if (startRow < 0 || startRow > rows)
            throw new ArgumentOutOfRangeException(nameof(startRow), startRow, $"Start row must be in [0, {rows}].");
        if (endRowExclusive < startRow || endRowExclusive > rows)
            throw new ArgumentOutOfRangeException(
                nameof(endRowExclusive), endRowExclusive, $"End row must be in [{startRow}, {rows}].");
    }

    internal static string DescribeColumns(IEnumerable<string> columns) => "'" + string.Join("', '", columns) + "'";
}
