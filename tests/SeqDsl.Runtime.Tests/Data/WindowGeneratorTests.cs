using SeqDsl.Runtime.Data;
using static TorchSharp.torch;

namespace SeqDsl.Runtime.Tests.Data;

public class WindowGeneratorTests
{
    private const int Features = 3;
    private const int Target = 1;

    public static TheoryData<int, int, int, int, int, int?, int> SeedCombos => new()
    {
        // lookback, step, delay, batch, min, max (null: the seed's default), horizon
        { 12, 3, 2, 5, 0, null, 1 },
        { 12, 3, 2, 5, 10, 100, 1 },
        { 6, 6, 0, 7, 3, 50, 1 },
        { 10, 1, 5, 16, 0, 40, 1 },
        { 24, 6, 6, 8, 50, null, 1 },
        { 4, 2, 1, 64, 0, 30, 1 },      // the split is smaller than a batch: every batch is rows [4, 30)
        { 8, 4, 3, 9, 20, 64, 1 },      // i + batch == max after three batches: ">=" restarts instead of a full 55..63 batch
        { 12, 3, 2, 5, 0, null, 4 },
        { 9, 3, 0, 6, 5, 120, 3 },
    };

    [Theory]
    [MemberData(nameof(SeedCombos))]
    public void Sequential_batches_follow_the_seed_generator_including_wrap_around(
        int lookback, int step, int delay, int batch, int min, int? max, int horizon)
    {
        using var scope = NewDisposeScope();
        var values = WindowSeedOracle.Linear(200, Features);
        var oracle = new WindowSeedOracle(values, Target, lookback, delay, min, max, batch, step, horizon);
        using var generator = new WindowGenerator(WindowSeedOracle.ToTensor(values), Target,
            new WindowOptions(lookback, step, delay, batch) { Horizon = horizon }, min, max, shuffle: false);

        int wraps = 0;
        long previousFirst = -1;
        for (int n = 0; n < 300; n++)
        {
            using var batchScope = NewDisposeScope();
            var (samples, targets, rows) = oracle.Next();
            var (inputs, actualTargets) = generator.Next();

            Assert.Equal(rows, generator.LastRows);
            Assert.Equal(new long[] { rows.Length, lookback / step, Features }, inputs.shape);
            Assert.Equal(new long[] { rows.Length, horizon }, actualTargets.shape);
            Assert.Equal(WindowSeedOracle.Flat(samples), inputs.data<float>().ToArray());
            Assert.Equal(WindowSeedOracle.Flat(targets), actualTargets.data<float>().ToArray());
            if (rows[0] <= previousFirst)
                wraps++;
            previousFirst = rows[0];
        }
        // 300 batches cover every combination's range several times, so the restart rule was exercised.
        Assert.True(wraps > 0, "the generator never wrapped around");
    }

    [Fact]
    public void Null_max_index_resolves_to_the_seeds_default()
    {
        using var scope = NewDisposeScope();
        var data = zeros(500, Features);
        using var seedDefault = new WindowGenerator(data, Target, new WindowOptions(12, 3, 7, 4), 0, null, false);
        using var withHorizon = new WindowGenerator(data, Target, new WindowOptions(12, 3, 7, 4) { Horizon = 5 }, 0, null, false);

        Assert.Equal(500 - 7 - 1, seedDefault.MaxIndex);   // len(data) - delay - 1
        Assert.Equal(500 - 7 - 5, withHorizon.MaxIndex);
        Assert.Equal(0, seedDefault.MinIndex);
    }

    [Fact]
    public void Sequential_batches_are_full_once_the_split_holds_a_batch()
    {
        using var scope = NewDisposeScope();
        using var generator = new WindowGenerator(zeros(300, Features), Target, new WindowOptions(10, 2, 3, 16), 5, 100, false);
        for (int n = 0; n < 50; n++)
        {
            using var _ = NewDisposeScope();
            generator.Next();
            var rows = generator.LastRows;
            Assert.Equal(16, rows.Length);
            Assert.True(rows[^1] < 100);
        }
    }

