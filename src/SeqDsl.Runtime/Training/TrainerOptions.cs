namespace SeqDsl.Runtime.Training;

/// <summary>How <see cref="Trainer"/> trains: epochs, loss, optimizer, clipping, schedules and checkpoints.</summary>
public sealed record TrainerOptions
{
    /// <summary>Number of epochs (the last epoch number when resuming).</summary>
    public int Epochs { get; init; } = 1;

    /// <summary>Training batches per epoch.</summary>
    public int StepsPerEpoch { get; init; } = 1;

    /// <summary>Validation batches per epoch; 0 = no validation.</summary>
    public int ValidationSteps { get; init; } = 1;

    /// <summary>The loss minimized (and reported as loss / val_loss).</summary>
    public LossKind Loss { get; init; } = LossKind.Mae;

    /// <summary>The optimizer; Keras's RMSprop by default.</summary>
    public OptimizerOptions Optimizer { get; init; } = new(OptimizerKind.RmsProp);

    /// <summary>
    /// Clips the global L2 norm of all gradients together to this value (torch's <c>clip_grad_norm_</c>, Keras's
    /// <c>global_clipnorm</c>; Keras's <c>clipnorm</c> clips each weight's gradient separately). Null = no clipping.
    /// </summary>
    public double? ClipNorm { get; init; }

    /// <summary>Factor applied to the learning rate after every epoch (0.5 halves it each epoch; 1 = constant).</summary>
    public double LearningRateDecay { get; init; } = 1.0;

    /// <summary>Stop after this many consecutive epochs without a strictly lower val_loss (training loss without validation). Null = never.</summary>
    public int? EarlyStoppingPatience { get; init; }

    /// <summary>Where the best model (lowest val_loss, or training loss without validation) is written, atomically, after each improving epoch.</summary>
    public string? CheckpointPath { get; init; }

    /// <summary>
    /// Where the state after every epoch is written atomically for <see cref="Resume"/>: the weights at this path,
    /// the optimizer state at <c>path.optim</c>, and epoch, learning rate, early-stopping counters and history at <c>path.json</c>.
    /// </summary>
    public string? LastCheckpointPath { get; init; }

    /// <summary>
    /// Continue from <see cref="LastCheckpointPath"/> when it exists (otherwise train from scratch). Without it, a run
    /// first deletes the last checkpoint a previous run left there, so that a later resume can only continue this run.
    /// </summary>
    public bool Resume { get; init; }

    /// <summary>The model's name in its spec, recorded in every checkpoint (and checked when resuming).</summary>
    public string? ModelName { get; init; }

    /// <summary>
    /// A text model's vocabulary in index order, recorded in every checkpoint so that the weights always travel with
    /// the mapping they were trained with.
    /// </summary>
    public System.Collections.Generic.IReadOnlyList<char>? Vocabulary { get; init; }

    /// <summary>Seed passed to <c>torch.manual_seed</c> at the start of every <see cref="Trainer.Fit"/>, resumed or not.</summary>
    public long Seed { get; init; } = 42;
}
