using System;
using System.Globalization;

namespace SeqDsl.Runtime.Training;

/// <summary>
/// A loss became NaN or infinite: the weights are no longer numbers, so training stops at once and the run reports
/// no result. The last checkpoint still holds the last completed epoch.
/// </summary>
public sealed class TrainingDivergedException : Exception
{
    /// <summary>Creates the exception for the loss <paramref name="value"/> at <paramref name="epoch"/> (and <paramref name="step"/>, for a training step).</summary>
    public TrainingDivergedException(int epoch, int? step, double value)
        : base(Describe(epoch, step, value))
    {
        Epoch = epoch;
        Step = step;
        Value = value;
    }

    private static string Describe(int epoch, int? step, double value)
    {
        string which = step is int s ? $"training loss at epoch {epoch}, step {s}" : $"validation loss at epoch {epoch}";
        return $"training diverged: the {which} is {value.ToString(CultureInfo.InvariantCulture)}. No result is reported. " +
               "Lower the learning rate, set training.clip_norm, or look for extreme values in the data.";
    }

    /// <summary>The 1-based epoch in which the loss diverged.</summary>
    public int Epoch { get; }

    /// <summary>The 1-based training step, or null when the validation loss diverged.</summary>
    public int? Step { get; }

    /// <summary>The loss: NaN or an infinity.</summary>
    public double Value { get; }
}
