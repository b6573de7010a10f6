using System;

namespace SeqDsl.Runtime.Data;

/// <summary>
/// A data file does not have the expected format. The message starts with <c>file(line)</c> so that editors and
/// terminals can jump to the offending place, then names the column and says what was wrong or expected.
/// </summary>
public sealed class DataFormatException : Exception
{
    /// <summary>Creates the exception; the message is <c>file(line): column 'X': problem</c>.</summary>
    public DataFormatException(string file, int line, string? column, string problem, Exception? innerException = null)
        : base(Format(file, line, column, problem), innerException)
    {
        File = file;
        Line = line;
        Column = column;
    }

    /// <summary>The file that failed to parse, as it was passed in.</summary>
    public string File { get; }

    /// <summary>1-based line in the file (the header is line 1 when the file starts with it).</summary>
    public int Line { get; }

    /// <summary>The column involved, or null when the problem concerns the whole row or file.</summary>
    public string? Column { get; }

    private static string Format(string file, int line, string? column, string problem) =>
        column is null ? $"{file}({line}): {problem}" : $"{file}({line}): column '{column}': {problem}";
}
