namespace SeqDsl.Runtime.Data;

/// <summary>
/// Which rows a split's windows read and target, as the generator in Chollet, Deep Learning with Python (1st ed.),
/// 6.3 defines them: the window for row <c>r</c> reads rows <c>r − lookback, r − lookback + step, …, r − step</c> and
/// targets rows <c>r + delay, …, r + delay + horizon − 1</c>; a split <c>[min_index, max_index)</c> draws its rows
/// from <c>[min_index + lookback, max_index)</c>.
/// </summary>
/// <remarks>
/// Plain C# without dependencies: the runtime compiles it for its windows, batches, baselines and run checks, and the
/// generator links it for the spec's checks, so the build and the run cannot disagree about a split.
/// </remarks>
internal readonly struct WindowGeometry
{
    /// <summary>Creates the geometry of windows of <paramref name="lookback"/> rows sampled every <paramref name="step"/>.</summary>
    public WindowGeometry(long lookback, long step, long delay, long horizon)
    {
        Lookback = lookback;
        Step = step;
        Delay = delay;
        Horizon = horizon;
    }

    /// <summary>Rows of history before the row a window is drawn for.</summary>
    public long Lookback { get; }

    /// <summary>Sampling period inside a window.</summary>
    public long Step { get; }

    /// <summary>Rows from the drawn row to its first target.</summary>
    public long Delay { get; }

    /// <summary>Targets per window.</summary>
    public long Horizon { get; }

    /// <summary>Sampled rows per window.</summary>
    public long TimeSteps => Lookback / Step;

    /// <summary>
    /// Whether a window holds a whole number of steps. The lecture's numpy assignment
    /// <c>samples[j] = data[range(row - lookback, row, step)]</c> fails with a shape mismatch otherwise.
    /// </summary>
    public static bool IsWholeSteps(long lookback, long step) => step >= 1 && lookback % step == 0;

    /// <summary>The first row a split starting at <paramref name="minIndex"/> draws: its first window starts at <paramref name="minIndex"/>.</summary>
    public long FirstRow(long minIndex) => minIndex + Lookback;

    /// <summary>Whether a split <c>[minIndex, maxIndex)</c> has a row to draw.</summary>
    public bool HasRoom(long minIndex, long maxIndex) => FirstRow(minIndex) < maxIndex;

    /// <summary>The first row the window for <paramref name="row"/> reads.</summary>
    public long FirstInputRow(long row) => row - Lookback;

    /// <summary>End (exclusive) of the rows read by windows drawn below <paramref name="endRow"/>: the last one reads up to <c>endRow − 1 − step</c>.</summary>
    public long InputEnd(long endRow) => endRow - Step;

    /// <summary>The first target row of the window for <paramref name="row"/>.</summary>
    public long FirstTarget(long row) => row + Delay;

    /// <summary>The last target row of windows drawn below <paramref name="endRow"/>.</summary>
    public long LastTarget(long endRow) => endRow - 1 + Delay + Horizon - 1;

    /// <summary>
    /// The window rows <c>[min_index, max_index]</c> of a split stated by its target rows <c>[firstTarget, lastTarget]</c>
    /// (inclusive; null: the series' end), as forecasting papers state splits: the first window predicts from
    /// <paramref name="firstTarget"/> on and reads the lookback rows before it, the last one predicts up to
    /// <paramref name="lastTarget"/>. Windows that would read before row 0 are left out (min_index is at least 0), so a
    /// split from row 0 predicts from row lookback + delay on.
    /// </summary>
    public (long MinIndex, long? MaxIndex) WindowRowsForTargets(long firstTarget, long? lastTarget)
    {
        long minIndex = firstTarget - Delay - Lookback;
        return (minIndex < 0 ? 0 : minIndex, lastTarget is long last ? last - Delay - Horizon + 2 : null);
    }

    /// <summary>The split's default bound on drawn rows in a series of <paramref name="rows"/> rows: every target lies inside it.</summary>
    public long DefaultMaxIndex(long rows) => rows - Delay - Horizon;

    /// <summary>The largest bound on drawn rows whose last target still lies inside a series of <paramref name="rows"/> rows.</summary>
    public long LargestMaxIndex(long rows) => DefaultMaxIndex(rows) + 1;
}
