using System.Collections.Generic;

namespace SeqDsl.Runtime.Data;

/// <summary>What <see cref="CsvSource"/> does with an empty, NaN, NA or infinite cell in a selected column.</summary>
public enum MissingValuePolicy
{
    /// <summary>Fail with a <see cref="DataFormatException"/> naming the line and column.</summary>
    Error,

    /// <summary>Remove every row with a missing value in any selected column.</summary>
    Drop,

    /// <summary>Copy the previous row's value; a missing value in the first row is an error.</summary>
    ForwardFill,

    /// <summary>Interpolate linearly (by row) between the nearest valid rows; a missing value in the first or last row is an error.</summary>
    Interpolate,
}

/// <summary>What <see cref="CsvSource"/> does with timestamps that are not strictly increasing.</summary>
public enum TimeOrderPolicy
{
    /// <summary>Rows must be in time order: a timestamp at or before the previous row's is an error naming both lines.</summary>
    Require,

    /// <summary>Rows are sorted by timestamp (stably); two rows with the same timestamp are still an error.</summary>
    Sort,

    /// <summary>Rows are used in file order, unchecked.</summary>
    AsIs,
}

/// <summary>How <see cref="CsvSource.Load"/> reads a CSV file.</summary>
public sealed record CsvOptions
{
    /// <summary>The timestamp column; null: the first column when its first value parses as a date, else no timestamps.</summary>
    public string? DateColumn { get; init; }

    /// <summary>
    /// A .NET exact date format for the date column; null: automatic, accepting Jena's <c>dd.MM.yyyy HH:mm:ss</c> and the
    /// ISO 8601 forms <c>yyyy-MM-dd HH:mm:ss</c>, <c>yyyy-MM-ddTHH:mm:ss</c> and <c>yyyy-MM-dd</c>.
    /// </summary>
    public string? DateFormat { get; init; }

    /// <summary>The value columns to load, in this order; null: every column except the date column.</summary>
    public IReadOnlyList<string>? Columns { get; init; }

    /// <summary>What to do with missing values (empty, NaN, NA, null or infinite cells).</summary>
    public MissingValuePolicy Missing { get; init; } = MissingValuePolicy.Error;

    /// <summary>What to do when the date column's timestamps are not strictly increasing (without a date column there is nothing to check).</summary>
    public TimeOrderPolicy TimeOrder { get; init; } = TimeOrderPolicy.Require;

    /// <summary>The cell separator.</summary>
    public char Separator { get; init; } = ',';
}
