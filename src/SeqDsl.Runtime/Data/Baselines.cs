using System;
using System.Linq;
using static TorchSharp.torch;

namespace SeqDsl.Runtime.Data;

/// <summary>Score of a baseline over some batches, in the data's (normalized) units.</summary>
/// <param name="Name">Which baseline.</param>
/// <param name="Mae">Mean over batches of the batch mean absolute error (the lecture's <c>np.mean(batch_maes)</c>).</param>
/// <param name="Mse">Mean over batches of the batch mean squared error.</param>
/// <param name="Batches">Batches evaluated.</param>
public sealed record BaselineResult(string Name, double Mae, double Mse, int Batches)
{
    /// <summary>Per target column of the generator (in its order): MAE and MSE over the horizon, each averaged as <see cref="Mae"/>.</summary>
    public ChannelErrors Channels { get; init; } = ChannelErrors.Single(Mae, Mse);
}

/// <summary>
/// Common-sense baselines a model has to beat, scored on the batches of a <see cref="WindowGenerator"/>
/// as in the lecture's <c>evaluate_naive_method</c>.
/// </summary>
/// <remarks>
/// Each baseline consumes <c>steps</c> batches from the generator it is given: pass a fresh sequential generator
/// with the validation bounds so that it sees exactly the batches the model is validated on.
/// </remarks>
public static class Baselines
{
    /// <summary>
    /// Predicts the last sampled value of the target in the window (<c>samples[:, -1, target]</c> in chronological
    /// order, also when the generator reverses), repeated for every horizon step; with several target columns, each
    /// column's own last value.
    /// </summary>
    /// <param name="generator">Batches to score; <paramref name="steps"/> of them are consumed.</param>
    /// <param name="steps">Batches to average over, e.g. <see cref="WindowGenerator.StepsPerPass"/>.</param>
    public static BaselineResult Naive(WindowGenerator generator, int steps)
    {
        ArgumentNullException.ThrowIfNull(generator);
        RequireSteps(steps);
        var options = generator.Options;
        // Reversed windows hold the most recent sample first.
        long last = options.Reverse ? 0 : options.TimeSteps - 1;
        using var columns = ColumnIndex(generator);
        return Score("naive", generator, steps, (inputs, _) =>
            inputs.select(1, last).index_select(1, columns).unsqueeze(1).expand(inputs.shape[0], options.Horizon, columns.shape[0]));
    }

    /// <summary>
    /// Predicts target row <c>r + delay + k</c> by the value one season earlier, <c>data[r + delay + k - seasonLength, target]</c>
    /// (e.g. 144 rows: the same time the day before, for 10-minute data); with several target columns, for each column.
    /// </summary>
    /// <param name="generator">Batches to score; <paramref name="steps"/> of them are consumed.</param>
    /// <param name="steps">Batches to average over.</param>
    /// <param name="seasonLength">Season in rows; must exceed <c>delay + horizon - 1</c> so that no prediction reads a row at or after the window's end.</param>
    /// <exception cref="ArgumentException">The season would peek at the future, or reach before the first data row.</exception>
    public static BaselineResult SeasonalNaive(WindowGenerator generator, int steps, int seasonLength)
    {
        ArgumentNullException.ThrowIfNull(generator);
        RequireSteps(steps);
        var options = generator.Options;
        int latestLead = options.Delay + options.Horizon - 1;
        // Window for row r ends before row r, so data[r + delay + k - season] is known only when it is below r.
        if (seasonLength <= latestLead)
            throw new ArgumentException(
                $"Season length {seasonLength} must exceed delay + horizon - 1 = {options.Delay} + {options.Horizon} - 1 = {latestLead}: " +
                $"otherwise the prediction for target row r + {latestLead} would read row r + {latestLead - seasonLength}, at or after the window's end row r.",
                nameof(seasonLength));
        var geometry = options.Geometry;
        long firstTarget = geometry.FirstTarget(geometry.FirstRow(generator.MinIndex));
        long earliest = firstTarget - seasonLength;
        if (earliest < 0)
            throw new ArgumentException(
                $"Season length {seasonLength} reaches before the first data row: the first target row " +
                $"{firstTarget} would be predicted by row {earliest}.",
                nameof(seasonLength));

        using var offsets = arange(options.Delay - seasonLength, options.Delay - seasonLength + options.Horizon,
            dtype: ScalarType.Int64, device: generator.Data.device);
        using var columns = ColumnIndex(generator);
        return Score($"seasonal naive ({seasonLength} rows)", generator, steps, (_, rows) =>
        {
            var index = rows.unsqueeze(1).Plus(offsets.unsqueeze(0)).view(-1);
            var predictions = generator.Data.index_select(1, columns).index_select(0, index).view(rows.shape[0], options.Horizon, columns.shape[0]);
            return predictions.dtype == ScalarType.Float32 ? predictions : predictions.to_type(ScalarType.Float32);
        });
    }

    private static Tensor ColumnIndex(WindowGenerator generator)
        => tensor(generator.TargetColumns.Select(c => (long)c).ToArray(), dtype: ScalarType.Int64).to(generator.Data.device);

    // predict(inputs, rows) gives the (B, Horizon, K) predictions of one batch.
    private static BaselineResult Score(string name, WindowGenerator generator, int steps, Func<Tensor, Tensor, Tensor> predict)
    {
        using var errors = new ChannelErrorSums(generator.TargetColumns.Count, generator.Data.device);
        for (int step = 0; step < steps; step++)
        {
            using var scope = NewDisposeScope();
            var (inputs, targets, rows) = generator.NextCore();
            errors.Add(predict(inputs, rows), targets);
        }
        var channels = errors.Result();
        return new BaselineResult(name, channels.Mae, channels.Mse, steps) { Channels = channels };
    }

    private static void RequireSteps(int steps)
    {
        if (steps < 1)
            throw new ArgumentOutOfRangeException(nameof(steps), steps, "At least one batch is needed.");
    }
}
