using System;
using System.Collections.Generic;
using System.Linq;

namespace SeqDsl.Runtime.Episodes;

/// <summary>Size and seed of a <see cref="SyntheticIcu"/> set.</summary>
public sealed record SyntheticIcuOptions
{
    /// <summary>How many episodes.</summary>
    public int Records { get; init; } = 2000;

    /// <summary>The shortest episode, in hours.</summary>
    public double MinHours { get; init; } = 12;

    /// <summary>The longest episode, in hours (three weeks by default).</summary>
    public double MaxHours { get; init; } = 21 * 24;

    /// <summary>The seed: the same options give the same set on every machine.</summary>
    public int Seed { get; init; } = 1;
}

/// <summary>
/// A deterministic ICU-like episode set in the shape of Lipton et al.'s data, so that the diagnosis task runs offline:
/// their vitals and labs (diastolic, systolic and mean blood pressure, capillary refill, end-tidal CO2, FiO2, Glasgow
/// coma scale, glucose, heart rate, pH, respiratory rate, SpO2, temperature, urine output), each sampled at its own
/// irregular rate, episodes of 12 hours to three weeks, and twelve binary labels driven by latent conditions.
/// </summary>
/// <remarks>
/// A condition begins at some point of the episode and moves its variables over six hours, so the labels are
/// learnable from the series but not from any single step. Missingness is informative, as in real wards: a variable
/// that matters for a condition is measured more often once it is present (glucose for ketoacidosis, GCS for coma),
/// and end-tidal CO2 is measured almost only under ventilation. Labels are outcome columns with values 0 and 1, and
/// <c>length_of_stay_days</c> is a numeric outcome for derived or auxiliary labels.
/// </remarks>
public static class SyntheticIcu
{
    /// <summary>The generated source's name.</summary>
    public const string SourceName = "synthetic-icu";

    /// <summary>The time-varying variables, in channel order.</summary>
    public static readonly IReadOnlyList<string> Variables = EpisodeLayout.SyntheticIcuVariables;

    /// <summary>The static descriptors.</summary>
    public static readonly IReadOnlyList<string> StaticNames = EpisodeLayout.SyntheticIcuStatics;

    /// <summary>The twelve binary labels, then the numeric length of stay.</summary>
    public static readonly IReadOnlyList<string> OutcomeNames = EpisodeLayout.SyntheticIcuOutcomes;

    private enum C { Sepsis, Shock, RespiratoryFailure, Ketoacidosis, Coma, HeartFailure, RenalFailure, Hypertension, Hypothermia, Arrhythmia, Acidosis }

    private const int ConditionCount = 11;

    /// <summary>A variable: its normal level and noise, its sampling interval in hours (when well and under a condition that watches it), and the conditions' shifts.</summary>
    private sealed record VariableSpec(string Name, double Normal, double Noise, double Interval, double WatchedInterval,
        (C Condition, double Shift)[] Effects, C[] WatchedBy, double Min, double Max);

    private static VariableSpec[] VariableTable() => new VariableSpec[]
    {
        new("DiastolicBP", 70, 6, 1, 1, new[] { (C.Shock, -20.0), (C.Hypertension, 18.0), (C.Sepsis, -5.0) }, Array.Empty<C>(), 20, 150),
        new("SystolicBP", 120, 9, 1, 1, new[] { (C.Shock, -35.0), (C.Hypertension, 35.0), (C.HeartFailure, -8.0) }, Array.Empty<C>(), 40, 250),
        new("MeanBP", 85, 6, 1, 1, new[] { (C.Shock, -25.0), (C.Hypertension, 22.0) }, Array.Empty<C>(), 30, 180),
        new("CapillaryRefill", 0.1, 0, 8, 2, new[] { (C.Shock, 0.7), (C.HeartFailure, 0.2) }, new[] { C.Shock }, 0, 1),
        new("EndTidalCO2", 38, 3, 24, 1, new[] { (C.RespiratoryFailure, 12.0), (C.Acidosis, -6.0) }, new[] { C.RespiratoryFailure }, 10, 90),
        new("FiO2", 0.21, 0.02, 8, 2, new[] { (C.RespiratoryFailure, 0.35), (C.HeartFailure, 0.1) }, new[] { C.RespiratoryFailure }, 0.21, 1),
        new("GCS", 15, 0.7, 4, 1, new[] { (C.Coma, -8.0), (C.Sepsis, -1.5), (C.Shock, -2.0) }, new[] { C.Coma }, 3, 15),
        new("Glucose", 110, 15, 6, 1, new[] { (C.Ketoacidosis, 220.0), (C.Sepsis, 30.0) }, new[] { C.Ketoacidosis }, 30, 800),
        new("HeartRate", 80, 6, 1, 1, new[] { (C.Sepsis, 22.0), (C.Arrhythmia, 30.0), (C.Shock, 15.0), (C.Hypothermia, -12.0) }, Array.Empty<C>(), 30, 220),
        new("pH", 7.40, 0.02, 12, 3, new[] { (C.Acidosis, -0.15), (C.Ketoacidosis, -0.08), (C.RespiratoryFailure, -0.06) }, new[] { C.Acidosis, C.RespiratoryFailure }, 6.8, 7.7),
        new("RespiratoryRate", 16, 2, 1, 1, new[] { (C.RespiratoryFailure, 10.0), (C.Sepsis, 5.0), (C.Acidosis, 6.0) }, Array.Empty<C>(), 4, 60),
        new("SpO2", 97, 1, 1, 1, new[] { (C.RespiratoryFailure, -7.0), (C.HeartFailure, -3.0) }, Array.Empty<C>(), 60, 100),
        new("Temperature", 37, 0.3, 4, 1, new[] { (C.Sepsis, 1.8), (C.Hypothermia, -3.0) }, new[] { C.Sepsis, C.Hypothermia }, 28, 43),
        new("UrineOutput", 80, 20, 2, 1, new[] { (C.RenalFailure, -55.0), (C.Shock, -30.0), (C.Ketoacidosis, 40.0) }, new[] { C.RenalFailure }, 0, 1000),
    };

