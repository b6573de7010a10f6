using SeqDsl.Runtime.Data;
using static TorchSharp.torch;

namespace SeqDsl.Runtime.Tests.Data;

/// <summary>Windows with several target columns (a multivariate forecast), their baselines and how their errors are averaged.</summary>
public class MultivariateWindowTests
{
    private const int Features = 4;

    /// <summary>data[r, c] = r * 10 + c (<see cref="WindowSeedOracle.Linear"/>), so every target tells its row and column.</summary>
    private static Tensor Linear(int rows) => WindowSeedOracle.ToTensor(WindowSeedOracle.Linear(rows, Features));

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Targets_of_several_columns_are_batch_horizon_columns(bool hostBlocks)
    {
        using var scope = NewDisposeScope();
        // lookback 6, step 2, delay 1, horizon 3, batch 2; rows from 10 + 6 = 16; targets columns 3 and 0, in that order.
        using var generator = new WindowGenerator(Linear(60), new[] { 3, 0 }, new WindowOptions(6, 2, 1, 2) { Horizon = 3 }, 10, 40, false, 0, hostBlocks);
        Assert.Equal(hostBlocks, generator.UsesHostBlocks);

        var (inputs, targets) = generator.Next();

        // Written out: the window of row r is rows r-6, r-4, r-2 (all 4 columns); its targets rows r+1, r+2, r+3 of columns 3 and 0.
        float[] expectedTargets =
        {
            173, 170, 183, 180, 193, 190,   // row 16: rows 17, 18, 19 × columns (3, 0)
            183, 180, 193, 190, 203, 200,   // row 17: rows 18, 19, 20
        };
        float[] expectedInputs =
        {
            100, 101, 102, 103, 120, 121, 122, 123, 140, 141, 142, 143,   // row 16: rows 10, 12, 14
            110, 111, 112, 113, 130, 131, 132, 133, 150, 151, 152, 153,   // row 17: rows 11, 13, 15
        };
        Assert.Equal(new long[] { 2, 3, 2 }, targets.shape);
        Assert.Equal(expectedTargets, targets.data<float>().ToArray());
        Assert.Equal(new long[] { 2, 3, Features }, inputs.shape);
        Assert.Equal(expectedInputs, inputs.data<float>().ToArray());
        Assert.Equal(new[] { 3, 0 }, generator.TargetColumns);
        Assert.True(generator.HasChannelAxis);
    }

    [Fact]
    public void Shuffled_batches_of_several_targets_are_the_same_on_both_paths()
    {
        using var scope = NewDisposeScope();
        var data = Linear(300);
        var options = new WindowOptions(12, 3, 2, 8) { Horizon = 4, Reverse = true };
        using var blocks = new WindowGenerator(data, new[] { 0, 2, 3 }, options, 0, 250, true, 7, hostBlocks: true);
        using var gathered = new WindowGenerator(data, new[] { 0, 2, 3 }, options, 0, 250, true, 7, hostBlocks: false);
        for (int n = 0; n < 5; n++)
        {
            var (inputsA, targetsA) = blocks.Next();
            var (inputsB, targetsB) = gathered.Next();
            Assert.Equal(inputsB.data<float>().ToArray(), inputsA.data<float>().ToArray());
            Assert.Equal(targetsB.data<float>().ToArray(), targetsA.data<float>().ToArray());
            // Each target row's values of column c end in the digit c.
            var rows = blocks.LastRows;
            Assert.Equal((rows[0] + 2) * 10 + 2, targetsA[0, 0, 1].item<float>());
        }
    }

    [Fact]
    public void One_target_column_keeps_batch_horizon_targets()
    {
        using var scope = NewDisposeScope();
        using var generator = new WindowGenerator(Linear(60), new[] { 2 }, new WindowOptions(6, 2, 1, 2) { Horizon = 3 }, 10, 40, false);
        Assert.Equal(new long[] { 2, 3 }, generator.Next().Targets.shape);
        Assert.False(generator.HasChannelAxis);
    }

    [Fact]
    public void A_target_column_named_twice_is_refused()
    {
        using var scope = NewDisposeScope();
        var error = Assert.Throws<ArgumentException>(() => new WindowGenerator(Linear(60), new[] { 1, 1 }, new WindowOptions(6, 2, 1, 2), 10, 40, false));
        Assert.Contains("twice", error.Message);
    }