    [Fact]
    public void Shuffled_rows_stay_in_range_cover_it_and_match_their_windows()
    {
        using var scope = NewDisposeScope();
        var values = WindowSeedOracle.Linear(120, Features);
        var oracle = new WindowSeedOracle(values, Target, 12, 3, 20, 52, 16, 4, horizon: 2);
        using var generator = new WindowGenerator(WindowSeedOracle.ToTensor(values), Target,
            new WindowOptions(12, 4, 3, 16) { Horizon = 2 }, 20, 52, shuffle: true, seed: 3);

        var seen = new HashSet<long>();
        for (int n = 0; n < 60; n++)
        {
            using var batchScope = NewDisposeScope();
            var (inputs, targets) = generator.Next();
            var rows = generator.LastRows;
            Assert.Equal(16, rows.Length);
            Assert.All(rows, r => Assert.InRange(r, 20 + 12, 52 - 1));
            seen.UnionWith(rows);
            var (samples, expectedTargets) = oracle.Batch(rows);
            Assert.Equal(WindowSeedOracle.Flat(samples), inputs.data<float>().ToArray());
            Assert.Equal(WindowSeedOracle.Flat(expectedTargets), targets.data<float>().ToArray());
        }
        // 960 uniform draws from 20 rows: both ends of [min + lookback, max) are drawn.
        Assert.Equal(Enumerable.Range(32, 20).Select(r => (long)r), seen.Order());
    }

    [Fact]
    public void Shuffle_is_deterministic_per_seed_and_differs_between_seeds()
    {
        using var scope = NewDisposeScope();
        var data = WindowSeedOracle.ToTensor(WindowSeedOracle.Linear(2000, Features));
        var options = new WindowOptions(24, 6, 6, 32);
        long[][] Draw(long seed)
        {
            using var generator = new WindowGenerator(data, Target, options, 0, 1500, true, seed);
            return Enumerable.Range(0, 5).Select(i =>
            {
                using var batchScope = NewDisposeScope();
                generator.Next();
                return generator.LastRows;
            }).ToArray();
        }

        var first = Draw(42);
        Assert.Equal(first, Draw(42));
        Assert.NotEqual(first, Draw(43));
        // Batches of one generator differ too (it is a stream, not one batch repeated).
        Assert.NotEqual(first[0], first[1]);
    }

    [Fact]
    public void Steps_equals_the_lectures_val_steps_and_test_steps()
    {
        const int lookback = 1440, batch = 128, jenaRows = 420551;
        // val_steps = (300000 - 200001 - lookback) // batch_size
        Assert.Equal(769, WindowGenerator.Steps(200001, 300000, lookback, batch));
        Assert.Equal((300000 - 200001 - lookback) / batch, WindowGenerator.Steps(200001, 300000, lookback, batch));
        // test_steps = (len(float_data) - 300001 - lookback) // batch_size
        Assert.Equal(930, WindowGenerator.Steps(300001, jenaRows, lookback, batch));
        // Python's // floors.
        Assert.Equal(-1, WindowGenerator.Steps(0, 10, 20, 128));
        Assert.Throws<ArgumentOutOfRangeException>(() => WindowGenerator.Steps(0, 10, 2, 0));

        using var scope = NewDisposeScope();
        var data = zeros(jenaRows, 2);
        var options = new WindowOptions(lookback, 6, 144, batch);
        using var validation = new WindowGenerator(data, 1, options, 200001, 300000, false);
        using var test = new WindowGenerator(data, 1, options, 300001, null, false);
        Assert.Equal(769, validation.StepsPerPass);
        // The test generator's max_index is len - delay - 1, so it holds fewer batches than the lecture's test_steps counts.
        Assert.Equal((jenaRows - 144 - 1 - 300001 - lookback) / batch, test.StepsPerPass);
    }

    [Fact]
    public void Horizon_targets_are_the_next_values_after_the_delay()
    {
        using var scope = NewDisposeScope();
        var data = WindowSeedOracle.ToTensor(WindowSeedOracle.Linear(100, Features));
        using var generator = new WindowGenerator(data, 2, new WindowOptions(6, 2, 4, 3) { Horizon = 3 }, 0, null, false);

        var (inputs, targets) = generator.Next();

        Assert.Equal(new long[] { 6, 7, 8 }, generator.LastRows);
        Assert.Equal(new long[] { 3, 3 }, targets.shape);
        // targets[j, k] = data[row + delay + k, 2]
        Assert.Equal(new float[] { 102, 112, 122, 112, 122, 132, 122, 132, 142 }, targets.data<float>().ToArray());
        // First window, rows 0, 2, 4.
        Assert.Equal(new float[] { 0, 1, 2, 20, 21, 22, 40, 41, 42 }, inputs[0].data<float>().ToArray());
        // The largest row reads the data's last row: MaxIndex - 1 + delay + horizon - 1 = rows - 2.
        Assert.Equal(100 - 4 - 3, generator.MaxIndex);
    }

