using System;
using System.Collections.Generic;
using System.Linq;
using System.Runtime.InteropServices;
using static TorchSharp.torch;

namespace SeqDsl.Runtime.Data;

/// <summary>An endless source of (inputs, targets) batches.</summary>
public interface IBatchSource
{
    /// <summary>Returns the next batch; the caller owns (and disposes) both tensors.</summary>
    (Tensor Inputs, Tensor Targets) Next();
}

/// <summary>
/// Cuts windows of a (rows, features) series into batches, with exactly the semantics of the generator in
/// Chollet, Deep Learning with Python (1st ed.), 6.3: a window for target row <c>r</c> holds rows
/// <c>r - lookback, r - lookback + step, …, r - step</c> and its target is <c>data[r + delay, target]</c>.
/// </summary>
/// <remarks>
/// With several target columns (a multivariate forecast) the targets of a batch are (B, horizon, columns), the layout of
/// Keras's and PyTorch's forecasting code: <c>targets[b, k, c] = data[r_b + delay + k, targetColumns[c]]</c>. With one
/// target column they stay (B, horizon), as the lecture's generator yields them.
/// </remarks>
/// <remarks>
/// Rows are drawn from <c>[MinIndex + Lookback, MaxIndex)</c>: uniformly when shuffling (torch generator seeded
/// with the given seed), otherwise consecutively, restarting at <c>MinIndex + Lookback</c> when
/// <c>i + BatchSize &gt;= MaxIndex</c> (the seed's rule, so the rows just before MaxIndex may never be visited).
/// On the CPU the generator keeps its own copy of the rows its windows can read, arranged so that each window is
/// one contiguous block (<see cref="WindowBlocks"/>): later changes to the data are not seen. On other devices
/// batches are gathered with index_select on the data's device, without copying the data.
/// </remarks>
public sealed class WindowGenerator : IBatchSource, IDisposable
{
    private readonly Tensor data;
    private readonly bool convert;
    private readonly long features;
    private readonly Tensor sampleOffsets;   // (T) int64: -lookback, -lookback + step, …, -step (flipped for Reverse)
    private readonly Tensor targetOffsets;   // (H) int64: delay, …, delay + horizon - 1
    private readonly Tensor targetColumnIndex;    // (K) int64: the target columns
    private readonly int[] targetColumns;
    private readonly Generator? random;
    private readonly WindowBlocks? blocks;
    private readonly int firstRow;
    private long nextRow;
    private long lastStart;
    private int lastCount;
    private long[]? lastShuffled;
    private bool disposed;

    /// <summary>Creates the generator.</summary>
    /// <param name="data">(rows, features) float32 series, already on the target device; it is not copied.</param>
    /// <param name="targetColumn">Column of <paramref name="data"/> that holds the target.</param>
    /// <param name="options">Window shape and batch size.</param>
    /// <param name="minIndex">First row a window may start at (the seed's min_index).</param>
    /// <param name="maxIndex">Exclusive bound on target rows (the seed's max_index); null: rows - delay - horizon.</param>
    /// <param name="shuffle">Draw rows at random instead of consecutively.</param>
    /// <param name="seed">Seed of the row sampler when shuffling; the same seed gives the same batches.</param>
    /// <exception cref="ArgumentException">An argument is out of range or no window fits; the message names it.</exception>
    public WindowGenerator(Tensor data, int targetColumn, WindowOptions options, int minIndex, int? maxIndex, bool shuffle, long seed = 0)
        : this(data, new[] { InRange(data, targetColumn) }, options, minIndex, maxIndex, shuffle, seed, hostBlocks: true)
    {
    }

    /// <summary>The single target column, checked here so that the error names this constructor's parameter.</summary>
    private static int InRange(Tensor data, int targetColumn)
    {
        if (data is not null && data.dim() == 2 && (targetColumn < 0 || targetColumn >= data.shape[1]))
            throw new ArgumentOutOfRangeException(nameof(targetColumn), targetColumn,
                $"Target column {targetColumn} is outside the data's {data.shape[1]} columns.");
        return targetColumn;
    }

