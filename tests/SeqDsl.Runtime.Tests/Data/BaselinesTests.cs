using SeqDsl.Runtime.Data;
using static TorchSharp.torch;

namespace SeqDsl.Runtime.Tests.Data;

public class BaselinesTests
{
    private const int Features = 3;
    private const int Target = 1;

    /// <summary>A wiggly series whose values are all distinct, so that a wrong row shows in the error.</summary>
    private static float[,] Wiggly(int rows)
    {
        var values = new float[rows, Features];
        for (int r = 0; r < rows; r++)
            for (int c = 0; c < Features; c++)
                values[r, c] = (float)(Math.Sin(0.37 * r + c) + 0.01 * r);
        return values;
    }

    [Fact]
    public void Naive_on_linear_data_misses_by_delay_plus_step_rows()
    {
        using var scope = NewDisposeScope();
        var data = WindowSeedOracle.ToTensor(WindowSeedOracle.Linear(300, Features));
        // The last sample is row r - step and the target row r + delay: the error is (delay + step) * 10 everywhere.
        using var generator = new WindowGenerator(data, Target, new WindowOptions(12, 3, 5, 8), 10, 200, false);

        var result = Baselines.Naive(generator, 40);

        Assert.Equal("naive", result.Name);
        Assert.Equal(40, result.Batches);
        Assert.Equal(80, result.Mae, 1e-4);
        Assert.Equal(6400, result.Mse, 1e-2);
    }

    [Fact]
    public void Naive_equals_the_lectures_evaluate_naive_method()
    {
        using var scope = NewDisposeScope();
        var values = Wiggly(400);
        int lookback = 24, step = 4, delay = 6, batch = 16, min = 30, max = 250;
        using var generator = new WindowGenerator(WindowSeedOracle.ToTensor(values), Target,
            new WindowOptions(lookback, step, delay, batch), min, max, false);
        int steps = generator.StepsPerPass + 3;   // past one pass, through the wrap-around

        var result = Baselines.Naive(generator, steps);

        // evaluate_naive_method: preds = samples[:, -1, 1]; mae = mean(|preds - targets|); mean over batches.
        var oracle = new WindowSeedOracle(values, Target, lookback, delay, min, max, batch, step);
        double maeSum = 0, mseSum = 0;
        for (int n = 0; n < steps; n++)
        {
            var (samples, targets, rows) = oracle.Next();
            double absolute = 0, squared = 0;
            for (int j = 0; j < rows.Length; j++)
            {
                double error = samples[j, lookback / step - 1, Target] - targets[j, 0];
                absolute += Math.Abs(error);
                squared += error * error;
            }
            maeSum += absolute / rows.Length;
            mseSum += squared / rows.Length;
        }
        Assert.Equal(maeSum / steps, result.Mae, 1e-5);
        Assert.Equal(mseSum / steps, result.Mse, 1e-5);
        Assert.Equal(steps, result.Batches);
    }

    [Fact]
    public void Naive_uses_the_latest_sample_when_the_generator_reverses()
    {
        using var scope = NewDisposeScope();
        var data = WindowSeedOracle.ToTensor(Wiggly(300));
        var options = new WindowOptions(20, 5, 2, 10);
        using var forward = new WindowGenerator(data, Target, options, 0, null, false);
        using var reversed = new WindowGenerator(data, Target, options with { Reverse = true }, 0, null, false);

        var expected = Baselines.Naive(forward, 30);
        var actual = Baselines.Naive(reversed, 30);

        Assert.Equal(expected.Mae, actual.Mae, 1e-6);
        Assert.Equal(expected.Mse, actual.Mse, 1e-6);
    }

    [Fact]
    public void Naive_repeats_the_last_value_for_every_horizon_step()
    {
        using var scope = NewDisposeScope();
        var data = WindowSeedOracle.ToTensor(WindowSeedOracle.Linear(300, Features));
        using var generator = new WindowGenerator(data, Target, new WindowOptions(12, 3, 5, 8) { Horizon = 3 }, 0, null, false);

        var result = Baselines.Naive(generator, 25);

        // Errors (delay + step + k) * 10 for k = 0, 1, 2: 80, 90, 100.
        Assert.Equal(90, result.Mae, 1e-4);
        Assert.Equal((6400 + 8100 + 10000) / 3.0, result.Mse, 1e-2);
    }

