using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
using System.Text.Json.Serialization;
using SeqDsl.Runtime.IO;

namespace SeqDsl.Runtime.Episodes;

/// <summary>How the observations that fall into one time step are combined.</summary>
public enum StepAggregate
{
    /// <summary>Their mean (the paper's hourly means).</summary>
    Mean,

    /// <summary>The last of them.</summary>
    Last,

    /// <summary>The smallest.</summary>
    Min,

    /// <summary>The largest.</summary>
    Max,
}

/// <summary>How a step without an observation gets a value.</summary>
public enum Imputation
{
    /// <summary>The record's last observed value; before the first one, the training median.</summary>
    ForwardFillThenMedian,

    /// <summary>The training median.</summary>
    Median,
}

/// <summary>How each input channel is rescaled, with statistics from the training records.</summary>
public enum Scaling
{
    /// <summary>Left as is.</summary>
    None,

    /// <summary>To [0, 1] by the training minimum and maximum (values beyond them, in other sets, fall outside).</summary>
    MinMax,

    /// <summary>To zero mean and unit standard deviation.</summary>
    Standardize,
}

/// <summary>What to do with a record that has no observation of an input variable within the horizon.</summary>
public enum EmptyEpisodePolicy
{
    /// <summary>Stop with a message naming the records.</summary>
    Error,

    /// <summary>Keep it as one step of imputed values (its static descriptors may still inform).</summary>
    KeepOneStep,
}

/// <summary>The preprocessing choices; <see cref="EpisodePreprocessor.Fit"/> turns them into a fitted <see cref="EpisodePreprocessor"/>.</summary>
public sealed record EpisodePreprocessingOptions
{
    /// <summary>The step length in minutes (60: hourly).</summary>
    public double IntervalMinutes { get; init; } = 60;

    /// <summary>How the observations of a step are combined.</summary>
    public StepAggregate Aggregate { get; init; } = StepAggregate.Mean;

    /// <summary>Only observations up to this time are used (2,880: the first 48 hours); null keeps all.</summary>
    public double? HorizonMinutes { get; init; }

    /// <summary>The most steps a record keeps (its first ones); null: no limit.</summary>
    public int? MaxSteps { get; init; }

    /// <summary>How steps without an observation are filled.</summary>
    public Imputation Imputation { get; init; } = Imputation.ForwardFillThenMedian;

    /// <summary>
    /// Clips each variable's and static descriptor's values to the training quantiles q and 1 − q before anything is
    /// fitted or scaled (0.005: the 0.5th and 99.5th percentiles), so a few implausible readings (a heart rate of 0, a
    /// height of 13 cm) neither stretch min-max scaling nor reach the model as extreme inputs; null keeps every value.
    /// </summary>
    public double? ClipQuantile { get; init; }

    /// <summary>Adds a channel per variable that is 1 where the step had an observation (Lipton et al. 2016).</summary>
    public bool MissingIndicators { get; init; }

    /// <summary>Adds a channel per variable with the hours since its last observation (Che et al.'s delta).</summary>
    public bool TimeSinceObserved { get; init; }

    /// <summary>How value, delta and static channels are rescaled (indicators stay 0/1).</summary>
    public Scaling Scaling { get; init; } = Scaling.MinMax;

    /// <summary>Adds the static descriptors (except those a label comes from) as channels repeated at every step.</summary>
    public bool StaticInputs { get; init; }

    /// <summary>The variables and static descriptors used; null: all of them.</summary>
    public IReadOnlyList<string>? Include { get; init; }

    /// <summary>Variables and static descriptors left out.</summary>
    public IReadOnlyList<string> Exclude { get; init; } = Array.Empty<string>();

    /// <summary>What a record without observations becomes.</summary>
    public EmptyEpisodePolicy EmptyEpisodes { get; init; } = EmptyEpisodePolicy.Error;
}

/// <summary>A channel's clipping bounds: values below <paramref name="Low"/> or above <paramref name="High"/> are set to them.</summary>
/// <param name="Low">The training quantile q.</param>
/// <param name="High">The training quantile 1 − q.</param>
public sealed record ChannelBounds(double Low, double High)
{
    internal double Clip(double value) => Math.Clamp(value, Low, High);