    [Fact]
    public void Reverse_flips_the_time_axis_and_keeps_targets()
    {
        using var scope = NewDisposeScope();
        var data = WindowSeedOracle.ToTensor(WindowSeedOracle.Linear(150, Features));
        var options = new WindowOptions(15, 3, 2, 8);
        using var forward = new WindowGenerator(data, Target, options, 4, 120, false);
        using var reversed = new WindowGenerator(data, Target, options with { Reverse = true }, 4, 120, false);

        for (int n = 0; n < 20; n++)
        {
            using var _ = NewDisposeScope();
            var (x, y) = forward.Next();
            var (xr, yr) = reversed.Next();
            Assert.Equal(forward.LastRows, reversed.LastRows);
            Assert.Equal(x.flip(1).data<float>().ToArray(), xr.data<float>().ToArray());
            Assert.Equal(y.data<float>().ToArray(), yr.data<float>().ToArray());
        }
        // Most recent sample first: row - step.
        using var fresh = new WindowGenerator(data, Target, options with { Reverse = true }, 0, null, false);
        var (first, _) = fresh.Next();
        Assert.Equal((15 - 3) * 10 + Target, first[0, 0, Target].item<float>());
    }

    [Fact]
    public void Next_returns_float32_on_the_data_device_and_leaves_only_its_results_in_the_scope()
    {
        using var scope = NewDisposeScope();
        var data = WindowSeedOracle.ToTensor(WindowSeedOracle.Linear(80, Features));
        using var generator = new WindowGenerator(data, Target, new WindowOptions(8, 2, 1, 4), 0, null, true, 1);

        int before = scope.DisposablesCount;
        var (inputs, targets) = generator.Next();

        Assert.Equal(before + 2, scope.DisposablesCount);
        Assert.Equal(ScalarType.Float32, inputs.dtype);
        Assert.Equal(ScalarType.Float32, targets.dtype);
        Assert.Equal(data.device_type, inputs.device_type);
        Assert.Equal(data.device_type, targets.device_type);
        Assert.Equal(new long[] { 4, 4, Features }, inputs.shape);
        Assert.Equal(new long[] { 4, 1 }, targets.shape);
    }

    [Fact]
    public void The_generator_outlives_the_scope_it_was_built_in()
    {
        var data = WindowSeedOracle.ToTensor(WindowSeedOracle.Linear(60, Features));
        WindowGenerator generator;
        using (NewDisposeScope())
            generator = new WindowGenerator(data, Target, new WindowOptions(4, 2, 1, 5), 0, null, false);

        using var scope = NewDisposeScope();
        var (inputs, targets) = generator.Next();
        Assert.Equal(new float[] { 51, 61, 71, 81, 91 }, targets.data<float>().ToArray());
        Assert.Equal(new float[] { 0, 1, 2, 20, 21, 22 }, inputs[0].data<float>().ToArray());
        generator.Dispose();
        data.Dispose();
    }

    [Fact]
    public void On_the_cpu_batches_come_from_a_copy_taken_when_the_generator_was_built()
    {
        using var scope = NewDisposeScope();
        var data = zeros(40, Features);
        using var blocks = new WindowGenerator(data, Target, new WindowOptions(4, 1, 0, 2), 0, null, false);
        using var gather = new WindowGenerator(data, new[] { Target }, new WindowOptions(4, 1, 0, 2), 0, null, false, 0, hostBlocks: false);
        Assert.True(blocks.UsesHostBlocks);
        Assert.False(gather.UsesHostBlocks);
        data.fill_(7);
        var (inputs, targets) = blocks.Next();
        Assert.All(inputs.data<float>().ToArray(), v => Assert.Equal(0f, v));
        Assert.All(targets.data<float>().ToArray(), v => Assert.Equal(0f, v));
        // The index_select path (other devices) reads the data itself.
        var (gathered, gatheredTargets) = gather.Next();
        Assert.All(gathered.data<float>().ToArray(), v => Assert.Equal(7f, v));
        Assert.All(gatheredTargets.data<float>().ToArray(), v => Assert.Equal(7f, v));
    }