    [Fact]
    public void Seasonal_naive_reads_one_season_before_each_target()
    {
        using var scope = NewDisposeScope();
        var data = WindowSeedOracle.ToTensor(WindowSeedOracle.Linear(400, Features));
        using var generator = new WindowGenerator(data, Target, new WindowOptions(48, 6, 6, 16) { Horizon = 2 }, 0, null, false);

        var result = Baselines.SeasonalNaive(generator, 20, 24);

        // data[r + delay + k - 24] misses data[r + delay + k] by 24 rows = 240.
        Assert.Contains("24", result.Name);
        Assert.Equal(240, result.Mae, 1e-4);
        Assert.Equal(240.0 * 240.0, result.Mse, 1e-1);
        Assert.Equal(20, result.Batches);
    }

    [Fact]
    public void Seasonal_naive_is_exact_on_a_periodic_series_and_matches_a_hand_computation()
    {
        using var scope = NewDisposeScope();
        var values = new float[500, Features];
        for (int r = 0; r < 500; r++)
            for (int c = 0; c < Features; c++)
                values[r, c] = (float)Math.Sin(2 * Math.PI * r / 24 + c);
        var data = WindowSeedOracle.ToTensor(values);
        var options = new WindowOptions(36, 6, 4, 12) { Horizon = 3 };

        using var periodic = new WindowGenerator(data, Target, options, 0, null, false);
        Assert.True(Baselines.SeasonalNaive(periodic, 30, 24).Mae < 1e-5);
        using var naive = new WindowGenerator(data, Target, options, 0, null, false);
        Assert.True(Baselines.Naive(naive, 30).Mae > 0.1);

        // Season 10 (not the period): compare with plain loops over the seed's rows.
        using var generator = new WindowGenerator(data, Target, options, 20, 300, false);
        var result = Baselines.SeasonalNaive(generator, 30, 10);
        var oracle = new WindowSeedOracle(values, Target, 36, 4, 20, 300, 12, 6, horizon: 3);
        double maeSum = 0;
        for (int n = 0; n < 30; n++)
        {
            var (_, targets, rows) = oracle.Next();
            double absolute = 0;
            for (int j = 0; j < rows.Length; j++)
                for (int k = 0; k < 3; k++)
                    absolute += Math.Abs(values[rows[j] + 4 + k - 10, Target] - targets[j, k]);
            maeSum += absolute / (rows.Length * 3);
        }
        Assert.Equal(maeSum / 30, result.Mae, 1e-5);
    }

    [Fact]
    public void Seasonal_naive_refuses_a_season_that_peeks_at_the_future_or_before_the_data()
    {
        using var scope = NewDisposeScope();
        var data = zeros(200, Features);
        var options = new WindowOptions(8, 2, 3, 4) { Horizon = 2 };

        using var peeking = new WindowGenerator(data, Target, options, 0, null, false);
        // delay + horizon - 1 = 4: target row r + 4 would be predicted by row r, the window's end row.
        var future = Assert.Throws<ArgumentException>(() => Baselines.SeasonalNaive(peeking, 5, 4));
        Assert.Equal("seasonLength", future.ParamName);
        Assert.Contains("4", future.Message);
        using var fine = new WindowGenerator(data, Target, options, 0, null, false);
        Assert.Equal(0, Baselines.SeasonalNaive(fine, 5, 5).Mae);

        // The first target row is 0 + 8 + 3 = 11: season 12 would read row -1.
        using var early = new WindowGenerator(data, Target, options, 0, null, false);
        var before = Assert.Throws<ArgumentException>(() => Baselines.SeasonalNaive(early, 5, 12));
        Assert.Equal("seasonLength", before.ParamName);
        Assert.Contains("-1", before.Message);
        Assert.Equal(0, Baselines.SeasonalNaive(early, 5, 11).Mae);
    }

    [Fact]
    public void A_baseline_consumes_exactly_its_steps()
    {
        using var scope = NewDisposeScope();
        var data = WindowSeedOracle.ToTensor(WindowSeedOracle.Linear(300, Features));
        var options = new WindowOptions(12, 3, 5, 8);
        using var used = new WindowGenerator(data, Target, options, 0, 150, false);
        using var fresh = new WindowGenerator(data, Target, options, 0, 150, false);

        Baselines.Naive(used, 5);
        Baselines.SeasonalNaive(used, 4, 17);
        used.Next();
        for (int n = 0; n < 10; n++)
            fresh.Next();

        Assert.Equal(fresh.LastRows, used.LastRows);
    }

    [Fact]
    public void Steps_must_be_positive()
    {
        using var scope = NewDisposeScope();
        using var generator = new WindowGenerator(zeros(100, Features), Target, new WindowOptions(4, 2, 1, 4), 0, null, false);
        Assert.Equal("steps", Assert.Throws<ArgumentOutOfRangeException>(() => Baselines.Naive(generator, 0)).ParamName);
        Assert.Equal("steps", Assert.Throws<ArgumentOutOfRangeException>(() => Baselines.SeasonalNaive(generator, -1, 10)).ParamName);
    }
}
