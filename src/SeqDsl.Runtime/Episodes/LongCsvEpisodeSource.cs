using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using SeqDsl.Runtime.Data;

namespace SeqDsl.Runtime.Episodes;

/// <summary>The columns and choices of a long-format episodes CSV and its labels CSV.</summary>
public sealed record LongCsvEpisodeOptions
{
    /// <summary>The record id column (in both files).</summary>
    public string RecordColumn { get; init; } = "record";

    /// <summary>The time column: minutes since the start of the episode, or <c>HH:MM</c>.</summary>
    public string TimeColumn { get; init; } = "time";

    /// <summary>The variable-name column.</summary>
    public string VariableColumn { get; init; } = "variable";

    /// <summary>The value column; an empty cell is missing.</summary>
    public string ValueColumn { get; init; } = "value";

    /// <summary>The time-varying variables, in channel order; null takes every variable in the file except the statics, by name.</summary>
    public IReadOnlyList<string>? Variables { get; init; }

    /// <summary>Variables that are static descriptors (their first value is kept).</summary>
    public IReadOnlyList<string> Statics { get; init; } = Array.Empty<string>();

    /// <summary>What to do with a variable outside <see cref="Variables"/> (only when that list is given).</summary>
    public UnknownVariablePolicy UnknownVariables { get; init; } = UnknownVariablePolicy.Ignore;

    /// <summary>A value that means "not measured", or null when every number is data.</summary>
    public double? MissingSentinel { get; init; }
}

/// <summary>
/// Reads episodes from a long-format CSV (one row per observation: record id, time, variable, value, in any order) and
/// their labels and outcomes from a second CSV with one row per record (the id column, then numeric columns).
/// </summary>
public static class LongCsvEpisodeSource
{
    /// <summary>Reads both files; every record of the observations file needs a row in the labels file.</summary>
    /// <exception cref="DataFormatException">A missing column, a bad time or value (by file and line), or an unknown variable under <see cref="UnknownVariablePolicy.Error"/>.</exception>
    /// <exception cref="InvalidDataException">A record has no labels row, or a file is empty.</exception>
    public static EpisodeSet Load(string observationsFile, string labelsFile, LongCsvEpisodeOptions? options = null)
    {
        options ??= new LongCsvEpisodeOptions();
        var labels = OutcomeTable.Load(labelsFile, options.RecordColumn, "the labels file");
        var (header, lines) = SourceText.Csv(observationsFile, "the observations file");
        int Column(string name) => SourceText.Column(header, name, observationsFile);
        int recordAt = Column(options.RecordColumn), timeAt = Column(options.TimeColumn),
            variableAt = Column(options.VariableColumn), valueAt = Column(options.ValueColumn);

        var rows = new List<(string Record, double Minutes, string Variable, double? Value, int Line)>();
        foreach (var (line, fields) in lines)
        {
            if (fields[recordAt].Length == 0) throw new DataFormatException(observationsFile, line, options.RecordColumn, "the record id is empty.");
            if (!SourceText.TryMinutes(fields[timeAt], out double minutes))
                throw new DataFormatException(observationsFile, line, options.TimeColumn, $"'{fields[timeAt]}' is not a time (minutes, or HH:MM).");
            double? value = null;
            if (fields[valueAt].Length > 0)
            {
                if (!SourceText.TryNumber(fields[valueAt], out double number))
                    throw new DataFormatException(observationsFile, line, options.ValueColumn, $"'{fields[valueAt]}' is not a number.");
                if (number != options.MissingSentinel) value = number;
            }
            rows.Add((fields[recordAt], minutes, fields[variableAt], value, line));
        }

        var statics = options.Statics.ToArray();
        var variables = options.Variables?.ToArray()
            ?? rows.Select(r => r.Variable).Where(v => !statics.Contains(v)).Distinct().Order(StringComparer.Ordinal).ToArray();
        var variableIndex = variables.Select((v, i) => (v, i)).ToDictionary(p => p.v, p => p.i, StringComparer.Ordinal);
        var unknown = new UnknownVariableLog(options.UnknownVariables);

        var records = new List<EpisodeRecord>();
        foreach (var group in rows.GroupBy(r => r.Record, StringComparer.Ordinal))
        {
            var staticValues = new double?[statics.Length];
            var staticSeen = new bool[statics.Length];
            var observations = new List<Observation>();
            foreach (var row in group)
            {
                int s = Array.IndexOf(statics, row.Variable);
                if (s >= 0)
                {
                    if (!staticSeen[s]) (staticSeen[s], staticValues[s]) = (true, row.Value);
                }
                else if (variableIndex.TryGetValue(row.Variable, out int v))
                {
                    if (row.Value is double value) observations.Add(new Observation((float)row.Minutes, v, (float)value));
                }
                else unknown.Note(row.Variable, observationsFile, row.Line, variables.Concat(statics));
            }
            records.Add(new EpisodeRecord(group.Key, observations.OrderBy(o => o.Minutes).ToArray(), staticValues,
                labels.For(group.Key, observationsFile)));
        }
        if (records.Count == 0) throw new InvalidDataException($"'{observationsFile}' has no observations.");
        return new EpisodeSet(observationsFile, variables, statics, labels.Columns, records, unknown.ToArray());
    }
}
