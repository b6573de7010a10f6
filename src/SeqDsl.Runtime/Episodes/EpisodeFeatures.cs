using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
using System.Text.Json.Serialization;
using SeqDsl.Runtime.Experiments;
using SeqDsl.Runtime.IO;

namespace SeqDsl.Runtime.Episodes;

/// <summary>Records as fixed-length vectors (the baselines' inputs): one row per record, with ids and feature names.</summary>
/// <param name="Ids">Record ids, in the order transformed.</param>
/// <param name="Rows">Per record, its <see cref="Features"/> values.</param>
/// <param name="FeatureNames">The features, in row order.</param>
public sealed record FlatEpisodes(string[] Ids, float[][] Rows, string[] FeatureNames)
{
    /// <summary>Values per row.</summary>
    public int Features => FeatureNames.Length;
}

/// <summary>
/// The flat representations of the paper's baselines (logistic regression, MLP), fitted on training records only and
/// saved beside a checkpoint like <see cref="EpisodePreprocessor"/>, which it builds on:
/// <list type="bullet">
/// <item><see cref="EpisodeRepresentation.Summary"/>: per input variable, <see cref="EpisodeLayout.SummaryStatistics"/>
/// over the record's resampled steps (min, max, mean, population std, first and last of the observed step values in
/// raw units; the count of observed steps; unobserved steps / steps), then the static inputs; every feature then
/// standardized with the training records' mean and std.</item>
/// <item><see cref="EpisodeRepresentation.FirstLast"/>: the first and the last <see cref="FirstLastSteps"/> steps of
/// the preprocessor's sequence, flattened. These are already imputed and scaled by the preprocessor, so they are left
/// as they are: the representation differs from the sequence model's input only in which steps it keeps.</item>
/// </list>
/// </summary>
public sealed record EpisodeFeatureBuilder
{
    /// <summary>The JSON layout's version; <see cref="Load"/> refuses others.</summary>
    public const int CurrentFormat = 1;

    /// <summary>The JSON layout's version.</summary>
    public int Format { get; init; } = CurrentFormat;

    /// <summary><see cref="EpisodeRepresentation.Summary"/> or <see cref="EpisodeRepresentation.FirstLast"/>.</summary>
    public required EpisodeRepresentation Representation { get; init; }

    /// <summary>Steps at each end of <see cref="EpisodeRepresentation.FirstLast"/> (unused by the summary).</summary>
    public required int FirstLastSteps { get; init; }

    /// <summary>The fitted preprocessing whose variables, step grid, horizon and statics the features follow.</summary>
    public required EpisodePreprocessor Preprocessor { get; init; }

    /// <summary>The features, in row order.</summary>
    public required string[] FeatureNames { get; init; }

    /// <summary>
    /// Summary only: per feature, the training median over the records that observed its variable; a record that never
    /// observed a variable gets these for the variable's value statistics (empty for first-and-last).
    /// </summary>
    public required double[] Medians { get; init; }

    /// <summary>Per feature, its standardization by the training mean and std (1 where that is 0); the identity for first-and-last.</summary>
    public required ChannelScale[] Scales { get; init; }

    /// <summary>Values per row.</summary>
    [JsonIgnore]
    public int Features => FeatureNames.Length;

    /// <summary>
    /// Fits the <paramref name="representation"/> on the records <paramref name="training"/> of <paramref name="set"/>,
    /// on top of <paramref name="preprocessor"/> (fitted on the same training records).
    /// </summary>
    /// <exception cref="ArgumentException">The sequence representation, which is not flat.</exception>
    /// <exception cref="ArgumentOutOfRangeException">First-and-last with fewer than 1 step.</exception>
    /// <exception cref="InvalidDataException">No training record, a set without the preprocessor's variables, or an empty record the preprocessor refuses.</exception>
    public static EpisodeFeatureBuilder Fit(EpisodeRepresentation representation, int firstLastSteps,
        EpisodePreprocessor preprocessor, EpisodeSet set, IReadOnlyList<int> training)
    {
        ArgumentNullException.ThrowIfNull(preprocessor);
        ArgumentNullException.ThrowIfNull(set);
        ArgumentNullException.ThrowIfNull(training);
        if (training.Count == 0) throw new InvalidDataException("no training record to fit the flat features on.");
        switch (representation)
        {
            case EpisodeRepresentation.FirstLast:
                if (firstLastSteps < 1) throw new ArgumentOutOfRangeException(nameof(firstLastSteps), $"first-and-last needs at least 1 step at each end; got {firstLastSteps}.");
                var names = FirstLastNames(firstLastSteps, preprocessor.FeatureNames());
                return new EpisodeFeatureBuilder
                {
                    Representation = representation, FirstLastSteps = firstLastSteps, Preprocessor = preprocessor,
                    FeatureNames = names, Medians = Array.Empty<double>(),
                    Scales = names.Select(_ => new ChannelScale(0, 1)).ToArray(),
                };
            case EpisodeRepresentation.Summary:
                return FitSummary(firstLastSteps, preprocessor, set, training);
            default:
                throw new ArgumentException($"the {representation} representation is not a flat one; flat features are Summary or FirstLast.", nameof(representation));
        }
    }

