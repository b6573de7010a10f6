using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;

namespace SeqDsl.Generator.Helpers;

internal static class Text
{
    /// <summary>snake_case or kebab-case to PascalCase: "gru_1" → "Gru1", "weather-gru" → "WeatherGru".</summary>
    public static string ToPascalCase(string value)
    {
        var builder = new StringBuilder(value.Length);
        bool upper = true;
        foreach (char c in value)
        {
            if (c == '_' || c == '-' || c == ' ' || c == '.')
            {
                upper = true;
                continue;
            }
            builder.Append(upper ? char.ToUpperInvariant(c) : c);
            upper = false;
        }
        return builder.ToString();
    }

    /// <summary>PascalCase to snake_case, the inverse of <see cref="ToPascalCase"/> for a spec word: "MinMax" → "min_max", "FirstLast" → "first_last".</summary>
    public static string ToSnakeCase(string value)
    {
        var builder = new StringBuilder(value.Length + 4);
        for (int i = 0; i < value.Length; i++)
        {
            char c = value[i];
            if (char.IsUpper(c) && i > 0) builder.Append('_');
            builder.Append(char.ToLowerInvariant(c));
        }
        return builder.ToString();
    }

    public static bool IsIdentifier(string value, bool allowDots = false)
    {
        if (value.Length == 0) return false;
        bool start = true;
        foreach (char c in value)
        {
            if (allowDots && c == '.' && !start) { start = true; continue; }
            bool ok = start ? (char.IsLetter(c) || c == '_') : (char.IsLetterOrDigit(c) || c == '_');
            if (!ok) return false;
            start = false;
        }
        return !start;
    }

    public static string Format(long value) => value.ToString("N0", CultureInfo.InvariantCulture);

    public static string FormatDouble(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    /// <summary>"a", "a and b", "a, b and c": a list as a sentence names it.</summary>
    public static string JoinWords(IReadOnlyList<string> words)
        => words.Count <= 1 ? string.Join("", words) : string.Join(", ", words.Take(words.Count - 1)) + " and " + words[words.Count - 1];

    /// <summary>The candidate closest to <paramref name="value"/> by edit distance, if it is close enough to be a typo.</summary>
    public static string? ClosestMatch(string value, IEnumerable<string> candidates)
    {
        const int MaxTypoDistance = 3;
        string? best = null;
        int bestDistance = int.MaxValue;
        string lower = value.ToLowerInvariant();
        foreach (var candidate in candidates)
        {
            // The distance is at least the difference in length: skipping those keeps a huge value from costing length².
            if (Math.Abs(lower.Length - candidate.Length) > MaxTypoDistance) continue;
            int distance = EditDistance(lower, candidate.ToLowerInvariant()); // case-blind both ways: ICUTyp suggests ICUType
            if (distance < bestDistance)
            {
                best = candidate;
                bestDistance = distance;
            }
        }
        return best is not null && bestDistance <= Math.Max(1, Math.Min(MaxTypoDistance, best.Length / 3)) ? best : null;
    }

    private static int EditDistance(string a, string b)
    {
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (int j = 0; j <= b.Length; j++) previous[j] = j;
        for (int i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (int j = 1; j <= b.Length; j++)
            {
                int cost = a[i - 1] == b[j - 1] ? 0 : 1;
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
            }
            (previous, current) = (current, previous);
        }
        return previous[b.Length];
    }

    /// <summary>A stable (process-independent) hash, for names that must not change between builds.</summary>
    public static string StableHash(string value)
    {
        uint hash = 2166136261;
        foreach (char c in value)
        {
            hash ^= c;
            hash *= 16777619;
        }
        return hash.ToString("x8", CultureInfo.InvariantCulture);
    }
}