    /// <summary>Creates a generator whose targets are several columns: (B, horizon, columns) when there are more than one.</summary>
    /// <param name="data">(rows, features) float32 series, already on the target device; it is not copied.</param>
    /// <param name="targetColumns">Columns of <paramref name="data"/> to predict, in the order of the targets' last axis; at least one, none twice.</param>
    /// <param name="options">Window shape and batch size.</param>
    /// <param name="minIndex">First row a window may start at (the seed's min_index).</param>
    /// <param name="maxIndex">Exclusive bound on target rows (the seed's max_index); null: rows - delay - horizon.</param>
    /// <param name="shuffle">Draw rows at random instead of consecutively.</param>
    /// <param name="seed">Seed of the row sampler when shuffling; the same seed gives the same batches.</param>
    /// <exception cref="ArgumentException">An argument is out of range or no window fits; the message names it.</exception>
    public WindowGenerator(Tensor data, IReadOnlyList<int> targetColumns, WindowOptions options, int minIndex, int? maxIndex, bool shuffle, long seed = 0)
        : this(data, targetColumns, options, minIndex, maxIndex, shuffle, seed, hostBlocks: true)
    {
    }

    /// <summary>As the public constructors; <paramref name="hostBlocks"/> false always gathers with index_select (for tests).</summary>
    internal WindowGenerator(Tensor data, IReadOnlyList<int> targetColumns, WindowOptions options, int minIndex, int? maxIndex, bool shuffle, long seed, bool hostBlocks)
    {
        ArgumentNullException.ThrowIfNull(targetColumns);
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(options);
        if (data.dim() != 2)
            throw new ArgumentException(
                $"Data must be 2-D (rows, features), got shape ({string.Join(", ", data.shape)}).", nameof(data));
        if (data.is_complex() || data.dtype == ScalarType.Bool)
            throw new ArgumentException($"Data must be a real-valued tensor, got dtype {data.dtype}.", nameof(data));
        long rows = data.shape[0];
        features = data.shape[1];
        if (targetColumns.Count == 0)
            throw new ArgumentException("At least one target column is needed.", nameof(targetColumns));
        foreach (int targetColumn in targetColumns)
        {
            if (targetColumn < 0 || targetColumn >= features)
                throw new ArgumentOutOfRangeException(nameof(targetColumns), targetColumn,
                    $"Target column {targetColumn} is outside the data's {features} columns.");
        }
        if (targetColumns.Distinct().Count() != targetColumns.Count)
            throw new ArgumentException($"Target columns [{string.Join(", ", targetColumns)}] name a column twice.", nameof(targetColumns));
        ValidateOptions(options);
        if (minIndex < 0)
            throw new ArgumentOutOfRangeException(nameof(minIndex), minIndex, $"minIndex must not be negative, got {minIndex}.");

        var geometry = options.Geometry;
        long resolvedMax = maxIndex ?? geometry.DefaultMaxIndex(rows);
        if (resolvedMax > int.MaxValue)
            throw new ArgumentOutOfRangeException(nameof(maxIndex), resolvedMax, "maxIndex must fit in an int.");
        if (!geometry.HasRoom(minIndex, resolvedMax))
            throw new ArgumentException(
                $"No window fits in rows [{minIndex}, {resolvedMax}) (minIndex {minIndex}, maxIndex " +
                $"{(maxIndex is null ? $"null -> {resolvedMax} = {rows} rows - delay {options.Delay} - horizon {options.Horizon}" : resolvedMax.ToString())}): " +
                $"the first target row minIndex + lookback = {geometry.FirstRow(minIndex)} must be below maxIndex.",
                maxIndex is null ? nameof(minIndex) : nameof(maxIndex));
        // The seed lets targets lie past max_index (only rows are bounded by it), so only the data's end matters:
        // the last drawable row is MaxIndex - 1 and its last target row must exist.
        long lastTargetRow = geometry.LastTarget(resolvedMax);
        if (lastTargetRow >= rows)
            throw new ArgumentOutOfRangeException(nameof(maxIndex), maxIndex,
                $"maxIndex {resolvedMax} is too large for {rows} data rows: row {resolvedMax - 1} needs target row " +
                $"{lastTargetRow} (row + delay {options.Delay} + horizon {options.Horizon} - 1); maxIndex must be at most " +
                $"{geometry.LargestMaxIndex(rows)}.");

        this.data = data;
        this.targetColumns = targetColumns.ToArray();
        Options = options;
        MinIndex = minIndex;
        MaxIndex = (int)resolvedMax;
        firstRow = (int)geometry.FirstRow(minIndex);
        nextRow = firstRow;
        convert = data.dtype != ScalarType.Float32;

        // Cached for every batch; detached so that a caller's dispose scope around the constructor cannot free them.
        using (var scope = NewDisposeScope())
        {
            var offsets = arange(-options.Lookback, 0, options.Step, dtype: ScalarType.Int64, device: data.device);
            if (options.Reverse)
                offsets = offsets.flip(0);
            sampleOffsets = offsets.DetachFromDisposeScope();
            targetOffsets = arange(options.Delay, options.Delay + options.Horizon, dtype: ScalarType.Int64, device: data.device)
                .DetachFromDisposeScope();
            targetColumnIndex = tensor(this.targetColumns.Select(c => (long)c).ToArray(), dtype: ScalarType.Int64).to(data.device).DetachFromDisposeScope();
        }
        if (hostBlocks)
            blocks = WindowBlocks.TryCreate(data, this.targetColumns, options, firstRow, MaxIndex);
        if (shuffle)
        {
            // A CPU generator: the same seed gives the same rows whatever device the data is on.
            random = new Generator(unchecked((ulong)seed));
        }
    }

