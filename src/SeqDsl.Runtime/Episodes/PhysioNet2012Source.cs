using System;
using System.Collections.Generic;
using System.Formats.Tar;
using System.IO;
using System.IO.Compression;
using System.Linq;
using SeqDsl.Runtime.Data;

namespace SeqDsl.Runtime.Episodes;

/// <summary>How <see cref="PhysioNet2012Source"/> reads a set.</summary>
public sealed record PhysioNet2012Options
{
    /// <summary>What to do with a parameter that is neither a known variable nor a descriptor.</summary>
    public UnknownVariablePolicy UnknownVariables { get; init; } = UnknownVariablePolicy.Ignore;

    /// <summary>The value that means "not measured" (the challenge writes -1), for descriptors and variables alike.</summary>
    public double MissingSentinel { get; init; } = -1;
}

/// <summary>
/// Reads a PhysioNet/Computing in Cardiology Challenge 2012 set: one <c>Time,Parameter,Value</c> file per ICU stay
/// (<c>HH:MM</c> since admission), either inside the published <c>set-?.tar.gz</c> (read directly, not unpacked) or in a
/// folder, and the outcomes file (<c>RecordID,SAPS-I,SOFA,Length_of_stay,Survival,In-hospital_death</c>).
/// </summary>
/// <remarks>
/// Age, Gender, Height and ICUType are static descriptors; Weight is one when it is given at 00:00 before any other
/// Weight, and a time-varying variable afterwards. The sentinel (-1) is missing wherever it appears, outcomes
/// included (SAPS-I, SOFA and Length_of_stay have unrecorded values), except in <see cref="SurvivalColumn"/>.
/// </remarks>
public static class PhysioNet2012Source
{
    /// <summary>The challenge's 37 time-varying variables.</summary>
    public static readonly IReadOnlyList<string> Variables = EpisodeLayout.PhysioNet2012Variables;

    /// <summary>The static descriptors recorded at 00:00.</summary>
    public static readonly IReadOnlyList<string> StaticNames = EpisodeLayout.PhysioNet2012Statics;

    /// <summary>The id column of the outcomes file and the parameter that repeats it in each stay file.</summary>
    public const string RecordIdColumn = "RecordID";

    /// <summary>The outcome column whose -1 is a code ("survived to discharge"), not a missing value.</summary>
    public const string SurvivalColumn = "Survival";

    private const string WeightName = "Weight";

    /// <summary>
    /// Reads the stays from <paramref name="stays"/> (a <c>.tar.gz</c> archive or a folder of <c>.txt</c> files) and
    /// their outcomes from <paramref name="outcomesFile"/>.
    /// </summary>
    /// <exception cref="DataFormatException">A malformed line (named by file and line), or an unknown variable under <see cref="UnknownVariablePolicy.Error"/>.</exception>
    /// <exception cref="InvalidDataException">A stay has no outcome row, or the inputs are not where they should be.</exception>
    public static EpisodeSet Load(string stays, string outcomesFile, PhysioNet2012Options? options = null)
    {
        options ??= new PhysioNet2012Options();
        var outcomes = OutcomeTable.Load(outcomesFile, RecordIdColumn, "the outcomes file");
        var parser = new StayParser(options);
        var records = new List<EpisodeRecord>();
        foreach (var (name, text) in ReadStays(stays))
        {
            var (id, observations, statics) = parser.Parse(name, text);
            var values = outcomes.For(id, name).ToArray();
            for (int c = 0; c < values.Length; c++)
                if (values[c] == options.MissingSentinel && outcomes.Columns[c] != SurvivalColumn) values[c] = null;
            records.Add(new EpisodeRecord(id, observations, statics, values));
        }
        if (records.Count == 0)
            throw new InvalidDataException($"'{stays}' holds no stay files (*.txt).");
        return new EpisodeSet(stays, Variables, StaticNames, outcomes.Columns, records, parser.Unknown.ToArray());
    }