    public static TheoryData<int, int, int, int, int, int?, int, bool, bool> PathCombos => new()
    {
        // lookback, step, delay, batch, min, max, horizon, reverse, shuffle
        { 12, 3, 2, 5, 0, null, 1, false, false },
        { 12, 3, 2, 5, 7, 150, 3, false, true },
        { 12, 3, 2, 5, 7, 150, 3, true, true },
        { 10, 1, 5, 16, 0, 40, 1, false, false },
        { 6, 6, 0, 7, 3, 50, 2, true, false },
        { 24, 6, 6, 8, 50, null, 1, false, true },
        { 35, 7, 4, 9, 11, 170, 2, false, true },   // rows covered not a multiple of the step: the last phase is padded
    };

    [Theory]
    [MemberData(nameof(PathCombos))]
    public void Block_copies_give_the_same_batches_as_the_index_select_gather(
        int lookback, int step, int delay, int batch, int min, int? max, int horizon, bool reverse, bool shuffle)
    {
        using var scope = NewDisposeScope();
        var data = rand(200, Features, dtype: ScalarType.Float64);
        var options = new WindowOptions(lookback, step, delay, batch) { Horizon = horizon, Reverse = reverse };
        using var blocks = new WindowGenerator(data, Target, options, min, max, shuffle, 5);
        using var gather = new WindowGenerator(data, new[] { Target }, options, min, max, shuffle, 5, hostBlocks: false);
        Assert.True(blocks.UsesHostBlocks);
        for (int n = 0; n < 100; n++)
        {
            using var batchScope = NewDisposeScope();
            var (x, y, rows) = blocks.NextCore();
            var (xg, yg, rowsg) = gather.NextCore();
            Assert.Equal(gather.LastRows, blocks.LastRows);
            Assert.Equal(rowsg.data<long>().ToArray(), rows.data<long>().ToArray());
            Assert.Equal(xg.shape, x.shape);
            Assert.Equal(yg.shape, y.shape);
            Assert.Equal(xg.data<float>().ToArray(), x.data<float>().ToArray());
            Assert.Equal(yg.data<float>().ToArray(), y.data<float>().ToArray());
        }
    }

    [Fact]
    public void Integer_data_gives_float32_batches()
    {
        using var scope = NewDisposeScope();
        var data = arange(0, 60, dtype: ScalarType.Int64).view(20, 3);
        using var generator = new WindowGenerator(data, 0, new WindowOptions(2, 1, 0, 1), 0, null, false);
        var (inputs, targets) = generator.Next();
        Assert.Equal(ScalarType.Float32, inputs.dtype);
        Assert.Equal(new float[] { 0, 1, 2, 3, 4, 5 }, inputs.data<float>().ToArray());
        Assert.Equal(6f, targets.item<float>());
    }