    /// <summary>First row a window may start at.</summary>
    public int MinIndex { get; }

    /// <summary>Exclusive bound on target rows, resolved (null was rows - delay - horizon).</summary>
    public int MaxIndex { get; }

    /// <summary>Column of the data that holds the target; with several target columns, the first of <see cref="TargetColumns"/>.</summary>
    public int TargetColumn => targetColumns[0];

    /// <summary>Columns of the data that hold the targets, in the order of the targets' last axis.</summary>
    public IReadOnlyList<int> TargetColumns => targetColumns;

    /// <summary>Whether targets carry a channel axis, (B, horizon, columns): there is more than one target column.</summary>
    public bool HasChannelAxis => targetColumns.Length > 1;

    /// <summary>Window shape and batch size.</summary>
    public WindowOptions Options { get; }

    /// <summary>Whether rows are drawn at random.</summary>
    public bool Shuffle => random is not null;

    /// <summary>Whether batches are copied from the generator's own contiguous blocks (CPU data) rather than gathered.</summary>
    internal bool UsesHostBlocks => blocks is not null;

    /// <summary>The series the windows are cut from (not owned).</summary>
    internal Tensor Data => data;

    /// <summary>Target rows (the seed's <c>rows</c>) of the last batch; empty before the first.</summary>
    public long[] LastRows
    {
        get
        {
            if (lastShuffled is not null)
                return (long[])lastShuffled.Clone();
            var result = new long[lastCount];
            for (int j = 0; j < lastCount; j++)
                result[j] = lastStart + j;
            return result;
        }
    }

