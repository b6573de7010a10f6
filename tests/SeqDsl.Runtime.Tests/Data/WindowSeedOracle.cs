using static TorchSharp.torch;

namespace SeqDsl.Runtime.Tests.Data;

/// <summary>
/// Plain-loop transliteration of the seed's Python generator (Deep Learning with Python, 6.3), sequential mode,
/// extended by horizon (targets data[row + delay + k]); the oracle the tensor implementation is compared with.
/// </summary>
internal sealed class WindowSeedOracle
{
    private readonly float[,] data;
    private readonly int lookback, delay, minIndex, maxIndex, batchSize, step, target, horizon;
    private int i;

    public WindowSeedOracle(float[,] data, int target, int lookback, int delay, int minIndex, int? maxIndex,
        int batchSize, int step, int horizon = 1)
    {
        this.data = data;
        this.target = target;
        this.lookback = lookback;
        this.delay = delay;
        this.minIndex = minIndex;
        // if max_index is None: max_index = len(data) - delay - 1  (horizon 1)
        this.maxIndex = maxIndex ?? data.GetLength(0) - delay - horizon;
        this.batchSize = batchSize;
        this.step = step;
        this.horizon = horizon;
        i = minIndex + lookback;
    }

    public (float[,,] Samples, float[,] Targets, long[] Rows) Next()
    {
        // if i + batch_size >= max_index: i = min_index + lookback
        if (i + batchSize >= maxIndex)
            i = minIndex + lookback;
        // rows = np.arange(i, min(i + batch_size, max_index)); i += len(rows)
        int end = Math.Min(i + batchSize, maxIndex);
        var rows = new long[end - i];
        for (int j = 0; j < rows.Length; j++)
            rows[j] = i + j;
        i += rows.Length;
        var (samples, targets) = Batch(rows);
        return (samples, targets, rows);
    }

    /// <summary>samples[j] = data[range(rows[j] - lookback, rows[j], step)], targets[j, k] = data[rows[j] + delay + k][target].</summary>
    public (float[,,] Samples, float[,] Targets) Batch(long[] rows)
    {
        int features = data.GetLength(1);
        var samples = new float[rows.Length, lookback / step, features];
        var targets = new float[rows.Length, horizon];
        for (int j = 0; j < rows.Length; j++)
        {
            int t = 0;
            for (long r = rows[j] - lookback; r < rows[j]; r += step, t++)
                for (int c = 0; c < features; c++)
                    samples[j, t, c] = data[r, c];
            for (int k = 0; k < horizon; k++)
                targets[j, k] = data[rows[j] + delay + k, target];
        }
        return (samples, targets);
    }

    /// <summary>data[r, c] = r * 10 + c: every value tells its row and column.</summary>
    public static float[,] Linear(int rows, int features)
    {
        var values = new float[rows, features];
        for (int r = 0; r < rows; r++)
            for (int c = 0; c < features; c++)
                values[r, c] = r * 10 + c;
        return values;
    }

    public static Tensor ToTensor(float[,] values) => tensor(values);

    public static float[] Flat(float[,,] values) => values.Cast<float>().ToArray();

    public static float[] Flat(float[,] values) => values.Cast<float>().ToArray();
}
