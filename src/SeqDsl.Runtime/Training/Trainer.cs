using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json;
using System.Threading;
using SeqDsl.Runtime.Data;
using SeqDsl.Runtime.IO;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SeqDsl.Runtime.Training;

/// <summary>
/// Keras-style <c>fit</c> for a model mapping a batch of inputs to predictions: epochs of training steps, validation,
/// learning-rate decay, early stopping, best and last checkpoints, and resuming.
/// </summary>
/// <remarks>
/// Every step runs inside its own dispose scope and only scalars leave it, so memory stays flat however long training
/// runs. The optimizer is created in the constructor (after moving the model to <c>device</c>) and kept across
/// <see cref="Fit"/> calls, as a Keras model keeps its optimizer.
/// </remarks>
public sealed class Trainer : IDisposable
{
    private readonly nn.Module<Tensor, Tensor> model;
    private readonly TrainerOptions options;
    private readonly Device? device;
    private readonly ITrainingProgress progress;
    private readonly Parameter[] parameters;
    private readonly optim.Optimizer optimizer;

    /// <summary>Creates the trainer and its optimizer.</summary>
    /// <param name="model">The model; moved to <paramref name="device"/> when one is given.</param>
    /// <param name="options">Training options.</param>
    /// <param name="device">Device to train on; null leaves the model and batches where they are.</param>
    /// <param name="progress">Progress receiver; null for none.</param>
    public Trainer(nn.Module<Tensor, Tensor> model, TrainerOptions options, Device? device = null, ITrainingProgress? progress = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(options);
        Validate(options);
        this.model = model;
        this.options = options;
        this.device = device;
        this.progress = progress ?? NullProgress.Instance;
        if (device is not null) model.to(device);
        // The optimizer must see the parameters as they are after the move.
        parameters = model.parameters().ToArray();
        optimizer = Optimizers.Create(parameters, options.Optimizer);
    }

    /// <summary>The optimizer (exposed to tests).</summary>
    internal optim.Optimizer Optimizer => optimizer;

    /// <summary>
    /// Identifies the run of the latest <see cref="Fit"/>: new for a fresh run, the resumed run's own when resuming. Every
    /// checkpoint records it, so a caller can tell this run's weights from a file another run left behind.
    /// </summary>
    public string? RunId { get; private set; }

    /// <summary>The current learning rate of the optimizer (of its first parameter group).</summary>
    internal double LearningRate => optimizer.ParamGroups.First().LearningRate;

