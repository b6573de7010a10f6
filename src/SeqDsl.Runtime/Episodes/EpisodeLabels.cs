using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;

namespace SeqDsl.Runtime.Episodes;

/// <summary>How a label's 0/1 value comes from its column.</summary>
public enum LabelRule
{
    /// <summary>The column already holds 0 or 1.</summary>
    AsIs,

    /// <summary>1 where the value is below the threshold (Length_of_stay &lt; 3).</summary>
    Below,

    /// <summary>1 where the value is at least the threshold.</summary>
    AtLeast,

    /// <summary>1 where the value is one of the listed values (ICUType in 2, 4).</summary>
    In,
}

/// <summary>One binary label: its name, the outcome column or static descriptor it comes from, and the rule.</summary>
/// <param name="Name">The label's name in reports.</param>
/// <param name="Column">An outcome column or a static descriptor of the set.</param>
/// <param name="Rule">How the column's value becomes 0 or 1.</param>
/// <param name="Threshold">The threshold of <see cref="LabelRule.Below"/> and <see cref="LabelRule.AtLeast"/>.</param>
/// <param name="Values">The values of <see cref="LabelRule.In"/>.</param>
/// <param name="Auxiliary">Trained on as an auxiliary output, never scored.</param>
/// <param name="MissingAs">The label (0 or 1) of a record whose value is missing; null: such a record is an error.</param>
public sealed record LabelDefinition(string Name, string Column, LabelRule Rule = LabelRule.AsIs, double Threshold = 0,
    IReadOnlyList<double>? Values = null, bool Auxiliary = false, float? MissingAs = null)
{
    /// <summary>What the rule says, for messages and reports: <c>Length_of_stay &lt; 3</c>.</summary>
    public string Describe() => Rule switch
    {
        LabelRule.AsIs => Column,
        LabelRule.Below => $"{Column} < {Threshold}",
        LabelRule.AtLeast => $"{Column} >= {Threshold}",
        _ => $"{Column} in [{string.Join(", ", Values ?? Array.Empty<double>())}]",
    };

    internal double Apply(double value) => Rule switch
    {
        LabelRule.AsIs => value,
        LabelRule.Below => value < Threshold ? 1 : 0,
        LabelRule.AtLeast => value >= Threshold ? 1 : 0,
        _ => (Values ?? Array.Empty<double>()).Contains(value) ? 1 : 0,
    };
}

/// <summary>Ready-made label definitions.</summary>
public static class EpisodeLabelSets
{
    /// <summary>
    /// The four labels used on PhysioNet 2012 in the literature (Che et al. 2018): in-hospital death, length of stay
    /// under 3 days, surgical recovery (ICUType 2 or 4) and cardiac condition (ICUType 1 or 2). ICUType is then not
    /// an input. A stay whose length was not recorded (-1; 60 of set A's 4,000, none of whom died) counts as not short.
    /// </summary>
    public static readonly IReadOnlyList<LabelDefinition> PhysioNet2012 = new LabelDefinition[]
    {
        new("in_hospital_death", "In-hospital_death"),
        new("length_of_stay_under_3", "Length_of_stay", LabelRule.Below, Threshold: 3, MissingAs: 0),
        new("surgical_recovery", "ICUType", LabelRule.In, Values: new double[] { 2, 4 }),
        new("cardiac_condition", "ICUType", LabelRule.In, Values: new double[] { 1, 2 }),
    };
}

/// <summary>
/// The labels of every record of a set as a (records, labels) matrix of 0/1, scored labels first and auxiliary labels
/// after them, with the static descriptors that labels were derived from (these must not be inputs).
/// </summary>
public sealed class EpisodeLabels
{
    private EpisodeLabels(string[] names, int scoredCount, float[] values, string[] derivedFrom)
    {
        Names = names;
        ScoredCount = scoredCount;
        Values = values;
        DerivedFromStatics = derivedFrom;
    }

    /// <summary>Label names: the scored labels, then the auxiliary ones.</summary>
    public IReadOnlyList<string> Names { get; }

    /// <summary>How many of <see cref="Names"/> are scored; the rest are auxiliary.</summary>
    public int ScoredCount { get; }

    /// <summary>Row-major (records, <see cref="Names"/>) matrix of 0 and 1.</summary>
    public float[] Values { get; }

    /// <summary>Static descriptors a label was derived from; preprocessing leaves them out of the inputs.</summary>
    public IReadOnlyList<string> DerivedFromStatics { get; }