    /// <summary>The q and 1 − q quantiles of <paramref name="values"/> (linear interpolation, as numpy's default); unbounded when there are none.</summary>
    internal static ChannelBounds Fit(List<double> values, double q)
    {
        if (values.Count == 0) return new ChannelBounds(double.NegativeInfinity, double.PositiveInfinity);
        var sorted = values.Order().ToArray();
        double At(double p)
        {
            double position = p * (sorted.Length - 1);
            int below = (int)Math.Floor(position);
            int above = Math.Min(below + 1, sorted.Length - 1);
            return sorted[below] + (position - below) * (sorted[above] - sorted[below]);
        }
        return new ChannelBounds(At(q), At(1 - q));
    }
}

/// <summary>A channel's affine rescaling: <c>(x - Offset) / Scale</c>.</summary>
/// <param name="Offset">Subtracted first (the minimum or the mean).</param>
/// <param name="Scale">Divided by next (the range or the standard deviation; 1 where that is 0).</param>
public sealed record ChannelScale(double Offset, double Scale)
{
    internal float Apply(double value) => (float)((value - Offset) / Scale);
}

/// <summary>Records as model inputs: each a (length, features) row-major block, with ids and feature names.</summary>
/// <param name="Ids">Record ids, in the order transformed.</param>
/// <param name="Inputs">Per record, its <c>length × Features</c> values.</param>
/// <param name="Lengths">Per record, its number of real steps (at least 1).</param>
/// <param name="FeatureNames">The channels: values, then indicators, deltas and statics as chosen.</param>
public sealed record PreparedEpisodes(string[] Ids, float[][] Inputs, int[] Lengths, string[] FeatureNames)
{
    /// <summary>Channels per step.</summary>
    public int Features => FeatureNames.Length;

    /// <summary>The longest record's steps.</summary>
    public int MaxLength => Lengths.Length == 0 ? 0 : Lengths.Max();
}

/// <summary>
/// Preprocessing fitted on training records only: resampling to fixed steps with an aggregate, a horizon cut or a
/// maximum length, imputation, missingness-indicator and time-since-observed channels, scaling, static descriptors.
/// Saved as JSON beside a checkpoint, it prepares any other set of the same variables (external validation) exactly as
/// it prepared the training set.
/// </summary>
public sealed record EpisodePreprocessor
{
    /// <summary>The JSON layout's version; <see cref="Load"/> refuses others.</summary>
    public const int CurrentFormat = 1;

    /// <summary>The JSON layout's version.</summary>
    public int Format { get; init; } = CurrentFormat;

    /// <summary>The choices it was fitted with.</summary>
    public required EpisodePreprocessingOptions Options { get; init; }

    /// <summary>The time-varying input variables, in channel order.</summary>
    public required string[] Variables { get; init; }

    /// <summary>The static descriptors used as inputs, in channel order.</summary>
    public required string[] Statics { get; init; }

    /// <summary>Training median of each variable's step values (0 for one never observed in training).</summary>
    public required double[] Medians { get; init; }

    /// <summary>Training median of each static descriptor.</summary>
    public required double[] StaticMedians { get; init; }

    /// <summary>Rescaling of each variable's value channel.</summary>
    public required ChannelScale[] ValueScales { get; init; }

    /// <summary>Rescaling of each variable's time-since-observed channel (hours).</summary>
    public required ChannelScale[] DeltaScales { get; init; }

    /// <summary>Rescaling of each static channel.</summary>
    public required ChannelScale[] StaticScales { get; init; }

    /// <summary>Each variable's clipping bounds from the training quantiles (<see cref="EpisodePreprocessingOptions.ClipQuantile"/>); null: no clipping.</summary>
    public ChannelBounds[]? ValueBounds { get; init; }

    /// <summary>Each static descriptor's clipping bounds; null: no clipping.</summary>
    public ChannelBounds[]? StaticBounds { get; init; }