    /// <summary>
    /// Trains for <see cref="TrainerOptions.Epochs"/> epochs (or until early stopping / cancellation) and returns
    /// the history. Each epoch runs <see cref="TrainerOptions.StepsPerEpoch"/> steps in training mode from one source
    /// created once per call (so shuffled generators continue across epochs); then, in eval mode without gradients,
    /// <see cref="TrainerOptions.ValidationSteps"/> batches from a fresh validation source (the same batches every epoch).
    /// </summary>
    /// <remarks>
    /// <para>
    /// <c>torch.manual_seed(Seed)</c> runs at the start of every call, resumed ones included: the random stream after
    /// a resume repeats the start of the run rather than continuing it (its state is not checkpointed), and a resumed
    /// run creates a new training source, starting its batch order afresh.
    /// </para>
    /// <para>
    /// With <see cref="TrainerOptions.Resume"/> and an existing <see cref="TrainerOptions.LastCheckpointPath"/>, the
    /// weights, the optimizer state (moments, step counts and hyper-parameters), the learning rate, the early-stopping
    /// counters and the history are restored and training continues at the next epoch. A run that had already
    /// stopped early or reached <see cref="TrainerOptions.Epochs"/> is returned as it is. The weights are written
    /// before <c>path.json</c>, so a crash between the two can only make a resumed run repeat one epoch.
    /// </para>
    /// <para>
    /// A NaN or infinite training or validation loss stops the run with <see cref="TrainingDivergedException"/> before
    /// anything of the diverged epoch is saved.
    /// </para>
    /// <para>Cancellation is checked before every step and throws <see cref="OperationCanceledException"/>; the last checkpoint then holds the last completed epoch.</para>
    /// </remarks>
    /// <param name="trainBatches">Creates the training source (called once).</param>
    /// <param name="validationBatches">Creates a validation source (called once per epoch); null for no validation.</param>
    /// <param name="cancellationToken">Stops training between steps.</param>
    /// <returns>The history, including restored epochs when resuming.</returns>
    public TrainingHistory Fit(Func<IBatchSource> trainBatches, Func<IBatchSource>? validationBatches, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(trainBatches);
        manual_seed(options.Seed);

        var resumePoint = options.LastCheckpointPath is { } lastPath ? new ResumePoint(lastPath, options.ModelName, options.Optimizer) : null;
        var state = ResumePoint.Start(resumePoint, options.Resume, model, optimizer, options.Epochs);
        RunId = state?.RunId ?? Guid.NewGuid().ToString("N");
        var history = state?.History is { } restored ? TrainingHistory.FromDocument(restored) : new TrainingHistory();
        var firstEpoch = (state?.Epoch ?? 0) + 1;
        if (history.StoppedEarly || firstEpoch > options.Epochs) return history;
        var checkpoints = new EpochCheckpoints(model, optimizer, resumePoint, options.CheckpointPath, options.LearningRateDecay,
            options.EarlyStoppingPatience, options.Epochs, options.Optimizer.Kind, state);

        var validate = validationBatches is not null && options.ValidationSteps > 0;
        var source = trainBatches();
        try
        {
            for (var epoch = firstEpoch; epoch <= options.Epochs; epoch++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var clock = Stopwatch.StartNew();
                var learningRate = LearningRate;
                progress.EpochStarted(epoch, options.Epochs, options.StepsPerEpoch);

                model.train();
                double lossSum = 0, weightSum = 0;
                for (var step = 1; step <= options.StepsPerEpoch; step++)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    var (loss, weight) = TrainStep(source);
                    if (!double.IsFinite(loss)) throw new TrainingDivergedException(epoch, step, loss);
                    lossSum += loss * weight;
                    weightSum += weight;
                    // The optimizer's step leaves small managed wrappers whose finalizers free native memory. The
                    // managed heap grows too slowly for the GC to run by itself, so resident memory would creep up
                    // for hundreds of steps; a cheap young-generation collection now and then keeps it flat.
                    if (step % CollectEverySteps == 0) GC.Collect(0);
                    progress.StepCompleted(step, lossSum / weightSum);
                }
                var trainLoss = lossSum / weightSum;

                (double Mae, double Mse, double Loss)? validation = null;
                if (validate)
                {
                    progress.ValidationStarted(options.ValidationSteps);
                    validation = EvaluateCore(validationBatches!, options.ValidationSteps, cancellationToken);
                    if (!double.IsFinite(validation.Value.Loss)) throw new TrainingDivergedException(epoch, null, validation.Value.Loss);
                }

                var record = new EpochRecord(epoch, trainLoss, validation?.Loss, NullIfNaN(validation?.Mae), NullIfNaN(validation?.Mse), learningRate, clock.Elapsed.TotalSeconds);
                history.Epochs.Add(record);
                progress.EpochCompleted(record);

                // Keras's EarlyStopping/ModelCheckpoint monitor val_loss; without validation the training loss is all there is.
                if (checkpoints.Complete(epoch, validation?.Loss ?? trainLoss, higherIsBetter: false, history, Info(epoch))) break;
            }
        }
        finally
        {
            (source as IDisposable)?.Dispose();
        }
        return history;
    }

    /// <summary>Evaluates the model on <paramref name="steps"/> batches in eval mode without gradients.</summary>
    /// <param name="batches">Creates the source (called once).</param>
    /// <param name="steps">Number of batches.</param>
    /// <returns>Mean absolute error, mean squared error and the configured loss over all elements, in normalized units.</returns>
    public (double Mae, double Mse, double Loss) Evaluate(Func<IBatchSource> batches, int steps)
    {
        ArgumentNullException.ThrowIfNull(batches);
        if (steps <= 0) throw new ArgumentOutOfRangeException(nameof(steps), steps, "At least one batch is needed.");
        var wasTraining = model.training;
        try
        {
            return EvaluateCore(batches, steps, CancellationToken.None);
        }
        finally
        {
            model.train(wasTraining);
        }
    }

    private const int CollectEverySteps = 25;

    private CheckpointInfo Info(int epoch) => new()
    {
        RunId = RunId!,
        Epoch = epoch,
        Model = options.ModelName,
        Vocabulary = options.Vocabulary?.Select(c => (int)c).ToArray(),
    };

    private static double? NullIfNaN(double? value) => value is double v && double.IsNaN(v) ? null : value;

    /// <summary>Releases the optimizer's state tensors.</summary>
    public void Dispose() => optimizer.Dispose();

    private (double Loss, double Weight) TrainStep(IBatchSource source)
    {
        using var scope = NewDisposeScope();
        var (inputs, targets) = NextBatch(source);
        optimizer.zero_grad();
        var (predictions, loss) = Predict(inputs, targets);
        loss.backward();
        if (options.ClipNorm is double clip) nn.utils.clip_grad_norm_(parameters, clip);
        optimizer.step();
        return (ToDouble(loss), predictions.numel());
    }

    private (double Mae, double Mse, double Loss) EvaluateCore(Func<IBatchSource> batches, int steps, CancellationToken cancellationToken)
    {
        model.eval();
        double absSum = 0, squareSum = 0, lossSum = 0, count = 0;
        var source = batches();
        try
        {
            using var noGrad = no_grad();
            for (var step = 0; step < steps; step++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                using var scope = NewDisposeScope();
                var (inputs, targets) = NextBatch(source);
                var (predictions, loss) = Predict(inputs, targets);
                if (options.Loss == LossKind.CategoricalCrossEntropy)
                {
                    // Classification: MAE/MSE of class indices mean nothing; the loss is the metric.
                    var samples = (double)predictions.shape[0];
                    lossSum += ToDouble(loss) * samples;
                    count += samples;
                    absSum = squareSum = double.NaN;
                    continue;
                }
                var errors = predictions - Losses.AlignTargets(predictions, targets);
                var n = (double)predictions.numel();
                absSum += ToDouble(errors.abs().sum());
                squareSum += ToDouble(errors.square().sum());
                // Batches are weighted by size, as Keras averages over samples rather than over batches.
                lossSum += ToDouble(loss) * n;
                count += n;
            }
        }
        finally
        {
            (source as IDisposable)?.Dispose();
        }
        return (absSum / count, squareSum / count, lossSum / count);
    }

    /// <summary>The model's output and the loss; for cross-entropy the loss comes from the logits when the model has them.</summary>
    private (Tensor Predictions, Tensor Loss) Predict(Tensor inputs, Tensor targets)
    {
        if (options.Loss == LossKind.CategoricalCrossEntropy)
        {
            if (model is ILogitsModel withLogits)
            {
                var logits = withLogits.Logits(inputs);
                return (logits, Losses.CrossEntropy(logits, targets, fromLogits: true));
            }
            var probabilities = model.call(inputs);
            return (probabilities, Losses.CrossEntropy(probabilities, targets, fromLogits: false));
        }
        var predictions = model.call(inputs);
        return (predictions, Losses.Compute(options.Loss, predictions, targets));
    }

    private (Tensor Inputs, Tensor Targets) NextBatch(IBatchSource source)
    {
        var (inputs, targets) = source.Next();
        if (device is not null)
        {
            inputs = inputs.to(device);
            targets = targets.to(device);
        }
        return (inputs, targets);
    }

    private static double ToDouble(Tensor scalar) => scalar.to_type(ScalarType.Float64).item<double>();

    private static void Validate(TrainerOptions o)
    {
        static void Check(bool ok, object? value, string message)
        {
            if (!ok) throw new ArgumentOutOfRangeException(nameof(options), value, message);
        }

        Check(o.Epochs >= 0, o.Epochs, "Epochs must not be negative.");
        Check(o.StepsPerEpoch > 0, o.StepsPerEpoch, "StepsPerEpoch must be positive.");
        Check(o.ValidationSteps >= 0, o.ValidationSteps, "ValidationSteps must not be negative.");
        Check(o.ClipNorm is null || o.ClipNorm > 0, o.ClipNorm, "ClipNorm must be positive.");
        Check(o.LearningRateDecay > 0 && !double.IsInfinity(o.LearningRateDecay), o.LearningRateDecay, "LearningRateDecay must be positive.");
        Check(o.EarlyStoppingPatience is null || o.EarlyStoppingPatience >= 0, o.EarlyStoppingPatience, "EarlyStoppingPatience must not be negative.");
        ArgumentNullException.ThrowIfNull(o.Optimizer, nameof(options));
        if (o.Resume && o.LastCheckpointPath is null)
            throw new ArgumentException("Resume needs LastCheckpointPath, where the state to resume from is written.", nameof(options));
    }
}