    /// <summary>Generates the set.</summary>
    /// <exception cref="ArgumentOutOfRangeException">No records, or hours that are not positive and ordered.</exception>
    public static EpisodeSet Generate(SyntheticIcuOptions? options = null)
    {
        options ??= new SyntheticIcuOptions();
        ArgumentOutOfRangeException.ThrowIfLessThan(options.Records, 1, nameof(options.Records));
        if (!(options.MinHours > 0 && options.MaxHours >= options.MinHours))
            throw new ArgumentOutOfRangeException(nameof(options), $"episode hours must satisfy 0 < MinHours <= MaxHours; got {options.MinHours} and {options.MaxHours}.");
        var table = VariableTable();
        if (!table.Select(v => v.Name).SequenceEqual(Variables))
            throw new InvalidOperationException("SyntheticIcu's variable table and EpisodeLayout.SyntheticIcuVariables list different variables.");
        var records = new EpisodeRecord[options.Records];
        for (int r = 0; r < records.Length; r++)
            records[r] = Record(r, new Random(unchecked(options.Seed * 1_000_003 + r)), table, options);
        return new EpisodeSet(SourceName, Variables, StaticNames, OutcomeNames, records);
    }

    private static EpisodeRecord Record(int index, Random random, VariableSpec[] table, SyntheticIcuOptions options)
    {
        double age = Math.Clamp(65 + 15 * Gaussian(random), 18, 95);
        var has = new bool[ConditionCount];
        bool Draw(double p) => random.NextDouble() < p;
        has[(int)C.Sepsis] = Draw(0.25);
        has[(int)C.Shock] = Draw(has[(int)C.Sepsis] ? 0.45 : 0.06);
        has[(int)C.RespiratoryFailure] = Draw(has[(int)C.Sepsis] ? 0.35 : 0.15);
        has[(int)C.Ketoacidosis] = Draw(0.08);
        has[(int)C.Coma] = Draw(0.1);
        has[(int)C.HeartFailure] = Draw(0.1 + 0.004 * (age - 40));
        has[(int)C.RenalFailure] = Draw(has[(int)C.Shock] ? 0.4 : 0.08);
        has[(int)C.Hypertension] = Draw(0.3);
        has[(int)C.Hypothermia] = Draw(0.06);
        has[(int)C.Arrhythmia] = Draw(has[(int)C.HeartFailure] ? 0.4 : 0.1);
        has[(int)C.Acidosis] = has[(int)C.Ketoacidosis] || (has[(int)C.Shock] && Draw(0.7)) || Draw(0.04);
        double risk = -3.4 + 1.6 * B(has[(int)C.Shock]) + 1.2 * B(has[(int)C.RespiratoryFailure]) + 1.1 * B(has[(int)C.Coma])
            + 0.8 * B(has[(int)C.RenalFailure]) + 0.5 * B(has[(int)C.Sepsis]) + 0.03 * (age - 65);
        bool death = Draw(1 / (1 + Math.Exp(-risk)));

        // Sicker patients stay longer: a log-normal length, stretched by the number of conditions, within the bounds.
        double severity = has.Count(h => h);
        double hours = Math.Clamp(Math.Exp(Math.Log(48) + 0.9 * Gaussian(random) + 0.25 * severity), options.MinHours, options.MaxHours);
        var onset = new double[ConditionCount];
        for (int c = 0; c < ConditionCount; c++) onset[c] = random.NextDouble() * 0.3 * hours;

        var observations = new List<Observation>();
        for (int v = 0; v < table.Length; v++)
        {
            var spec = table[v];
            double baseline = spec.Normal + 0.5 * spec.Noise * Gaussian(random);
            bool watched = spec.WatchedBy.Any(c => has[(int)c]);
            double interval = watched ? spec.WatchedInterval : spec.Interval;
            // Irregular sampling: exponential gaps around the interval, from a random first time.
            for (double t = random.NextDouble() * interval; t < hours; t += interval * (0.25 + 1.5 * random.NextDouble()))
            {
                double value = baseline + spec.Noise * Gaussian(random);
                foreach (var (condition, shift) in spec.Effects)
                {
                    if (!has[(int)condition]) continue;
                    double ramp = Math.Clamp((t - onset[(int)condition]) / 6.0, 0, 1);
                    value += ramp * shift;
                }
                if (spec.Name == "CapillaryRefill") value = random.NextDouble() < value ? 1 : 0;
                else if (spec.Name == "GCS") value = Math.Round(value);
                value = Math.Clamp(value, spec.Min, spec.Max);
                observations.Add(new Observation((float)(Math.Round(t * 60)), v, (float)value));
            }
        }
        var sorted = observations.OrderBy(o => o.Minutes).ThenBy(o => o.Variable).ToArray();
        var statics = new double?[] { Math.Round(age), random.Next(2), Math.Round(80 + 15 * Gaussian(random), 1) };
        var outcomes = has.Select(h => (double?)B(h)).Append(B(death)).Append(hours / 24).ToArray();
        return new EpisodeRecord((index + 1).ToString(System.Globalization.CultureInfo.InvariantCulture), sorted, statics, outcomes);
    }

    private static double B(bool value) => value ? 1 : 0;

    private static double Gaussian(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
}