    /// <summary>The channel names, in order.</summary>
    public string[] FeatureNames() =>
        Variables
            .Concat(Options.MissingIndicators ? Variables.Select(v => $"{v} (observed)") : Array.Empty<string>())
            .Concat(Options.TimeSinceObserved ? Variables.Select(v => $"{v} (hours since observed)") : Array.Empty<string>())
            .Concat(Statics.Select(s => $"{s} (static)"))
            .ToArray();

    /// <summary>
    /// Fits the preprocessing on the records <paramref name="training"/> of <paramref name="set"/>, leaving out the
    /// static descriptors in <paramref name="labelSources"/> (those labels were derived from).
    /// </summary>
    /// <exception cref="InvalidDataException">An included or excluded name the set does not have, no input left, no training record, or an empty record under <see cref="EmptyEpisodePolicy.Error"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A step interval, horizon or maximum length that is not positive.</exception>
    public static EpisodePreprocessor Fit(EpisodeSet set, IReadOnlyList<int> training, EpisodePreprocessingOptions options,
        IReadOnlyList<string>? labelSources = null)
    {
        if (!(options.IntervalMinutes > 0)) throw new ArgumentOutOfRangeException(nameof(options), $"the step interval must be positive minutes; got {options.IntervalMinutes}.");
        if (options.HorizonMinutes is double h && !(h > 0)) throw new ArgumentOutOfRangeException(nameof(options), $"the horizon must be positive minutes; got {h}.");
        if (options.MaxSteps is int m && m < 1) throw new ArgumentOutOfRangeException(nameof(options), $"the maximum length must be at least 1 step; got {m}.");
        if (training.Count == 0) throw new InvalidDataException("no training record to fit the preprocessing on.");

        var all = set.Variables.Concat(set.StaticNames).ToArray();
        foreach (var name in (options.Include ?? Array.Empty<string>()).Concat(options.Exclude))
            if (!all.Contains(name))
                throw new InvalidDataException($"{set.SourceName} has no variable '{name}'{SourceText.DidYouMean(name, all)}; variables and static descriptors: {SourceText.List(all)}.");
        var variables = EpisodeLayout.InputVariables(set.Variables, options.Include, options.Exclude);
        var statics = EpisodeLayout.InputStatics(set.StaticNames, options.StaticInputs, options.Include, options.Exclude, labelSources ?? Array.Empty<string>());
        if (variables.Length == 0) throw new InvalidDataException($"no time-varying input variable is left of {set.SourceName}'s {SourceText.List(set.Variables)}.");

        var draft = new EpisodePreprocessor
        {
            Options = options, Variables = variables, Statics = statics,
            Medians = new double[variables.Length], StaticMedians = new double[statics.Length],
            ValueScales = Identity(variables.Length), DeltaScales = Identity(variables.Length), StaticScales = Identity(statics.Length),
        };
        if (options.ClipQuantile is double q && !(q >= 0 && q < 0.5))
            throw new ArgumentOutOfRangeException(nameof(options), $"the clipping quantile must be in [0, 0.5); got {q}.");
        var map = draft.VariableMap(set);
        var staticMap = draft.StaticMap(set);
        if (options.ClipQuantile is double quantile)
        {
            // Bounds from the raw training values first; the grids below are then built clipped, as Transform builds them.
            var rawGrids = training.Select(r => draft.BuildGrid(set.Records[r], map)).ToArray();
            draft.CheckEmpty(rawGrids, training.Select(r => set.Records[r].Id));
            draft = draft with
            {
                ValueBounds = ObservedValues(rawGrids, variables.Length).Select(values => ChannelBounds.Fit(values, quantile)).ToArray(),
                StaticBounds = statics.Select((_, i) => ChannelBounds.Fit(training.Select(r => set.Records[r].Statics[staticMap[i]]).OfType<double>().ToList(), quantile)).ToArray(),
            };
        }
        var grids = training.Select(r => draft.BuildGrid(set.Records[r], map)).ToArray();
        draft.CheckEmpty(grids, training.Select(r => set.Records[r].Id));
        var observed = ObservedValues(grids, variables.Length);
        var medians = observed.Select(Median).ToArray();
        var staticValues = statics.Select((_, i) => training.Select(r => draft.StaticValue(set.Records[r], staticMap, i)).OfType<double>().ToList()).ToArray();
        var fitted = draft with
        {
            Medians = medians,
            StaticMedians = staticValues.Select(Median).ToArray(),
            ValueScales = observed.Select(values => FitScale(values, options.Scaling)).ToArray(),
            StaticScales = staticValues.Select(values => FitScale(values, options.Scaling)).ToArray(),
        };
        if (options.TimeSinceObserved)
        {
            var deltas = Enumerable.Range(0, variables.Length).Select(_ => new List<double>()).ToArray();
            foreach (var grid in grids)
            {
                var delta = fitted.Deltas(grid, grid.Length);
                for (int i = 0; i < delta.Length; i++) deltas[i % variables.Length].Add(delta[i]);
            }
            fitted = fitted with { DeltaScales = deltas.Select(values => FitScale(values, options.Scaling)).ToArray() };
        }
        return fitted;
    }