    [Fact]
    public void Naive_repeats_each_columns_last_value()
    {
        using var scope = NewDisposeScope();
        // Last sample row r - step = r - 3, targets rows r + 5 + k (k < 2): the error is (8 + k) · 10 in every column, so
        // each column's MAE is 85 and its MSE (80² + 90²) / 2.
        using var generator = new WindowGenerator(Linear(300), new[] { 0, 1, 3 }, new WindowOptions(12, 3, 5, 8) { Horizon = 2 }, 10, 200, false);

        var result = Baselines.Naive(generator, 10);

        Assert.Equal(3, result.Channels.Count);
        foreach (double mae in result.Channels.ChannelMae) Assert.Equal(85, mae, 1e-4);
        foreach (double mse in result.Channels.ChannelMse) Assert.Equal((80.0 * 80 + 90 * 90) / 2, mse, 1e-2);
        Assert.Equal(85, result.Mae, 1e-4);
    }

    [Fact]
    public void Naive_per_column_matches_a_written_out_oracle_on_wiggly_data()
    {
        using var scope = NewDisposeScope();
        var values = new float[120, Features];
        for (int r = 0; r < 120; r++)
            for (int c = 0; c < Features; c++)
                values[r, c] = (float)(Math.Sin(0.37 * r + 1.3 * c) * (c + 1) + 0.01 * r);
        int[] columns = { 2, 0 };
        using var generator = new WindowGenerator(tensor(values), columns, new WindowOptions(8, 2, 0, 4) { Horizon = 3 }, 0, 100, false);

        var result = Baselines.Naive(generator, 5);

        // The generator's rows are 8..27 (5 batches of 4); row r's last sample is r - 2, its targets r, r + 1, r + 2.
        for (int channel = 0; channel < columns.Length; channel++)
        {
            int c = columns[channel];
            double absolute = 0, squared = 0;
            int n = 0;
            for (int r = 8; r < 28; r++)
                for (int k = 0; k < 3; k++, n++)
                {
                    double error = values[r - 2, c] - values[r + k, c];
                    absolute += Math.Abs(error);
                    squared += error * error;
                }
            // float32 values, errors summed in float64: agreement to 1e-6 relative.
            Assert.Equal(absolute / n, result.Channels.ChannelMae[channel], 1e-5);
            Assert.Equal(squared / n, result.Channels.ChannelMse[channel], 1e-5);
        }
    }

    [Fact]
    public void Seasonal_naive_reads_each_columns_value_one_season_earlier()
    {
        using var scope = NewDisposeScope();
        // The prediction of row r + k is row r + k - 24 of the same column: an error of 240 in every column.
        using var generator = new WindowGenerator(Linear(300), new[] { 3, 1 }, new WindowOptions(24, 1, 0, 8) { Horizon = 4 }, 0, 200, false);

        var result = Baselines.SeasonalNaive(generator, 10, 24);

        Assert.Equal(new[] { 240.0, 240.0 }, result.Channels.ChannelMae.Select(m => Math.Round(m, 3)));
        Assert.Equal(240, result.Mae, 1e-3);
    }

    [Fact]
    public void Errors_average_over_horizon_and_channels_and_select_the_targets()
    {
        using var scope = NewDisposeScope();
        using var sums = new ChannelErrorSums(3, CPU);
        // (2 windows, horizon 2, 3 channels): errors 1 in channel 0, 2 in channel 1, -4 in channel 2.
        var targets = zeros(2, 2, 3);
        var predictions = tensor(new float[] { 1, 2, -4 }).expand(2, 2, 3);
        sums.Add(predictions, targets);
        // A model may return (B, horizon · channels): the same values, horizon-major.
        sums.Add(predictions.reshape(2, 6), targets);

        var errors = sums.Result();

        Assert.Equal(new[] { 1.0, 2.0, 4.0 }, errors.ChannelMae);
        Assert.Equal(new[] { 1.0, 4.0, 16.0 }, errors.ChannelMse);
        Assert.Equal(7.0 / 3, errors.Mae, 12);
        Assert.Equal(7.0, errors.Mse, 12);
        var targetsOnly = errors.Select(new[] { 2, 0 });
        Assert.Equal(new[] { 4.0, 1.0 }, targetsOnly.ChannelMae);
        Assert.Equal(2.5, targetsOnly.Mae, 12);
    }
}