    /// <summary>Label <paramref name="label"/> of record <paramref name="record"/>.</summary>
    public float this[int record, int label] => Values[record * Names.Count + label];

    /// <summary>
    /// Computes the labels of every record of <paramref name="set"/>. Auxiliary definitions may be listed anywhere; they
    /// come after the scored ones.
    /// </summary>
    /// <exception cref="InvalidDataException">
    /// No scored label, a repeated name, a column the set does not have (with a suggestion), a time-varying variable as
    /// a column, a record whose value is missing, or an as-is column with a value other than 0 and 1.
    /// </exception>
    public static EpisodeLabels Resolve(EpisodeSet set, IReadOnlyList<LabelDefinition> definitions)
    {
        var ordered = definitions.Where(d => !d.Auxiliary).Concat(definitions.Where(d => d.Auxiliary)).ToArray();
        int scored = definitions.Count(d => !d.Auxiliary);
        if (scored == 0) throw new InvalidDataException("no scored label: at least one label must not be auxiliary.");
        if (ordered.GroupBy(d => d.Name).FirstOrDefault(g => g.Count() > 1) is { } repeated)
            throw new InvalidDataException($"the label name '{repeated.Key}' is used twice.");

        var readers = new Func<EpisodeRecord, double?>[ordered.Length];
        var derivedFrom = new List<string>();
        var columns = set.OutcomeNames.Concat(set.StaticNames).ToArray();
        for (int l = 0; l < ordered.Length; l++)
        {
            var definition = ordered[l];
            int outcome = IndexOf(set.OutcomeNames, definition.Column), stat = IndexOf(set.StaticNames, definition.Column);
            if (outcome >= 0) readers[l] = r => r.Outcomes[outcome];
            else if (stat >= 0)
            {
                readers[l] = r => r.Statics[stat];
                if (!derivedFrom.Contains(definition.Column)) derivedFrom.Add(definition.Column);
            }
            else if (set.Variables.Contains(definition.Column))
                throw new InvalidDataException($"label '{definition.Name}': '{definition.Column}' is a time-varying variable of {set.SourceName}; labels come from outcome columns or static descriptors ({SourceText.List(columns)}).");
            else
                throw new InvalidDataException($"label '{definition.Name}': {set.SourceName} has no column '{definition.Column}'{SourceText.DidYouMean(definition.Column, columns)}; outcome columns and static descriptors: {SourceText.List(columns)}.");
        }

        var values = new float[set.Records.Count * ordered.Length];
        for (int r = 0; r < set.Records.Count; r++)
        {
            var record = set.Records[r];
            for (int l = 0; l < ordered.Length; l++)
            {
                var definition = ordered[l];
                double? value = readers[l](record);
                if (value is null && definition.MissingAs is null)
                    throw new InvalidDataException($"label '{definition.Name}': record '{record.Id}' of {set.SourceName} has no value for '{definition.Column}' (say which label a missing value gives, or leave such records out).");
                double label = value is double known ? definition.Apply(known) : definition.MissingAs!.Value;
                if (label is not (0 or 1))
                    throw new InvalidDataException($"label '{definition.Name}': record '{record.Id}' has {definition.Column} = {value}; an as-is label needs 0 or 1 (derive it with a threshold or a value list).");
                values[r * ordered.Length + l] = (float)label;
            }
        }
        return new EpisodeLabels(ordered.Select(d => d.Name).ToArray(), scored, values, derivedFrom.ToArray());
    }

    /// <summary>Labels that have only one class among <paramref name="records"/> (a split), which cannot be trained or scored.</summary>
    public IReadOnlyList<string> SingleClassLabels(IReadOnlyList<int> records)
    {
        var result = new List<string>();
        for (int l = 0; l < Names.Count; l++)
        {
            bool positive = false, negative = false;
            foreach (int r in records)
                if (this[r, l] == 1) positive = true; else negative = true;
            if (!(positive && negative)) result.Add(Names[l]);
        }
        return result;
    }

    /// <summary>The fraction of positives of each label among <paramref name="records"/>.</summary>
    public double[] Prevalence(IReadOnlyList<int> records) =>
        Enumerable.Range(0, Names.Count).Select(l => records.Count == 0 ? 0 : records.Average(r => (double)this[r, l])).ToArray();

    private static int IndexOf(IReadOnlyList<string> names, string name)
    {
        for (int i = 0; i < names.Count; i++) if (names[i] == name) return i;
        return -1;
    }
}