    /// <summary>Prepares the records <paramref name="records"/> of <paramref name="set"/> (all of them when null).</summary>
    /// <exception cref="InvalidDataException">The set lacks a fitted variable or descriptor, or has an empty record under <see cref="EmptyEpisodePolicy.Error"/>.</exception>
    public PreparedEpisodes Transform(EpisodeSet set, IReadOnlyList<int>? records = null)
    {
        records ??= Enumerable.Range(0, set.Records.Count).ToArray();
        var map = VariableMap(set);
        var staticMap = StaticMap(set);
        var grids = records.Select(r => BuildGrid(set.Records[r], map)).ToArray();
        CheckEmpty(grids, records.Select(r => set.Records[r].Id));
        var names = FeatureNames();
        int features = names.Length, vCount = Variables.Length;
        var inputs = new float[grids.Length][];
        var lengths = new int[grids.Length];
        for (int i = 0; i < grids.Length; i++)
        {
            var grid = grids[i];
            int length = Math.Max(grid.Length, 1);
            var output = new float[length * features];
            var deltas = Options.TimeSinceObserved ? Deltas(grid, length) : null;
            var staticValues = Statics.Select((_, s) => StaticScales[s].Apply(StaticValue(set.Records[records[i]], staticMap, s) ?? StaticMedians[s])).ToArray();
            var carried = (double[])Medians.Clone();
            for (int step = 0; step < length; step++)
            {
                int row = step * features;
                for (int v = 0; v < vCount; v++)
                {
                    bool seen = step < grid.Length && grid.Observed[step * vCount + v];
                    double value = seen ? grid.Values[step * vCount + v]
                        : Options.Imputation == Imputation.ForwardFillThenMedian ? carried[v] : Medians[v];
                    if (seen) carried[v] = value;
                    output[row + v] = ValueScales[v].Apply(value);
                    int channel = vCount;
                    if (Options.MissingIndicators) { output[row + channel + v] = seen ? 1 : 0; channel += vCount; }
                    if (deltas is not null) output[row + channel + v] = DeltaScales[v].Apply(deltas[step * vCount + v]);
                }
                staticValues.CopyTo(output, row + features - staticValues.Length);
            }
            inputs[i] = output;
            lengths[i] = length;
        }
        return new PreparedEpisodes(records.Select(r => set.Records[r].Id).ToArray(), inputs, lengths, names);
    }

    /// <summary>Writes the fitted preprocessing as indented JSON (atomically).</summary>
    public void Save(string path) => AtomicFile.WriteText(path, JsonSerializer.Serialize(this, Json));

