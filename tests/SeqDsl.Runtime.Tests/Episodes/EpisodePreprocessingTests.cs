using SeqDsl.Runtime.Episodes;
using SeqDsl.Runtime.Tests.Data;

namespace SeqDsl.Runtime.Tests.Episodes;

public sealed class EpisodePreprocessingTests
{
    private static readonly int[] TrainAB = { 0, 1 };

    private static readonly EpisodePreprocessingOptions AllChannels = new()
    {
        MissingIndicators = true, TimeSinceObserved = true, StaticInputs = true, Scaling = Scaling.None,
    };

    [Fact]
    public void Hourly_means_forward_fill_then_training_median_with_indicators_deltas_and_statics()
    {
        var set = EpisodeTestSets.Three();
        var fitted = EpisodePreprocessor.Fit(set, TrainAB, AllChannels, labelSources: new[] { "ICUType" });

        // Training step values: hr 85 (a, hour 0), 70, 100; sbp 120, 140, 100.
        Assert.Equal(new[] { 85.0, 120.0 }, fitted.Medians);
        Assert.Equal(new[] { "Age" }, fitted.Statics);
        Assert.Equal(new[] { "hr", "sbp", "hr (observed)", "sbp (observed)", "hr (hours since observed)", "sbp (hours since observed)", "Age (static)" },
            fitted.FeatureNames());

        var prepared = fitted.Transform(set);
        Assert.Equal(new[] { 3, 2, 4 }, prepared.Lengths);
        Assert.Equal(new float[]
        {
            85, 120, 1, 0, 0, 1, 60,    // sbp not yet observed: the training median; never observed: 1 hour since the start
            85, 120, 0, 1, 1, 0, 60,    // hr carried forward
            70, 120, 1, 0, 0, 1, 60,
        }, prepared.Inputs[0]);
        // b's missing Age is the training median; c's hr before its first observation is the median, then carried.
        Assert.Equal(60, prepared.Inputs[1][6]);
        Assert.Equal(new float[] { 85, 85, 85, 60 }, Enumerable.Range(0, 4).Select(s => prepared.Inputs[2][s * 7]));
        Assert.Equal(new float[] { 1, 2, 3, 0 }, Enumerable.Range(0, 4).Select(s => prepared.Inputs[2][s * 7 + 4]));
    }

    [Fact]
    public void Min_max_and_standardize_use_training_statistics_only()
    {
        var set = EpisodeTestSets.Three();
        var minMax = EpisodePreprocessor.Fit(set, TrainAB, AllChannels with { Scaling = Scaling.MinMax });
        Assert.Equal(new ChannelScale(70, 30), minMax.ValueScales[0]);
        Assert.Equal(new ChannelScale(100, 40), minMax.ValueScales[1]);
        var c = minMax.Transform(set, new[] { 2 });
        Assert.Equal(-1 / 3f, c.Inputs[0][3 * 8], 5);            // c's 60 lies below the training minimum of 70
        Assert.Equal(new[] { 0.5f, 0.5f }, c.Inputs[0][..2]);

        var standardized = EpisodePreprocessor.Fit(set, TrainAB, AllChannels with { Scaling = Scaling.Standardize });
        Assert.Equal(85, standardized.ValueScales[0].Offset, 9);
        Assert.Equal(Math.Sqrt(150), standardized.ValueScales[0].Scale, 9);
    }

    [Fact]
    public void Clipping_to_training_quantiles_comes_before_the_medians_and_the_scaling()
    {
        var set = EpisodeTestSets.Three();
        var clipped = EpisodePreprocessor.Fit(set, TrainAB, AllChannels with { Scaling = Scaling.MinMax, ClipQuantile = 0.25 });

        // Training step values hr 70, 85, 100 and sbp 100, 120, 140: the 25th and 75th percentiles by linear interpolation.
        Assert.Equal(new[] { new ChannelBounds(77.5, 92.5), new ChannelBounds(110, 130) }, clipped.ValueBounds);
        Assert.Equal(new ChannelScale(77.5, 15), clipped.ValueScales[0]);
        Assert.Equal(new[] { 85.0, 120.0 }, clipped.Medians);
        // c's 60 lies below the training bound: clipped to 77.5, the bottom of the scaled range, not below it.
        var c = clipped.Transform(set, new[] { 2 });
        Assert.Equal(0f, c.Inputs[0][3 * 8]);

        var unclipped = EpisodePreprocessor.Fit(set, TrainAB, AllChannels with { Scaling = Scaling.MinMax });
        Assert.Null(unclipped.ValueBounds);
        Assert.Throws<ArgumentOutOfRangeException>(() => EpisodePreprocessor.Fit(set, TrainAB, AllChannels with { ClipQuantile = 0.5 }));
    }

