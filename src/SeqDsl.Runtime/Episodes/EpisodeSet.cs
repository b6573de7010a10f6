using System;
using System.Collections.Generic;
using System.Linq;

namespace SeqDsl.Runtime.Episodes;

/// <summary>One measurement of a time-varying variable: minutes since admission, the variable's index in <see cref="EpisodeSet.Variables"/>, the value.</summary>
/// <param name="Minutes">Time since the start of the episode, in minutes.</param>
/// <param name="Variable">Index into <see cref="EpisodeSet.Variables"/>.</param>
/// <param name="Value">The measured value (never a missing-value sentinel).</param>
public readonly record struct Observation(float Minutes, int Variable, float Value);

/// <summary>One episode (an ICU stay): irregular observations, static descriptors and outcome values.</summary>
/// <param name="Id">The record's identifier (PhysioNet's RecordID).</param>
/// <param name="Observations">Time-varying measurements, ordered by time.</param>
/// <param name="Statics">Static descriptors by <see cref="EpisodeSet.StaticNames"/> index; null where missing.</param>
/// <param name="Outcomes">Outcome values by <see cref="EpisodeSet.OutcomeNames"/> index; null where missing.</param>
public sealed record EpisodeRecord(string Id, Observation[] Observations, double?[] Statics, double?[] Outcomes);

/// <summary>A variable that a source met but does not know, kept out of the set; listed once with where it was first seen.</summary>
/// <param name="Name">The variable's name as written.</param>
/// <param name="Count">How many observations of it were left out.</param>
/// <param name="FirstSeen">The first place it appeared, as <c>file(line)</c>.</param>
public sealed record UnknownVariable(string Name, int Count, string FirstSeen);

/// <summary>What a source does with a variable it does not know.</summary>
public enum UnknownVariablePolicy
{
    /// <summary>Leave its observations out and list it once in <see cref="EpisodeSet.UnknownVariables"/>.</summary>
    Ignore,

    /// <summary>Stop at its first observation with a message naming the file, line and variable.</summary>
    Error,
}

/// <summary>
/// An in-memory set of episodes: variable-length, irregularly sampled, multivariate records with static descriptors
/// and outcomes. Sources (<see cref="PhysioNet2012Source"/>, <see cref="LongCsvEpisodeSource"/>,
/// <see cref="SyntheticIcu"/>) build it; labels, splits and preprocessing read it.
/// </summary>
public sealed class EpisodeSet
{
    /// <summary>Creates a set; the name lists index the records' observation, static and outcome arrays.</summary>
    public EpisodeSet(string sourceName, IReadOnlyList<string> variables, IReadOnlyList<string> staticNames,
        IReadOnlyList<string> outcomeNames, IReadOnlyList<EpisodeRecord> records, IReadOnlyList<UnknownVariable>? unknownVariables = null)
    {
        SourceName = sourceName;
        Variables = variables;
        StaticNames = staticNames;
        OutcomeNames = outcomeNames;
        Records = records;
        UnknownVariables = unknownVariables ?? Array.Empty<UnknownVariable>();
        foreach (var record in records)
        {
            if (record.Statics.Length != staticNames.Count || record.Outcomes.Length != outcomeNames.Count)
                throw new ArgumentException($"record {record.Id} has {record.Statics.Length} statics and {record.Outcomes.Length} outcomes; the set names {staticNames.Count} and {outcomeNames.Count}.");
        }
    }

    /// <summary>Where the set came from (a path or the generator's name), as messages name it.</summary>
    public string SourceName { get; }

    /// <summary>Names of the time-varying variables.</summary>
    public IReadOnlyList<string> Variables { get; }

    /// <summary>Names of the static descriptors (PhysioNet: Age, Gender, Height, ICUType, Weight).</summary>
    public IReadOnlyList<string> StaticNames { get; }

    /// <summary>Names of the outcome columns.</summary>
    public IReadOnlyList<string> OutcomeNames { get; }

    /// <summary>The records, in the source's order.</summary>
    public IReadOnlyList<EpisodeRecord> Records { get; }

    /// <summary>Variables the source met but left out, each listed once.</summary>
    public IReadOnlyList<UnknownVariable> UnknownVariables { get; }

    /// <summary>The records at <paramref name="indices"/>, as a set with the same names.</summary>
    public EpisodeSet Subset(IEnumerable<int> indices) =>
        new(SourceName, Variables, StaticNames, OutcomeNames, indices.Select(i => Records[i]).ToArray(), UnknownVariables);
}
