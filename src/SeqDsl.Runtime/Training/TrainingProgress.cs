namespace SeqDsl.Runtime.Training;

/// <summary>Receives progress reports from <see cref="Trainer.Fit"/> (e.g. to draw a progress bar).</summary>
/// <remarks>All calls come from the thread running <see cref="Trainer.Fit"/>, in order.</remarks>
public interface ITrainingProgress
{
    /// <summary>An epoch begins.</summary>
    /// <param name="epoch">1-based epoch number.</param>
    /// <param name="epochs">Last epoch number of the run.</param>
    /// <param name="steps">Training steps this epoch.</param>
    void EpochStarted(int epoch, int epochs, int steps);

    /// <summary>A training step finished.</summary>
    /// <param name="step">1-based step number within the epoch.</param>
    /// <param name="loss">
    /// Mean training loss of the epoch so far, as Keras's progress bar shows it; after the last step it equals
    /// <see cref="EpochRecord.Loss"/>.
    /// </param>
    void StepCompleted(int step, double loss);

    /// <summary>Validation of the epoch begins (not called when there is no validation).</summary>
    /// <param name="steps">Validation batches.</param>
    void ValidationStarted(int steps);

    /// <summary>An epoch finished, validation included.</summary>
    /// <param name="record">The epoch's results.</param>
    void EpochCompleted(EpochRecord record);
}

/// <summary>An <see cref="ITrainingProgress"/> that ignores every report.</summary>
public sealed class NullProgress : ITrainingProgress
{
    /// <summary>The single instance.</summary>
    public static readonly NullProgress Instance = new();

    private NullProgress()
    {
    }

    /// <inheritdoc/>
    public void EpochStarted(int epoch, int epochs, int steps)
    {
    }

    /// <inheritdoc/>
    public void StepCompleted(int step, double loss)
    {
    }

    /// <inheritdoc/>
    public void ValidationStarted(int steps)
    {
    }

    /// <inheritdoc/>
    public void EpochCompleted(EpochRecord record)
    {
    }
}
