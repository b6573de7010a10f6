using System;

namespace SeqDsl.Runtime.Data;

/// <summary>
/// Shape of the windows cut by <see cref="WindowGenerator"/>, as the arguments of the generator in
/// Chollet, Deep Learning with Python (1st ed.), 6.3.
/// </summary>
/// <param name="Lookback">Rows of history before the target row that a window covers.</param>
/// <param name="Step">Sampling period inside the window: every <paramref name="Step"/>-th row is kept.</param>
/// <param name="Delay">Rows between the window's end row and the (first) target row.</param>
/// <param name="BatchSize">Windows per batch.</param>
public sealed record WindowOptions(int Lookback, int Step, int Delay, int BatchSize)
{
    /// <summary>Rows of history before the target row that a window covers; a multiple of <see cref="Step"/>.</summary>
    public int Lookback { get; init; } = RequireMultipleOfStep(Lookback, Step);

    /// <summary>Number of future values per target: <c>data[row + delay + k, target]</c> for k = 0..Horizon-1.</summary>
    public int Horizon { get; init; } = 1;

    /// <summary>Whether samples are in anti-chronological order (<c>samples[:, ::-1, :]</c>), for the reversed-sequence RNN.</summary>
    public bool Reverse { get; init; }

    /// <summary>Sampled rows per window: <c>Lookback / Step</c>.</summary>
    public int TimeSteps => Lookback / Step;

    /// <summary>Which rows the windows read and target.</summary>
    internal WindowGeometry Geometry => new(Lookback, Step, Delay, Horizon);

    private static int RequireMultipleOfStep(int lookback, int step)
    {
        if (step < 1)
            throw new ArgumentException($"Step must be positive, got {step}.", nameof(Step));
        if (!WindowGeometry.IsWholeSteps(lookback, step))
            throw new ArgumentException(
                $"Lookback ({lookback}) must be a multiple of Step ({step}): a window has Lookback / Step sampled rows.",
                nameof(Lookback));
        return lookback;
    }
}