    /// <summary>Builds the rows of the records <paramref name="records"/> of <paramref name="set"/> (all of them when null).</summary>
    /// <exception cref="InvalidDataException">The set lacks a fitted variable or descriptor, or has an empty record the preprocessor refuses.</exception>
    public FlatEpisodes Transform(EpisodeSet set, IReadOnlyList<int>? records = null)
    {
        ArgumentNullException.ThrowIfNull(set);
        records ??= Enumerable.Range(0, set.Records.Count).ToArray();
        var ids = records.Select(r => set.Records[r].Id).ToArray();
        if (Representation == EpisodeRepresentation.FirstLast)
        {
            var prepared = Preprocessor.Transform(set, records);
            return new FlatEpisodes(ids, prepared.Inputs.Select((input, i) => FirstLastRow(input, prepared.Lengths[i], prepared.Features)).ToArray(), FeatureNames);
        }
        var raw = RawSummaries(Preprocessor, set, records);
        var rows = raw.Select(row =>
        {
            var output = new float[row.Length];
            for (int f = 0; f < row.Length; f++) output[f] = Scales[f].Apply(double.IsNaN(row[f]) ? Medians[f] : row[f]);
            return output;
        }).ToArray();
        return new FlatEpisodes(ids, rows, FeatureNames);
    }

    /// <summary>Writes the fitted builder, with its preprocessing, as indented JSON (atomically).</summary>
    public void Save(string path) => AtomicFile.WriteText(path, JsonSerializer.Serialize(this, Json));

    /// <summary>Reads a builder written by <see cref="Save"/>.</summary>
    /// <exception cref="InvalidDataException">The file is not such JSON, has another format version or lists that do not match its layout; the message names the file.</exception>
    public static EpisodeFeatureBuilder Load(string path)
    {
        var loaded = JsonFile.Read<EpisodeFeatureBuilder>(path, "the flat features file", "a flat features file", Json);
        if (loaded.Format != CurrentFormat) throw new InvalidDataException($"{path}: flat features format {loaded.Format}; this runtime reads format {CurrentFormat}.");
        if (loaded.Preprocessor is null || loaded.FeatureNames is null || loaded.Medians is null || loaded.Scales is null)
            throw new InvalidDataException($"{path}: the flat features file lacks its preprocessing, feature names, medians or scales.");
        var p = loaded.Preprocessor;
        int expected = loaded.Representation switch
        {
            EpisodeRepresentation.Summary => EpisodeLayout.SummaryFeatures(p.Variables.Length, p.Statics.Length),
            EpisodeRepresentation.FirstLast when loaded.FirstLastSteps >= 1 => EpisodeLayout.FirstLastFeatures(loaded.FirstLastSteps, p.FeatureNames().Length),
            _ => -1,
        };
        int medians = loaded.Representation == EpisodeRepresentation.Summary ? expected : 0;
        if (expected < 0 || loaded.FeatureNames.Length != expected || loaded.Scales.Length != expected || loaded.Medians.Length != medians
            || loaded.Scales.Any(c => c is null || !(c.Scale > 0) || !double.IsFinite(c.Offset)) || loaded.Medians.Any(m => !double.IsFinite(m)))
            throw new InvalidDataException($"{path}: the {loaded.Representation} features' lists do not match {expected} features of the preprocessing, or a scale is not positive.");
        return loaded;
    }

