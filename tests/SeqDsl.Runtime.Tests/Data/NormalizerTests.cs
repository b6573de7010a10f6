using SeqDsl.Runtime.Data;

namespace SeqDsl.Runtime.Tests.Data;

public class NormalizerTests
{
    private static TimeSeriesFrame Frame() =>
        // Rows 0-3 are the "training" rows; rows 4-5 are far off so that leaking them would show.
        new(new[] { "a", "b", "c" },
            new float[]
            {
                1, 10, 5,
                2, 20, 5,
                3, 30, 5,
                4, 40, 5,
                100, -100, 50,
                200, -200, 50,
            },
            null, "test");

    [Fact]
    public void Fit_uses_only_the_given_rows_and_population_std()
    {
        var normalizer = Normalizer.Fit(Frame(), 0, 4);
        Assert.Equal(new[] { "a", "b", "c" }, normalizer.Columns);
        Assert.Equal(new[] { 2.5f, 25f, 5f }, normalizer.Mean);
        // Population std of 1, 2, 3, 4 is sqrt(1.25); a constant column gets 1, not 0.
        Assert.Equal(Math.Sqrt(1.25), normalizer.Std[0], 5);
        Assert.Equal(Math.Sqrt(125), normalizer.Std[1], 4);
        Assert.Equal(1f, normalizer.Std[2]);

        var later = Normalizer.Fit(Frame(), 4, 6);
        Assert.Equal(new[] { 150f, -150f, 50f }, later.Mean);
    }

    [Fact]
    public void Apply_gives_mean_0_std_1_on_the_fitted_rows()
    {
        var frame = SyntheticClimate.Generate(5000, seed: 3);
        var normalizer = Normalizer.Fit(frame, 1000, 4000);
        var normalized = normalizer.Apply(frame);

        Assert.Equal(frame.Columns, normalized.Columns);
        Assert.Same(frame.Timestamps, normalized.Timestamps);
        for (int c = 0; c < frame.ColumnCount; c++)
        {
            double sum = 0, squares = 0;
            for (int r = 1000; r < 4000; r++)
            {
                sum += normalized[r, c];
                squares += normalized[r, c] * (double)normalized[r, c];
            }
            double mean = sum / 3000;
            Assert.True(Math.Abs(mean) < 1e-4, $"{frame.Columns[c]} mean {mean}");
            Assert.True(Math.Abs(Math.Sqrt(squares / 3000 - mean * mean) - 1) < 1e-3, $"{frame.Columns[c]} std");
        }
        // A new frame: the input is untouched.
        Assert.NotSame(frame.Values, normalized.Values);
        Assert.Equal(SyntheticClimate.Generate(5000, seed: 3).Values, frame.Values);
    }

    [Fact]
    public void Apply_matches_columns_by_name()
    {
        var normalizer = Normalizer.Fit(Frame(), 0, 4);
        var selected = normalizer.Apply(Frame().Select(new[] { "b" }));
        Assert.Equal((10 - 25) / (float)Math.Sqrt(125), selected[0, 0], 5);

        var other = new TimeSeriesFrame(new[] { "z" }, new float[] { 1 }, null, "other");
        var error = Assert.Throws<ArgumentException>(() => normalizer.Apply(other));
        Assert.Contains("'z'", error.Message);
        Assert.Contains("'a', 'b', 'c'", error.Message);
    }

    [Fact]
    public void ToTargetUnits_scales_by_the_columns_std()
    {
        var normalizer = Normalizer.Fit(Frame(), 0, 4);
        Assert.Equal(0.5 * Math.Sqrt(125), normalizer.ToTargetUnits(0.5, 1), 4);
        Assert.Equal(0.5, normalizer.ToTargetUnits(0.5, 2), 6);
    }

    [Fact]
    public void Fit_rejects_empty_or_out_of_range_rows()
    {
        Assert.Throws<ArgumentException>(() => Normalizer.Fit(Frame(), 2, 2));
        Assert.Throws<ArgumentOutOfRangeException>(() => Normalizer.Fit(Frame(), 0, 7));
        Assert.Throws<ArgumentOutOfRangeException>(() => Normalizer.Fit(Frame(), -1, 3));
    }
}