    /// <summary>Reads a preprocessing written by <see cref="Save"/>.</summary>
    /// <exception cref="InvalidDataException">The file is not such JSON, has another format version or inconsistent lists; the message names the file.</exception>
    public static EpisodePreprocessor Load(string path)
    {
        var loaded = JsonFile.Read<EpisodePreprocessor>(path, "the preprocessing file", "a preprocessing file", Json);
        if (loaded.Format != CurrentFormat) throw new InvalidDataException($"{path}: preprocessing format {loaded.Format}; this runtime reads format {CurrentFormat}.");
        int v = loaded.Variables.Length, s = loaded.Statics.Length;
        if (v == 0 || loaded.Medians.Length != v || loaded.ValueScales.Length != v || loaded.DeltaScales.Length != v
            || loaded.StaticMedians.Length != s || loaded.StaticScales.Length != s
            || loaded.ValueScales.Concat(loaded.DeltaScales).Concat(loaded.StaticScales).Any(c => c is null || !(c.Scale > 0) || !double.IsFinite(c.Offset))
            || !(loaded.Options.IntervalMinutes > 0))
            throw new InvalidDataException($"{path}: the preprocessing's lists do not match its {v} variables and {s} statics, or a scale is not positive.");
        return loaded;
    }

    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true, Converters = { new JsonStringEnumConverter() } };

    /// <summary>One record's observations on the step grid: aggregated values and whether each (step, variable) was observed.</summary>
    internal sealed record Grid(int Length, double[] Values, bool[] Observed);

    /// <summary>Resamples one record onto the step grid (internal: <see cref="EpisodeFeatureBuilder"/> summarizes the same grid).</summary>
    internal Grid BuildGrid(EpisodeRecord record, int[] map)
    {
        int vCount = Variables.Length;
        double interval = Options.IntervalMinutes;
        int? cap = Options.MaxSteps;
        if (Options.HorizonMinutes is double horizon)
        {
            int horizonSteps = Math.Max(1, (int)Math.Ceiling(horizon / interval));
            cap = Math.Min(cap ?? int.MaxValue, horizonSteps);
        }
        int length = 0;
        foreach (var o in record.Observations)
            if (map[o.Variable] >= 0 && Step(o.Minutes) is int s && s >= 0) length = Math.Max(length, s + 1);
        var sums = new double[length * vCount];
        var counts = new int[length * vCount];
        foreach (var o in record.Observations)
        {
            int v = map[o.Variable];
            if (v < 0 || Step(o.Minutes) is not int s || s < 0) continue;
            int at = s * vCount + v;
            sums[at] = counts[at] == 0 ? o.Value : Options.Aggregate switch
            {
                StepAggregate.Mean => sums[at] + o.Value,
                StepAggregate.Last => o.Value,
                StepAggregate.Min => Math.Min(sums[at], o.Value),
                _ => Math.Max(sums[at], o.Value),
            };
            counts[at]++;
        }
        var observed = new bool[counts.Length];
        for (int i = 0; i < counts.Length; i++)
        {
            observed[i] = counts[i] > 0;
            if (Options.Aggregate == StepAggregate.Mean && counts[i] > 1) sums[i] /= counts[i];
            if (observed[i] && ValueBounds is { } bounds) sums[i] = bounds[i % vCount].Clip(sums[i]);
        }
        return new Grid(length, sums, observed);

        // The step of an observation, or null past the horizon or the maximum length. An observation exactly at the
        // horizon (PhysioNet's 48:00) belongs to the last step.
        int? Step(float minutes)
        {
            if (Options.HorizonMinutes is double horizon && minutes > horizon) return null;
            int step = (int)(minutes / interval);
            if (Options.HorizonMinutes is double h2 && minutes == h2 && step > 0 && step * interval >= h2) step--;
            return cap is int c && step >= c ? null : step;
        }
    }

    /// <summary>
    /// Hours since each variable was last observed, per (step, variable) for <paramref name="length"/> steps (beyond the
    /// grid, as for an empty record kept as one step, nothing is observed); before its first observation, hours since the start.
    /// </summary>
    private double[] Deltas(Grid grid, int length)
    {
        int vCount = Variables.Length;
        double hours = Options.IntervalMinutes / 60;
        var deltas = new double[length * vCount];
        for (int v = 0; v < vCount; v++)
        {
            int last = -1;
            for (int s = 0; s < length; s++)
            {
                if (s < grid.Length && grid.Observed[s * vCount + v]) last = s;
                deltas[s * vCount + v] = last < 0 ? (s + 1) * hours : (s - last) * hours;
            }
        }
        return deltas;
    }

    internal void CheckEmpty(Grid[] grids, IEnumerable<string> ids)
    {
        if (Options.EmptyEpisodes != EmptyEpisodePolicy.Error) return;
        var empty = grids.Zip(ids).Where(p => p.First.Length == 0).Select(p => p.Second).ToArray();
        if (empty.Length > 0)
            throw new InvalidDataException($"{empty.Length} record(s) have no observation of an input variable{(Options.HorizonMinutes is double h ? $" within the first {h} minutes" : "")}: {SourceText.List(empty.Take(10))}{(empty.Length > 10 ? ", …" : "")}. Keep them as one imputed step (episodes.preprocessing.empty_episodes: keep_one_step) or leave them out of the data.");
    }

    /// <summary>For each of the set's variables, its input index here, or -1 when it is not an input.</summary>
    internal int[] VariableMap(EpisodeSet set)
    {
        var map = Enumerable.Repeat(-1, set.Variables.Count).ToArray();
        for (int v = 0; v < Variables.Length; v++)
        {
            int at = IndexOf(set.Variables, Variables[v]);
            if (at < 0) throw new InvalidDataException($"{set.SourceName} has no variable '{Variables[v]}', which the preprocessing was fitted with; its variables: {SourceText.List(set.Variables)}.");
            map[at] = v;
        }
        return map;
    }

    /// <summary>For each static input, its index among the set's static descriptors.</summary>
    internal int[] StaticMap(EpisodeSet set) =>
        Statics.Select(s => IndexOf(set.StaticNames, s) is int i and >= 0 ? i
            : throw new InvalidDataException($"{set.SourceName} has no static descriptor '{s}', which the preprocessing was fitted with; its descriptors: {SourceText.List(set.StaticNames)}.")).ToArray();

    private static int IndexOf(IReadOnlyList<string> names, string name)
    {
        for (int i = 0; i < names.Count; i++) if (names[i] == name) return i;
        return -1;
    }

    private static ChannelScale[] Identity(int count) => Enumerable.Range(0, count).Select(_ => new ChannelScale(0, 1)).ToArray();

    /// <summary>Static descriptor <paramref name="s"/> (channel order) of a record, clipped to its training bounds; null when not recorded.</summary>
    internal double? StaticValue(EpisodeRecord record, int[] staticMap, int s) =>
        record.Statics[staticMap[s]] is double value ? StaticBounds is { } bounds ? bounds[s].Clip(value) : value : null;

    private static List<double>[] ObservedValues(Grid[] grids, int vCount)
    {
        var observed = Enumerable.Range(0, vCount).Select(_ => new List<double>()).ToArray();
        foreach (var grid in grids)
            for (int s = 0; s < grid.Length; s++)
                for (int v = 0; v < vCount; v++)
                    if (grid.Observed[s * vCount + v]) observed[v].Add(grid.Values[s * vCount + v]);
        return observed;
    }

    /// <summary>The median of <paramref name="values"/> (sorted in place); 0 for none.</summary>
    internal static double Median(List<double> values)
    {
        if (values.Count == 0) return 0;
        values.Sort();
        int mid = values.Count / 2;
        return values.Count % 2 == 1 ? values[mid] : (values[mid - 1] + values[mid]) / 2;
    }

    /// <summary>The channel's rescaling from training values; a constant or never-observed channel is only shifted.</summary>
    private static ChannelScale FitScale(List<double> values, Scaling scaling)
    {
        if (scaling == Scaling.None || values.Count == 0) return new ChannelScale(0, 1);
        if (scaling == Scaling.MinMax)
        {
            double min = values.Min(), range = values.Max() - min;
            return new ChannelScale(min, range > 0 ? range : 1);
        }
        double mean = values.Average();
        double std = Math.Sqrt(values.Sum(x => (x - mean) * (x - mean)) / values.Count);
        return new ChannelScale(mean, std > 0 ? std : 1);
    }
}