    [Fact]
    public void Horizon_maximum_length_exclusion_and_empty_records()
    {
        var set = EpisodeTestSets.Three();
        var options = new EpisodePreprocessingOptions { Scaling = Scaling.None, HorizonMinutes = 120 };
        var horizon = EpisodePreprocessor.Fit(set, TrainAB, options with { EmptyEpisodes = EmptyEpisodePolicy.KeepOneStep });
        var prepared = horizon.Transform(set);
        Assert.Equal(new[] { 2, 2, 1 }, prepared.Lengths);           // a's hr at 130 min is past 2 hours; c has nothing within them
        Assert.Equal(new float[] { 92.5f, 120 }, prepared.Inputs[2]);  // the hr median without a's 70

        var strict = EpisodePreprocessor.Fit(set, TrainAB, options);
        var empty = Assert.Throws<InvalidDataException>(() => strict.Transform(set));
        Assert.Contains("1 record(s) have no observation of an input variable within the first 120 minutes: 'c'", empty.Message);

        var withDeltas = EpisodePreprocessor.Fit(set, TrainAB, options with { EmptyEpisodes = EmptyEpisodePolicy.KeepOneStep, TimeSinceObserved = true });
        Assert.Equal(new float[] { 92.5f, 120, 1, 1 }, withDeltas.Transform(set, new[] { 2 }).Inputs[0]);   // nothing observed: 1 hour since the start

        var oneStep = EpisodePreprocessor.Fit(set, TrainAB, new EpisodePreprocessingOptions { MaxSteps = 1, Exclude = new[] { "sbp" } });
        Assert.Equal(new[] { "hr" }, oneStep.Variables);
        Assert.Equal(new[] { 1, 1 }, oneStep.Transform(set, TrainAB).Lengths);

        var unknown = Assert.Throws<InvalidDataException>(() => EpisodePreprocessor.Fit(set, TrainAB, options with { Exclude = new[] { "sbpp" } }));
        Assert.Contains("no variable 'sbpp' (did you mean 'sbp'?)", unknown.Message);
    }

    [Fact]
    public void Saved_preprocessing_prepares_another_set_identically_and_refuses_a_set_without_its_variables()
    {
        using var directory = new TempDirectory();
        var fitted = EpisodePreprocessor.Fit(EpisodeTestSets.Three(), TrainAB, AllChannels with { Scaling = Scaling.MinMax });
        string path = directory.File("preprocessing.json");
        fitted.Save(path);
        var loaded = EpisodePreprocessor.Load(path);
        var other = EpisodeTestSets.Three("other");
        Assert.Equal(fitted.Transform(other).Inputs, loaded.Transform(other).Inputs);
        Assert.Contains("\"Scaling\": \"MinMax\"", File.ReadAllText(path));

        var missing = new EpisodeSet("missing", new[] { "hr" }, EpisodeTestSets.Statics, EpisodeTestSets.Outcomes, other.Records.Take(0).ToArray());
        Assert.Contains("missing has no variable 'sbp'", Assert.Throws<InvalidDataException>(() => loaded.Transform(missing)).Message);

        File.WriteAllText(path, File.ReadAllText(path).Replace("\"Format\": 1", "\"Format\": 9"));
        Assert.Contains("preprocessing format 9", Assert.Throws<InvalidDataException>(() => EpisodePreprocessor.Load(path)).Message);
        File.WriteAllText(path, "{ not json");
        Assert.Contains(path, Assert.Throws<InvalidDataException>(() => EpisodePreprocessor.Load(path)).Message);
    }
}
