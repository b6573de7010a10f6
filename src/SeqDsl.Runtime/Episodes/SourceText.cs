using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using SeqDsl.Runtime.Data;

namespace SeqDsl.Runtime.Episodes;

/// <summary>Text parsing shared by the episode sources: fields, numbers, times, name suggestions and unknown variables.</summary>
internal static class SourceText
{
    /// <summary>Splits a comma-separated line; a field in double quotes loses them (ids and names only, so no escaped quotes).</summary>
    public static string[] Fields(string line)
    {
        var fields = line.Split(',');
        for (int i = 0; i < fields.Length; i++)
        {
            var field = fields[i].Trim();
            if (field.Length >= 2 && field[0] == '"' && field[^1] == '"') field = field[1..^1];
            fields[i] = field;
        }
        return fields;
    }

    /// <summary>
    /// Reads a CSV file with a header: the header's fields, then each non-blank row's 1-based line number and fields;
    /// a row with another number of fields is an error naming the line.
    /// </summary>
    public static (string[] Header, IEnumerable<(int Line, string[] Fields)> Rows) Csv(string path, string what)
    {
        var lines = IO.InputFile.ReadAllText(path, what).Split('\n');
        var header = Fields(lines[0].TrimEnd('\r'));
        return (header, Rows());

        IEnumerable<(int, string[])> Rows()
        {
            for (int l = 1; l < lines.Length; l++)
            {
                var line = lines[l].TrimEnd('\r');
                if (line.Trim().Length == 0) continue;
                var fields = Fields(line);
                if (fields.Length != header.Length)
                    throw new DataFormatException(path, l + 1, null, $"{fields.Length} fields where the header has {header.Length}.");
                yield return (l + 1, fields);
            }
        }
    }

    /// <summary>The index of column <paramref name="name"/> in <paramref name="header"/>; a missing one is an error with a suggestion.</summary>
    public static int Column(string[] header, string name, string path) => Array.IndexOf(header, name) is int i and >= 0 ? i
        : throw new DataFormatException(path, 1, name, $"the column is not in the header{DidYouMean(name, header)}; columns: {List(header)}.");

    /// <summary>Parses a finite number; NaN and infinities are not data.</summary>
    public static bool TryNumber(ReadOnlySpan<char> text, out double value) =>
        double.TryParse(text.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out value) && double.IsFinite(value);

    /// <summary>Parses <c>HH:MM</c> (hours may exceed 24) or a plain number of minutes.</summary>
    public static bool TryMinutes(ReadOnlySpan<char> text, out double minutes)
    {
        text = text.Trim();
        int colon = text.IndexOf(':');
        if (colon < 0) return TryNumber(text, out minutes) && minutes >= 0;
        minutes = 0;
        if (!int.TryParse(text[..colon], NumberStyles.None, CultureInfo.InvariantCulture, out int hours)
            || !int.TryParse(text[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out int mins)
            || mins >= 60 || colon + 3 != text.Length)
            return false;
        minutes = hours * 60.0 + mins;
        return true;
    }

    /// <summary>" (did you mean 'X'?)" for the closest candidate by edit distance, or "" when none is close.</summary>
    public static string DidYouMean(string name, IEnumerable<string> candidates)
    {
        string? best = null;
        int bestDistance = int.MaxValue;
        foreach (var candidate in candidates)
        {
            int distance = EditDistance(name.ToLowerInvariant(), candidate.ToLowerInvariant());
            if (distance < bestDistance) (best, bestDistance) = (candidate, distance);
        }
        return best is not null && bestDistance <= Math.Max(2, name.Length / 3) ? $" (did you mean '{best}'?)" : "";
    }

    /// <summary>The available names for a message: <c>'a', 'b', 'c'</c>.</summary>
    public static string List(IEnumerable<string> names) => string.Join(", ", names.Select(n => $"'{n}'"));

    private static int EditDistance(string a, string b)
    {
        var previous = Enumerable.Range(0, b.Length + 1).ToArray();
        var current = new int[b.Length + 1];
        for (int i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (int j = 1; j <= b.Length; j++)
                current[j] = Math.Min(Math.Min(current[j - 1], previous[j]) + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
            (previous, current) = (current, previous);
        }
        return previous[b.Length];
    }
}

/// <summary>Collects variables a source does not know: each once, with a count and the first place it was seen.</summary>
internal sealed class UnknownVariableLog(UnknownVariablePolicy policy)
{
    private readonly Dictionary<string, (int Count, string FirstSeen)> _seen = new(StringComparer.Ordinal);

    /// <summary>Notes one observation of <paramref name="name"/>; under <see cref="UnknownVariablePolicy.Error"/> throws instead.</summary>
    public void Note(string name, string file, int line, IEnumerable<string> known)
    {
        if (policy == UnknownVariablePolicy.Error)
            throw new DataFormatException(file, line, null,
                $"unknown variable '{name}'{SourceText.DidYouMean(name, known)}; known variables: {SourceText.List(known)}. Choose to ignore unknown variables to leave them out.");
        _seen[name] = _seen.TryGetValue(name, out var entry) ? (entry.Count + 1, entry.FirstSeen) : (1, $"{file}({line})");
    }

    /// <summary>The unknown variables by name.</summary>
    public UnknownVariable[] ToArray() =>
        _seen.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => new UnknownVariable(p.Key, p.Value.Count, p.Value.FirstSeen)).ToArray();
}

/// <summary>
/// A table of values per record read from a CSV with a header: an id column and numeric columns (an outcomes or
/// labels file). An empty cell is missing; anything else must be a finite number.
/// </summary>
internal sealed class OutcomeTable
{
    private OutcomeTable(string file, string[] columns, Dictionary<string, double?[]> rows)
    {
        File = file;
        Columns = columns;
        Rows = rows;
    }

    public string File { get; }

    /// <summary>The value columns (the id column excluded), in file order.</summary>
    public string[] Columns { get; }

    public Dictionary<string, double?[]> Rows { get; }

    public static OutcomeTable Load(string path, string idColumn, string what)
    {
        var (header, lines) = SourceText.Csv(path, what);
        int idIndex = SourceText.Column(header, idColumn, path);
        var columns = header.Where((_, i) => i != idIndex).ToArray();
        var rows = new Dictionary<string, double?[]>(StringComparer.Ordinal);
        foreach (var (line, fields) in lines)
        {
            string id = fields[idIndex];
            if (id.Length == 0) throw new DataFormatException(path, line, idColumn, "the record id is empty.");
            var values = new double?[columns.Length];
            for (int c = 0, f = 0; f < fields.Length; f++)
            {
                if (f == idIndex) continue;
                if (fields[f].Length == 0) values[c] = null;
                else if (SourceText.TryNumber(fields[f], out double value)) values[c] = value;
                else throw new DataFormatException(path, line, header[f], $"'{fields[f]}' is not a number.");
                c++;
            }
            if (!rows.TryAdd(id, values))
                throw new DataFormatException(path, line, idColumn, $"record '{id}' appears a second time.");
        }
        return new OutcomeTable(path, columns, rows);
    }

    /// <summary>The row of record <paramref name="id"/>; a record without one is an error naming both files.</summary>
    public double?[] For(string id, string recordSource) =>
        Rows.TryGetValue(id, out var row) ? row
            : throw new System.IO.InvalidDataException($"record '{id}' ({recordSource}) has no row in {File}; every record needs its outcomes.");
}