    [Fact]
    public void An_explicit_max_index_may_put_targets_past_it_but_not_past_the_data()
    {
        using var scope = NewDisposeScope();
        var data = WindowSeedOracle.ToTensor(WindowSeedOracle.Linear(100, Features));
        var options = new WindowOptions(10, 5, 5, 4);

        // Row 94 (the last below max 95) has its target at row 99, the data's last: allowed, as in the seed.
        using var generator = new WindowGenerator(data, Target, options, 80, 95, false);
        generator.Next();
        generator.Next();
        generator.Next();
        var (_, targets) = generator.Next();   // wrapped: rows 90..93
        Assert.Equal(new long[] { 90, 91, 92, 93 }, generator.LastRows);
        Assert.Equal(new float[] { 951, 961, 971, 981 }, targets.data<float>().ToArray());
        using var shuffled = new WindowGenerator(data, Target, options, 80, 95, true, 5);
        Assert.Contains(94L, Enumerable.Range(0, 30).SelectMany(_ => { shuffled.Next(); return shuffled.LastRows; }));

        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new WindowGenerator(data, Target, options, 80, 96, false));
        Assert.Equal("maxIndex", error.ParamName);
        Assert.Contains("96", error.Message);
        Assert.Contains("100", error.Message);
        var horizon = Assert.Throws<ArgumentOutOfRangeException>(() =>
            new WindowGenerator(data, Target, options with { Horizon = 2 }, 80, 95, false));
        Assert.Equal("maxIndex", horizon.ParamName);
    }

    [Fact]
    public void Lookback_not_a_multiple_of_step_is_rejected()
    {
        var error = Assert.Throws<ArgumentException>(() => new WindowOptions(10, 3, 0, 4));
        Assert.Equal("Lookback", error.ParamName);
        Assert.Contains("10", error.Message);
        Assert.Contains("3", error.Message);
        Assert.Throws<ArgumentException>(() => new WindowOptions(10, 0, 0, 4));
        Assert.Equal(40, new WindowOptions(240, 6, 144, 128).TimeSteps);

        // A `with` expression skips the record's constructor; the generator checks again.
        using var scope = NewDisposeScope();
        var bypass = new WindowOptions(12, 3, 0, 4) with { Step = 5 };
        var generatorError = Assert.Throws<ArgumentException>(() => new WindowGenerator(zeros(50, 2), 0, bypass, 0, null, false));
        Assert.Equal("options", generatorError.ParamName);
        Assert.Contains("12", generatorError.Message);
    }

    [Fact]
    public void Invalid_arguments_name_the_parameter_and_value()
    {
        using var scope = NewDisposeScope();
        var data = zeros(100, Features);
        var options = new WindowOptions(10, 2, 3, 8);

        var batch = Assert.Throws<ArgumentException>(() => new WindowGenerator(data, 0, options with { BatchSize = 0 }, 0, null, false));
        Assert.Contains("BatchSize", batch.Message);
        Assert.Contains("0", batch.Message);

        var horizon = Assert.Throws<ArgumentException>(() => new WindowGenerator(data, 0, options with { Horizon = 0 }, 0, null, false));
        Assert.Contains("Horizon", horizon.Message);

        var delay = Assert.Throws<ArgumentException>(() => new WindowGenerator(data, 0, options with { Delay = -1 }, 0, null, false));
        Assert.Contains("-1", delay.Message);

        var column = Assert.Throws<ArgumentOutOfRangeException>(() => new WindowGenerator(data, Features, options, 0, null, false));
        Assert.Equal("targetColumn", column.ParamName);
        Assert.Contains("3", column.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => new WindowGenerator(data, -1, options, 0, null, false));

        var rank = Assert.Throws<ArgumentException>(() => new WindowGenerator(zeros(100), 0, options, 0, null, false));
        Assert.Equal("data", rank.ParamName);
        Assert.Contains("(100)", rank.Message);

        var min = Assert.Throws<ArgumentOutOfRangeException>(() => new WindowGenerator(data, 0, options, -1, null, false));
        Assert.Equal("minIndex", min.ParamName);
    }

    [Fact]
    public void A_split_without_room_for_a_window_is_rejected_with_its_rows()
    {
        using var scope = NewDisposeScope();
        var data = zeros(100, Features);
        var options = new WindowOptions(10, 2, 3, 8);

        // min + lookback = 50 + 10 = 60 >= max 60.
        var explicitMax = Assert.Throws<ArgumentException>(() => new WindowGenerator(data, 0, options, 50, 60, false));
        Assert.Equal("maxIndex", explicitMax.ParamName);
        Assert.Contains("[50, 60)", explicitMax.Message);
        Assert.Contains("60", explicitMax.Message);
        // One row fits: min + lookback = 59 < 60.
        using var single = new WindowGenerator(data, 0, options, 49, 60, false);
        single.Next();
        Assert.Equal(new long[] { 59 }, single.LastRows);

        // Null max: 100 - 3 - 1 = 96 <= 90 + 10.
        var nullMax = Assert.Throws<ArgumentException>(() => new WindowGenerator(data, 0, options, 90, null, false));
        Assert.Equal("minIndex", nullMax.ParamName);
        Assert.Contains("96", nullMax.Message);
        Assert.Contains("100 rows", nullMax.Message);
    }

    [Fact]
    public void Next_after_dispose_throws()
    {
        using var scope = NewDisposeScope();
        var generator = new WindowGenerator(zeros(30, 2), 0, new WindowOptions(4, 2, 0, 2), 0, null, false);
        generator.Dispose();
        generator.Dispose();
        Assert.Throws<ObjectDisposedException>(() => generator.Next());
    }
}
