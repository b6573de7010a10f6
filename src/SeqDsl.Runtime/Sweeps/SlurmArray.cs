using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;

namespace SeqDsl.Runtime.Sweeps;

/// <summary>
/// Slurm's job-array index lists (<c>--array=0-3,5</c>): writing a set of run indices compactly and reading the lists
/// Slurm prints back (<c>0-3,5</c> from scontrol, <c>[4-6%2]</c> from sacct, <c>1-9:2</c> with a step).
/// </summary>
public static class SlurmArray
{
    /// <summary>The indices as Slurm's list: sorted, duplicates dropped, runs of consecutive indices as ranges (<c>0-3,5</c>).</summary>
    /// <exception cref="ArgumentException">No index, or a negative one.</exception>
    public static string Compress(IEnumerable<int> indices)
    {
        var sorted = indices.Distinct().Order().ToArray();
        if (sorted.Length == 0) throw new ArgumentException("A job array needs at least one index.", nameof(indices));
        if (sorted[0] < 0) throw new ArgumentException($"Array index {sorted[0]} is negative; run indices start at 0.", nameof(indices));
        var text = new StringBuilder();
        for (int start = 0; start < sorted.Length;)
        {
            int end = start;
            while (end + 1 < sorted.Length && sorted[end + 1] == sorted[end] + 1) end++;
            if (text.Length > 0) text.Append(',');
            text.Append(sorted[start].ToString(CultureInfo.InvariantCulture));
            if (end > start) text.Append('-').Append(sorted[end].ToString(CultureInfo.InvariantCulture));
            start = end + 1;
        }
        return text.ToString();
    }

    /// <summary>
    /// The indices of a Slurm array list, ascending: <c>0-3,5</c>, <c>[0-3,5]</c>, a step (<c>1-9:2</c>) and a
    /// concurrency limit (<c>%2</c>, ignored) are understood.
    /// </summary>
    /// <exception cref="FormatException">Not such a list; the message quotes it.</exception>
    public static IReadOnlyList<int> Expand(string list)
    {
        ArgumentNullException.ThrowIfNull(list);
        string body = list.Trim();
        if (body.StartsWith('[') && body.EndsWith(']')) body = body[1..^1];
        int limit = body.IndexOf('%');
        if (limit >= 0) body = body[..limit];
        var indices = new SortedSet<int>();
        foreach (string part in body.Split(','))
        {
            string range = part, step = "1";
            int colon = part.IndexOf(':');
            if (colon >= 0) (range, step) = (part[..colon], part[(colon + 1)..]);
            int dash = range.IndexOf('-');
            int first = Number(dash < 0 ? range : range[..dash], list);
            int last = dash < 0 ? first : Number(range[(dash + 1)..], list);
            int stride = Number(step, list);
            if (last < first || stride < 1) throw new FormatException($"'{list}' is not a Slurm array index list (range '{part}').");
            for (long i = first; i <= last; i += stride) indices.Add((int)i);
        }
        return indices.ToArray();
    }

    private static int Number(string text, string list) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int value)
            ? value
            : throw new FormatException($"'{list}' is not a Slurm array index list ('{text}' is not an index).");
}
