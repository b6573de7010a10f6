using System.Collections.Generic;
using System.Globalization;
using SeqDsl.Generator.Catalog;
using SeqDsl.Generator.Diagnostics;
using SeqDsl.Generator.Model;

namespace SeqDsl.Generator.Parsing;

/// <summary>
/// The experiment sections as the parser read them: flat key paths ("data.window.lookback") to normalized
/// values, absent keys reading as the catalog's defaults. Only <see cref="ExperimentBinder"/> reads them,
/// turning them into typed <see cref="ExperimentSettings"/>.
/// </summary>
internal sealed class SettingValues
{
    private readonly IReadOnlyList<OptionValue> _values;

    public SettingValues(IReadOnlyList<OptionValue> values) => _values = values;

    public double[] Numbers(string path) => Raw(path) is { } raw
        ? System.Array.ConvertAll(raw.Split(','), v => double.Parse(v, NumberStyles.Float, CultureInfo.InvariantCulture))
        : System.Array.Empty<double>();

    public OptionValue? Find(string path)
    {
        foreach (var value in _values)
            if (value.Key == path) return value;
        return null;
    }

    public bool Has(string path) => Find(path) is not null;

    public string? Raw(string path) => Find(path)?.Value ?? SpecCatalog.FindByPath(path, p => Find(p)?.Value)?.Default;

    public long Int(string path) => long.Parse(Raw(path)!, CultureInfo.InvariantCulture);

    public double Number(string path) => double.Parse(Raw(path)!, NumberStyles.Float, CultureInfo.InvariantCulture);

    public bool Bool(string path) => Raw(path) == "true";

    public string[] List(string path) => Raw(path) is { } raw ? DecodeList(raw) : System.Array.Empty<string>();

    /// <summary>The plain word a columns option takes for every column; an encoded list always holds a ':', so the two never meet.</summary>
    public const string AllColumns = "all";

    /// <summary>A columns option: its names, or null for <see cref="AllColumns"/>.</summary>
    public string[]? Columns(string path) => Raw(path) == AllColumns ? null : List(path);

    /// <summary>
    /// A list value as one string: each item as its length, ':' and its text. Any character may occur in an
    /// item (YAML escapes can produce every one), so no separator character would be safe.
    /// </summary>
    public static string EncodeList(System.Collections.Generic.IEnumerable<string> items)
    {
        var builder = new System.Text.StringBuilder();
        foreach (var item in items)
            builder.Append(item.Length.ToString(CultureInfo.InvariantCulture)).Append(':').Append(item);
        return builder.ToString();
    }

    private static string[] DecodeList(string encoded)
    {
        var items = new System.Collections.Generic.List<string>();
        for (int i = 0; i < encoded.Length;)
        {
            int colon = encoded.IndexOf(':', i);
            int length = int.Parse(encoded.Substring(i, colon - i), CultureInfo.InvariantCulture);
            items.Add(encoded.Substring(colon + 1, length));
            i = colon + 1 + length;
        }
        return items.ToArray();
    }

    /// <summary>A split as [min_index, max_index]; max null for 'end'.</summary>
    public SplitRange? Split(string path, SourceSpan fallback)
    {
        if (Raw(path) is not { } raw) return null;
        var parts = raw.Split(',');
        return new SplitRange(long.Parse(parts[0], CultureInfo.InvariantCulture), parts[1] == "end" ? null : long.Parse(parts[1], CultureInfo.InvariantCulture), SpanOf(path, fallback));
    }

    public SourceSpan SpanOf(string path, SourceSpan fallback) => Find(path)?.Span ?? fallback;

    /// <summary>
    /// The entries of an entry list (labels) in the spec's order: each one's name at its key path
    /// ('episodes.labels.0'), under which its options lie ('episodes.labels.0.column').
    /// </summary>
    public IReadOnlyList<OptionValue> Entries(string path)
    {
        var entries = new List<OptionValue>();
        string prefix = path + ".";
        foreach (var value in _values)
        {
            if (value.Key.Length > prefix.Length && value.Key.StartsWith(prefix, System.StringComparison.Ordinal)
                && IsDigits(value.Key.Substring(prefix.Length)))
                entries.Add(value);
        }
        return entries;
    }

    private static bool IsDigits(string text)
    {
        foreach (char c in text)
            if (c < '0' || c > '9') return false;
        return true;
    }
}
