using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using SeqDsl.Runtime.IO;

namespace SeqDsl.Runtime.Experiments;

/// <summary>
/// predictions.csv of an episodes run: the model's probability of each scored label for every validation and test record
/// (<c>split,record,&lt;label&gt;…</c>). Other runs read it to ensemble with this model without loading its weights.
/// </summary>
internal sealed class EpisodePredictions
{
    /// <summary>The file's name in a run folder.</summary>
    public const string FileName = "predictions.csv";

    private const string ValidationSplit = "validation";
    private const string TestSplit = "test";

    public EpisodePredictions(IReadOnlyList<string> labels, IReadOnlyList<string> validationIds, double[] validation, IReadOnlyList<string> testIds, double[] test)
    {
        Labels = labels;
        ValidationIds = validationIds;
        Validation = validation;
        TestIds = testIds;
        Test = test;
    }

    /// <summary>The scored labels, in column order.</summary>
    public IReadOnlyList<string> Labels { get; }

    /// <summary>Validation record ids, in row order.</summary>
    public IReadOnlyList<string> ValidationIds { get; }

    /// <summary>Validation probabilities, row-major (records, labels).</summary>
    public double[] Validation { get; }

    /// <summary>Test record ids, in row order.</summary>
    public IReadOnlyList<string> TestIds { get; }

    /// <summary>Test probabilities, row-major (records, labels).</summary>
    public double[] Test { get; }

    /// <summary>Writes the file atomically; probabilities round-trip exactly.</summary>
    public void Save(string folder)
    {
        var text = new StringBuilder();
        // Fields go unquoted, as SourceText.Fields reads them back (the sources read their ids the same way); a name
        // that would not read back is refused here rather than written into a file nobody can ensemble with.
        text.Append("split,record,").AppendJoin(',', Labels.Select(l => Field(l, "label"))).Append('\n');
        AppendRows(text, ValidationSplit, ValidationIds, Validation);
        AppendRows(text, TestSplit, TestIds, Test);
        AtomicFile.WriteText(Path.Combine(folder, FileName), text.ToString());
    }

    /// <summary>Reads a file written by <see cref="Save"/>.</summary>
    /// <exception cref="InvalidDataException">The file is missing or malformed; the message names the file and line.</exception>
    public static EpisodePredictions Load(string path)
    {
        if (!File.Exists(path)) throw new InvalidDataException($"{path} does not exist.");
        var lines = File.ReadAllLines(path);
        if (lines.Length == 0 || !lines[0].StartsWith("split,record,", StringComparison.Ordinal))
            throw new InvalidDataException($"{path}(1): not a predictions file: the header must start with 'split,record,'.");
        var labels = Episodes.SourceText.Fields(lines[0]).Skip(2).ToArray();
        var ids = new Dictionary<string, List<string>> { [ValidationSplit] = new(), [TestSplit] = new() };
        var values = new Dictionary<string, List<double>> { [ValidationSplit] = new(), [TestSplit] = new() };
        for (int i = 1; i < lines.Length; i++)
        {
            if (lines[i].Length == 0) continue;
            var fields = Episodes.SourceText.Fields(lines[i]);
            if (fields.Length != labels.Length + 2 || !ids.ContainsKey(fields[0]))
                throw new InvalidDataException($"{path}({i + 1}): expected 'validation' or 'test', a record id and {labels.Length} probabilities.");
            ids[fields[0]].Add(fields[1]);
            foreach (var field in fields.Skip(2))
                values[fields[0]].Add(double.TryParse(field, NumberStyles.Float, CultureInfo.InvariantCulture, out double p) && p >= 0 && p <= 1
                    ? p : throw new InvalidDataException($"{path}({i + 1}): '{field}' is not a probability."));
        }
        return new EpisodePredictions(labels, ids[ValidationSplit], values[ValidationSplit].ToArray(), ids[TestSplit], values[TestSplit].ToArray());
    }

    /// <summary>Why <paramref name="other"/> cannot be combined with these predictions (other labels or records); null when it can.</summary>
    public string? Mismatch(EpisodePredictions other) =>
        !other.Labels.SequenceEqual(Labels) ? $"it scores the labels {string.Join(", ", other.Labels)}, this run {string.Join(", ", Labels)}"
        : !other.ValidationIds.SequenceEqual(ValidationIds) ? "its validation records differ from this run's"
        : !other.TestIds.SequenceEqual(TestIds) ? "its test records differ from this run's"
        : null;

    /// <summary>Element-wise combination of probability matrices of the same shape (mean, max or log-odds mean of each entry over the members).</summary>
    public static double[] Combine(IReadOnlyList<double[]> members, Func<IEnumerable<double>, double> combine) =>
        Enumerable.Range(0, members[0].Length).Select(i => combine(members.Select(m => m[i]))).ToArray();

    /// <summary>
    /// The mean of the members' log-odds, back as a probability (the normalized geometric mean of their odds): members
    /// whose probabilities are calibrated to different spreads (Platt-scaled trees, a network's sigmoid) weigh by how
    /// far each is from even odds rather than by its scale. Each log-odds is clipped to ±<see cref="MaxLogOdds"/>, so
    /// that a saturated 0 or 1 counts as a large finite log-odds: never an infinity, nor NaN when a 0 meets a 1.
    /// </summary>
    public static double LogOddsMean(IEnumerable<double> probabilities)
    {
        double sum = 0;
        int count = 0;
        foreach (double p in probabilities)
        {
            sum += Math.Clamp(Math.Log(p / (1 - p)), -MaxLogOdds, MaxLogOdds);
            count++;
        }
        if (count == 0) throw new ArgumentException("The log-odds mean needs at least one probability.", nameof(probabilities));
        return 1 / (1 + Math.Exp(-sum / count));
    }

    /// <summary>The largest log-odds a member counts with: odds of 10^15 (clipped symmetrically, so that 0 and 1 cancel).</summary>
    private const double MaxLogOdds = 34.538776394910684; // ln(1e15)

    private static string Field(string value, string what) =>
        value.IndexOfAny(new[] { ',', '"', '\n', '\r' }) < 0 ? value
            : throw new ExperimentException($"{FileName}: the {what} '{value}' holds a comma, quote or line break, which a comma-separated file cannot keep as one field.");

    private void AppendRows(StringBuilder text, string split, IReadOnlyList<string> ids, double[] probabilities)
    {
        for (int r = 0; r < ids.Count; r++)
        {
            text.Append(split).Append(',').Append(Field(ids[r], "record id"));
            for (int l = 0; l < Labels.Count; l++)
                text.Append(',').Append(probabilities[r * Labels.Count + l].ToString("R", CultureInfo.InvariantCulture));
            text.Append('\n');
        }
    }
}