    /// <summary>Each stay file's name (archive path and entry, or file path) and text, in name order for a folder and archive order otherwise.</summary>
    private static IEnumerable<(string Name, string Text)> ReadStays(string stays)
    {
        if (Directory.Exists(stays))
        {
            foreach (var file in Directory.GetFiles(stays, "*.txt").Order(StringComparer.Ordinal))
                yield return (file, IO.InputFile.ReadAllText(file, "the stay file"));
            yield break;
        }
        IO.InputFile.Check(stays, "the stays archive");
        using var file2 = File.OpenRead(stays);
        using var gzip = new GZipStream(file2, CompressionMode.Decompress);
        using var tar = new TarReader(gzip);
        TarEntry? entry;
        while ((entry = NextEntry(tar, stays)) is not null)
        {
            if (entry.EntryType is not (TarEntryType.RegularFile or TarEntryType.V7RegularFile) || entry.DataStream is null
                || !entry.Name.EndsWith(".txt", StringComparison.Ordinal))
                continue;
            using var reader = new StreamReader(entry.DataStream);
            yield return ($"{stays}/{entry.Name}", reader.ReadToEnd());
        }
    }

    private static TarEntry? NextEntry(TarReader tar, string archive)
    {
        try
        {
            return tar.GetNextEntry();
        }
        catch (Exception e) when (e is InvalidDataException or FormatException or EndOfStreamException)
        {
            throw new InvalidDataException($"'{archive}' is not a readable .tar.gz archive: {e.Message}", e);
        }
    }

    /// <summary>Parses one stay file; keeps the variable look-up and the unknown-variable log across files.</summary>
    private sealed class StayParser(PhysioNet2012Options options)
    {
        private readonly Dictionary<string, int> _variables = Variables.Select((v, i) => (v, i)).ToDictionary(p => p.v, p => p.i, StringComparer.Ordinal);
        private readonly Dictionary<string, int> _statics = StaticNames.Select((v, i) => (v, i)).ToDictionary(p => p.v, p => p.i, StringComparer.Ordinal);

        public UnknownVariableLog Unknown { get; } = new(options.UnknownVariables);

        public (string Id, Observation[] Observations, double?[] Statics) Parse(string file, string text)
        {
            string? id = null;
            var statics = new double?[StaticNames.Count];
            var staticSeen = new bool[StaticNames.Count];
            var observations = new List<Observation>();
            int lineNumber = 0;
            foreach (var rawLine in text.AsSpan().EnumerateLines())
            {
                lineNumber++;
                var line = rawLine.Trim();
                if (line.IsEmpty || (lineNumber == 1 && line.SequenceEqual("Time,Parameter,Value"))) continue;
                int first = line.IndexOf(','), last = line.LastIndexOf(',');
                if (first < 0 || first == last)
                    throw new DataFormatException(file, lineNumber, null, $"'{line}' is not 'Time,Parameter,Value'.");
                var parameter = line[(first + 1)..last].Trim().ToString();
                if (!SourceText.TryMinutes(line[..first], out double minutes))
                    throw new DataFormatException(file, lineNumber, "Time", $"'{line[..first]}' is not a time HH:MM.");
                if (!SourceText.TryNumber(line[(last + 1)..], out double value))
                    throw new DataFormatException(file, lineNumber, "Value", $"'{line[(last + 1)..]}' is not a number for {parameter}.");
                if (parameter == RecordIdColumn)
                {
                    id = ((long)value).ToString(System.Globalization.CultureInfo.InvariantCulture);
                    continue;
                }
                bool missing = value == options.MissingSentinel;
                if (_statics.TryGetValue(parameter, out int s) && !staticSeen[s] && (parameter != WeightName || minutes == 0))
                {
                    staticSeen[s] = true;
                    statics[s] = missing ? null : value;
                    continue;
                }
                if (_variables.TryGetValue(parameter, out int v))
                {
                    if (!missing) observations.Add(new Observation((float)minutes, v, (float)value));
                }
                else if (!_statics.ContainsKey(parameter))
                    Unknown.Note(parameter, file, lineNumber, Variables.Concat(StaticNames).Distinct());
            }
            id ??= Path.GetFileNameWithoutExtension(file);
            // Files are written in time order; a stable sort keeps that order for equal times and fixes any that are not.
            var sorted = observations.ToArray();
            if (!IsSorted(sorted)) sorted = sorted.OrderBy(o => o.Minutes).ToArray();
            return (id, sorted, statics);
        }

        private static bool IsSorted(Observation[] observations)
        {
            for (int i = 1; i < observations.Length; i++)
                if (observations[i].Minutes < observations[i - 1].Minutes) return false;
            return true;
        }
    }
}