    /// <summary>Batches per validation or test pass as the lecture counts them: <c>(maxIndex - minIndex - lookback) // batchSize</c>.</summary>
    /// <remarks>Floor division, as Python's <c>//</c>.</remarks>
    public static int Steps(int minIndex, int maxIndex, int lookback, int batchSize)
    {
        if (batchSize < 1)
            throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize, "Batch size must be positive.");
        long span = (long)maxIndex - minIndex - lookback;
        return (int)Math.Floor((double)span / batchSize);
    }

    /// <summary><see cref="Steps"/> for this generator's bounds.</summary>
    public int StepsPerPass => Steps(MinIndex, MaxIndex, Options.Lookback, Options.BatchSize);

    /// <summary>Next batch: inputs (B, TimeSteps, features) and targets (B, Horizon), or (B, Horizon, columns) with several target columns, float32 on the data's device.</summary>
    public (Tensor Inputs, Tensor Targets) Next()
    {
        using var scope = NewDisposeScope();
        var (inputs, targets, _) = NextCore();
        return (inputs.MoveToOuterDisposeScope(), targets.MoveToOuterDisposeScope());
    }

    /// <summary>As <see cref="Next"/>, also returning the batch's target rows (B) int64 on the data's device.</summary>
    /// <remarks>Creates its tensors in the caller's dispose scope, if any.</remarks>
    internal (Tensor Inputs, Tensor Targets, Tensor Rows) NextCore()
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        Tensor rows;
        if (random is not null)
        {
            // Drawn on the CPU (where the sampler lives), then moved; both tensors belong to the caller's scope.
            var drawn = randint(firstRow, MaxIndex, new long[] { Options.BatchSize }, dtype: ScalarType.Int64, generator: random);
            lastShuffled = drawn.data<long>().ToArray();
            rows = drawn.to(data.device);
        }
        else
        {
            // The seed's rule, including ">=": restart before a batch would reach max_index.
            if (nextRow + Options.BatchSize >= MaxIndex)
                nextRow = firstRow;
            long end = Math.Min(nextRow + Options.BatchSize, MaxIndex);
            lastStart = nextRow;
            lastCount = (int)(end - nextRow);
            lastShuffled = null;
            rows = arange(nextRow, end, dtype: ScalarType.Int64, device: data.device);
            nextRow = end;
        }

        long batch = rows.shape[0];
        Tensor inputs, targets;
        if (blocks is not null)
        {
            // The rows are known on the host: block copies straight into the batch tensors.
            var rowValues = lastShuffled ?? LastRows;
            inputs = empty(batch, Options.TimeSteps, features, dtype: ScalarType.Float32);
            targets = empty(TargetShape(batch), dtype: ScalarType.Float32);
            blocks.Fill(rowValues, MemoryMarshal.Cast<byte, float>(inputs.bytes), MemoryMarshal.Cast<byte, float>(targets.bytes));
            return (inputs, targets, rows);
        }
        using (var scope = NewDisposeScope())
        {
            var sampleIndex = rows.unsqueeze(1).Plus(sampleOffsets.unsqueeze(0)).view(-1);
            inputs = data.index_select(0, sampleIndex).view(batch, Options.TimeSteps, features);
            var targetRows = rows.unsqueeze(1).Plus(targetOffsets.unsqueeze(0)).view(-1);
            targets = data.index_select(1, targetColumnIndex).index_select(0, targetRows).view(TargetShape(batch));
            if (convert)
            {
                inputs = inputs.to_type(ScalarType.Float32);
                targets = targets.to_type(ScalarType.Float32);
            }
            inputs.MoveToOuterDisposeScope();
            targets.MoveToOuterDisposeScope();
        }
        return (inputs, targets, rows);
    }

    private long[] TargetShape(long batch)
        => HasChannelAxis ? new[] { batch, Options.Horizon, targetColumns.Length } : new[] { batch, (long)Options.Horizon };

    /// <summary>Releases the cached index tensors and the sampler; the data is not disposed.</summary>
    public void Dispose()
    {
        if (disposed)
            return;
        disposed = true;
        sampleOffsets.Dispose();
        targetOffsets.Dispose();
        targetColumnIndex.Dispose();
        random?.Dispose();
    }

    private static void ValidateOptions(WindowOptions options)
    {
        // Re-checked here because a `with` expression can bypass WindowOptions' constructor.
        if (options.Step < 1)
            throw new ArgumentException($"Step must be positive, got {options.Step}.", nameof(options));
        if (options.Lookback < 1)
            throw new ArgumentException($"Lookback must be positive, got {options.Lookback}.", nameof(options));
        if (!WindowGeometry.IsWholeSteps(options.Lookback, options.Step))
            throw new ArgumentException(
                $"Lookback ({options.Lookback}) must be a multiple of Step ({options.Step}).", nameof(options));
        if (options.Delay < 0)
            throw new ArgumentException($"Delay must not be negative, got {options.Delay}.", nameof(options));
        if (options.BatchSize < 1)
            throw new ArgumentException($"BatchSize must be at least 1, got {options.BatchSize}.", nameof(options));
        if (options.Horizon < 1)
            throw new ArgumentException($"Horizon must be at least 1, got {options.Horizon}.", nameof(options));
    }
}
