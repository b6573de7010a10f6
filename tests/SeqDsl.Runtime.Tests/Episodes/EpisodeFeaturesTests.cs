using SeqDsl.Runtime.Episodes;
using SeqDsl.Runtime.Experiments;
using SeqDsl.Runtime.Tests.Data;

namespace SeqDsl.Runtime.Tests.Episodes;

public sealed class EpisodeFeaturesTests
{
    private static readonly int[] TrainAB = { 0, 1 };

    /// <summary>Raw values, statics as inputs: the summary statistics can be worked out from <see cref="EpisodeTestSets.Three"/> by hand.</summary>
    private static readonly EpisodePreprocessingOptions RawWithStatics = new() { Scaling = Scaling.None, StaticInputs = true };

    // A standardized float is within ~6e-8 relative of the double; undone with scales up to 20 and values up to 140,
    // that is below 1e-5 in raw units, so 1e-4 separates rounding from a wrong statistic.
    private const double RawTolerance = 1e-4;

    private static double[] Unstandardized(EpisodeFeatureBuilder builder, float[] row) =>
        row.Select((x, f) => x * builder.Scales[f].Scale + builder.Scales[f].Offset).ToArray();

    private static void AssertRow(double[] expected, double[] actual, string[] names, string record)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int f = 0; f < expected.Length; f++)
            Assert.True(Math.Abs(expected[f] - actual[f]) <= RawTolerance, $"record {record}, {names[f]}: expected {expected[f]}, built {actual[f]}");
    }

    [Fact]
    public void Summary_statistics_per_variable_then_statics_match_a_hand_computation()
    {
        var set = EpisodeTestSets.Three();
        var preprocessor = EpisodePreprocessor.Fit(set, TrainAB, RawWithStatics);
        var builder = EpisodeFeatureBuilder.Fit(EpisodeRepresentation.Summary, 6, preprocessor, set, TrainAB);

        Assert.Equal(EpisodeLayout.SummaryFeatures(2, 2), builder.Features);
        Assert.Equal(new[] { "hr min", "hr max", "hr mean", "hr std", "hr first", "hr last", "hr count", "hr missing_fraction" }, builder.FeatureNames[..8]);
        Assert.Equal(new[] { "sbp min", "sbp missing_fraction", "Age (static)", "ICUType (static)" },
            new[] { builder.FeatureNames[8], builder.FeatureNames[15], builder.FeatureNames[16], builder.FeatureNames[17] });

        var flat = builder.Transform(set);
        Assert.Equal(new[] { "a", "b", "c" }, flat.Ids);
        // a: hr steps 85 (mean of 80, 90), -, 70; sbp -, 120, -.
        AssertRow(new[] { 70, 85, 77.5, 7.5, 85, 70, 2, 1 / 3.0, 120, 120, 120, 0, 120, 120, 1, 2 / 3.0, 60, 2 },
            Unstandardized(builder, flat.Rows[0]), builder.FeatureNames, "a");
        // b: hr 100, -; sbp 140, 100; Age missing: the preprocessor's training median (a's 60).
        AssertRow(new double[] { 100, 100, 100, 0, 100, 100, 1, 0.5, 100, 140, 120, 20, 140, 100, 2, 0, 60, 3 },
            Unstandardized(builder, flat.Rows[1]), builder.FeatureNames, "b");
        // c: hr only in its 4th step; sbp never observed: the training medians of a's and b's sbp statistics, count 0, missing 1.
        AssertRow(new[] { 60, 60, 60, 0, 60, 60, 1, 0.75, 110.0, 130, 120, 10, 130, 110, 0, 1, 80, 1 },
            Unstandardized(builder, flat.Rows[2]), builder.FeatureNames, "c");

        // Standardized by the training records a and b: hr min 70 and 100, sbp std 0 and 20; a constant feature keeps std 1.
        Assert.Equal(new ChannelScale(85, 15), builder.Scales[0]);
        Assert.Equal(new ChannelScale(10, 10), builder.Scales[11]);
        Assert.Equal(new ChannelScale(120, 1), builder.Scales[10]);   // sbp mean is 120 in both
        Assert.Equal(-1, flat.Rows[0][0], 6);
        Assert.Equal(1, flat.Rows[1][0], 6);
    }

    [Fact]
    public void A_record_with_nothing_within_the_horizon_is_one_unobserved_step_with_training_medians()
    {
        var set = EpisodeTestSets.Three();
        var preprocessor = EpisodePreprocessor.Fit(set, TrainAB,
            RawWithStatics with { HorizonMinutes = 120, EmptyEpisodes = EmptyEpisodePolicy.KeepOneStep });
        var builder = EpisodeFeatureBuilder.Fit(EpisodeRepresentation.Summary, 6, preprocessor, set, TrainAB);
        var c = Unstandardized(builder, builder.Transform(set, new[] { 2 }).Rows[0]);
        // Within 2 hours a's hr is 85 only (70 comes at 130 minutes), b's 100: the hr min median is 92.5.
        AssertRow(new[] { 92.5, 92.5, 92.5, 0, 92.5, 92.5, 0, 1, 110, 130, 120, 10, 130, 110, 0, 1, 80, 1 }, c, builder.FeatureNames, "c");

        var strict = EpisodePreprocessor.Fit(set, TrainAB, RawWithStatics with { HorizonMinutes = 120 });
        var strictBuilder = EpisodeFeatureBuilder.Fit(EpisodeRepresentation.Summary, 6, strict, set, TrainAB);
        Assert.Contains("'c'", Assert.Throws<InvalidDataException>(() => strictBuilder.Transform(set)).Message);
    }

    [Fact]
    public void Statistics_come_from_the_training_records_only()
    {
        var set = EpisodeTestSets.Three();
        var extreme = new EpisodeSet("extreme", set.Variables, set.StaticNames, set.OutcomeNames, new[]
        {
            set.Records[0], set.Records[1],
            new EpisodeRecord("c", new[] { new Observation(0, 0, 1000), new Observation(0, 1, 5000) }, new double?[] { 120, 1 }, new double?[] { 0, 1 }),
        });
        var preprocessor = EpisodePreprocessor.Fit(set, TrainAB, RawWithStatics);
        var usual = EpisodeFeatureBuilder.Fit(EpisodeRepresentation.Summary, 6, preprocessor, set, TrainAB);
        var withExtremeTest = EpisodeFeatureBuilder.Fit(EpisodeRepresentation.Summary, 6, preprocessor, extreme, TrainAB);
        Assert.Equal(usual.Scales, withExtremeTest.Scales);
        Assert.Equal(usual.Medians, withExtremeTest.Medians);
        Assert.Equal(usual.Transform(set, TrainAB).Rows, withExtremeTest.Transform(extreme, TrainAB).Rows);

        // The same fit with the extreme record among the training ones does move the statistics.
        var fittedOnAll = EpisodeFeatureBuilder.Fit(EpisodeRepresentation.Summary, 6, preprocessor, extreme, new[] { 0, 1, 2 });
        Assert.NotEqual(usual.Scales[0], fittedOnAll.Scales[0]);
    }

    [Fact]
    public void First_and_last_steps_repeat_a_short_records_end_steps_instead_of_padding()
    {
        var set = EpisodeTestSets.Three();
        var preprocessor = EpisodePreprocessor.Fit(set, TrainAB, new EpisodePreprocessingOptions { Scaling = Scaling.None });
        var builder = EpisodeFeatureBuilder.Fit(EpisodeRepresentation.FirstLast, 3, preprocessor, set, TrainAB);

        Assert.Equal(EpisodeLayout.FirstLastFeatures(3, preprocessor.FeatureNames().Length), builder.Features);
        Assert.Equal(new[] { "step 1: hr", "step 1: sbp", "step 2: hr" }, builder.FeatureNames[..3]);
        Assert.Equal(new[] { "step -3: hr", "step -3: sbp", "step -2: hr", "step -2: sbp", "step -1: hr", "step -1: sbp" }, builder.FeatureNames[6..]);

        var flat = builder.Transform(set);
        // a has exactly 3 steps: both blocks are its whole sequence (sbp before its first observation: the median 120).
        Assert.Equal(new float[] { 85, 120, 85, 120, 70, 120, 85, 120, 85, 120, 70, 120 }, flat.Rows[0]);
        // b has 2 steps: its last step repeats at the end of the first block, its first at the start of the last block.
        Assert.Equal(new float[] { 100, 140, 100, 100, 100, 100, 100, 140, 100, 140, 100, 100 }, flat.Rows[1]);
        // c has 4 steps: steps 1–3, then steps 2–4 (hr the median 85 until its 60 in the 4th step).
        Assert.Equal(new float[] { 85, 120, 85, 120, 85, 120, 85, 120, 85, 120, 60, 120 }, flat.Rows[2]);
        Assert.All(builder.Scales, s => Assert.Equal(new ChannelScale(0, 1), s));
    }

    [Fact]
    public void Saved_builders_transform_identically_and_broken_files_are_named()
    {
        using var directory = new TempDirectory();
        var set = EpisodeTestSets.Three();
        var preprocessor = EpisodePreprocessor.Fit(set, TrainAB,
            new EpisodePreprocessingOptions { MissingIndicators = true, TimeSinceObserved = true, StaticInputs = true, Scaling = Scaling.Standardize });
        var other = EpisodeTestSets.Three("other");
        foreach (var representation in new[] { EpisodeRepresentation.Summary, EpisodeRepresentation.FirstLast })
        {
            var builder = EpisodeFeatureBuilder.Fit(representation, 2, preprocessor, set, TrainAB);
            string path = directory.File($"{representation}.json");
            builder.Save(path);
            var loaded = EpisodeFeatureBuilder.Load(path);
            Assert.Equal(builder.FeatureNames, loaded.FeatureNames);
            Assert.Equal(builder.Transform(other).Rows, loaded.Transform(other).Rows);
            Assert.Contains($"\"Representation\": \"{representation}\"", File.ReadAllText(path));

            File.WriteAllText(path, File.ReadAllText(path).Replace("\"Format\": 1,\n  \"Representation\"", "\"Format\": 9,\n  \"Representation\""));
            Assert.Contains("flat features format 9", Assert.Throws<InvalidDataException>(() => EpisodeFeatureBuilder.Load(path)).Message);
        }

        string broken = directory.File("broken.json");
        File.WriteAllText(broken, "{ not json");
        Assert.Contains(broken, Assert.Throws<InvalidDataException>(() => EpisodeFeatureBuilder.Load(broken)).Message);

        var summary = EpisodeFeatureBuilder.Fit(EpisodeRepresentation.Summary, 2, preprocessor, set, TrainAB);
        string truncated = directory.File("truncated.json");
        (summary with { Scales = summary.Scales[1..] }).Save(truncated);
        Assert.Contains("do not match 18 features", Assert.Throws<InvalidDataException>(() => EpisodeFeatureBuilder.Load(truncated)).Message);
    }

    [Fact]
    public void The_sequence_representation_and_a_first_last_without_steps_are_refused()
    {
        var set = EpisodeTestSets.Three();
        var preprocessor = EpisodePreprocessor.Fit(set, TrainAB, new EpisodePreprocessingOptions());
        Assert.Contains("not a flat one", Assert.Throws<ArgumentException>(() => EpisodeFeatureBuilder.Fit(EpisodeRepresentation.Sequence, 6, preprocessor, set, TrainAB)).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => EpisodeFeatureBuilder.Fit(EpisodeRepresentation.FirstLast, 0, preprocessor, set, TrainAB));
        Assert.Throws<InvalidDataException>(() => EpisodeFeatureBuilder.Fit(EpisodeRepresentation.Summary, 6, preprocessor, set, Array.Empty<int>()));
    }
}