    /// <summary>The leading statistics of <see cref="EpisodeLayout.SummaryStatistics"/> that summarize observed values (min … last), as opposed to count and missing fraction.</summary>
    private const int ValueStatistics = 6;

    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true, Converters = { new JsonStringEnumConverter() } };

    private static EpisodeFeatureBuilder FitSummary(int firstLastSteps, EpisodePreprocessor preprocessor, EpisodeSet set, IReadOnlyList<int> training)
    {
        var raw = RawSummaries(preprocessor, set, training);
        var names = preprocessor.Variables.SelectMany(v => EpisodeLayout.SummaryStatistics.Select(s => $"{v} {s}"))
            .Concat(preprocessor.Statics.Select(s => $"{s} (static)")).ToArray();
        int features = names.Length;
        var medians = new double[features];
        var scales = new ChannelScale[features];
        for (int f = 0; f < features; f++)
        {
            // NaN marks a value statistic of a variable the record never observed: it takes no part in the median.
            medians[f] = EpisodePreprocessor.Median(raw.Select(row => row[f]).Where(x => !double.IsNaN(x)).ToList());
            var values = raw.Select(row => double.IsNaN(row[f]) ? medians[f] : row[f]).ToArray();
            double mean = values.Average();
            double std = Math.Sqrt(values.Sum(x => (x - mean) * (x - mean)) / values.Length);
            scales[f] = new ChannelScale(mean, std > 0 ? std : 1);
        }
        return new EpisodeFeatureBuilder
        {
            Representation = EpisodeRepresentation.Summary, FirstLastSteps = firstLastSteps, Preprocessor = preprocessor,
            FeatureNames = names, Medians = medians, Scales = scales,
        };
    }

    /// <summary>
    /// The summary features of each record in raw units, before standardization; NaN where a variable was never
    /// observed in the record (its value statistics: min, max, mean, std, first, last).
    /// </summary>
    private static double[][] RawSummaries(EpisodePreprocessor preprocessor, EpisodeSet set, IReadOnlyList<int> records)
    {
        var map = preprocessor.VariableMap(set);
        var staticMap = preprocessor.StaticMap(set);
        var grids = records.Select(r => preprocessor.BuildGrid(set.Records[r], map)).ToArray();
        preprocessor.CheckEmpty(grids, records.Select(r => set.Records[r].Id));
        int vCount = preprocessor.Variables.Length, stats = EpisodeLayout.SummaryStatistics.Length;
        int features = EpisodeLayout.SummaryFeatures(vCount, preprocessor.Statics.Length);
        var rows = new double[grids.Length][];
        for (int i = 0; i < grids.Length; i++)
        {
            var grid = grids[i];
            // A record kept as one imputed step (no observation at all) has one step, with nothing observed.
            int steps = Math.Max(grid.Length, 1);
            var row = new double[features];
            for (int v = 0; v < vCount; v++)
            {
                var observed = new List<double>();
                for (int s = 0; s < grid.Length; s++)
                    if (grid.Observed[s * vCount + v]) observed.Add(grid.Values[s * vCount + v]);
                int at = v * stats;
                if (observed.Count == 0)
                {
                    for (int k = 0; k < ValueStatistics; k++) row[at + k] = double.NaN;
                }
                else
                {
                    double mean = observed.Average();
                    row[at] = observed.Min();
                    row[at + 1] = observed.Max();
                    row[at + 2] = mean;
                    row[at + 3] = Math.Sqrt(observed.Sum(x => (x - mean) * (x - mean)) / observed.Count);
                    row[at + 4] = observed[0];
                    row[at + 5] = observed[^1];
                }
                row[at + 6] = observed.Count;
                row[at + 7] = (steps - observed.Count) / (double)steps;
            }
            for (int s = 0; s < preprocessor.Statics.Length; s++)
                row[vCount * stats + s] = preprocessor.StaticValue(set.Records[records[i]], staticMap, s) ?? preprocessor.StaticMedians[s];
            rows[i] = row;
        }
        return rows;
    }

    /// <summary>Names of the first block ("step 1: HR" …) then the last block ("step -k: HR" … "step -1: HR", -1 the last step).</summary>
    private static string[] FirstLastNames(int steps, string[] channels) =>
        Enumerable.Range(1, steps).SelectMany(s => channels.Select(c => $"step {s}: {c}"))
            .Concat(Enumerable.Range(0, steps).SelectMany(s => channels.Select(c => $"step -{steps - s}: {c}")))
            .ToArray();

    /// <summary>
    /// The first and the last k steps of one (length, features) block. A record shorter than k repeats its last real
    /// step to fill the first block and its first real step to fill the last block: padding zeros would look like
    /// data (0 is a scaled value, and an indicator saying "not observed"), while a repeated step only says that
    /// nothing changed, as forward filling does.
    /// </summary>
    private float[] FirstLastRow(float[] input, int length, int features)
    {
        int k = FirstLastSteps;
        var row = new float[2 * k * features];
        for (int s = 0; s < k; s++)
        {
            Array.Copy(input, Math.Min(s, length - 1) * features, row, s * features, features);
            Array.Copy(input, Math.Max(length - k + s, 0) * features, row, (k + s) * features, features);
        }
        return row;
    }
}
