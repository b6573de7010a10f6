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

        if (!options.Resume) DeleteResumePoint();
        var state = TryResume();
        RunId = state?.RunId ?? Guid.NewGuid().ToString("N");
        var history = state?.History is { } restored ? TrainingHistory.FromDocument(restored) : new TrainingHistory();
        var firstEpoch = (state?.Epoch ?? 0) + 1;
        double? best = state?.BestMonitor;
        var epochsWithoutImprovement = state?.EpochsWithoutImprovement ?? 0;
        if (history.StoppedEarly || firstEpoch > options.Epochs) return history;

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
                var monitor = validation?.Loss ?? trainLoss;
                var improved = best is not double b || monitor < b;
                if (improved)
                {
                    best = monitor;
                    epochsWithoutImprovement = 0;
                    if (options.CheckpointPath is { } bestPath) Checkpoint.SaveAtomic(model, bestPath, Info(epoch));
                }
                else
                {
                    epochsWithoutImprovement++;
                }

                if (options.LearningRateDecay != 1.0)
                {
                    foreach (var group in optimizer.ParamGroups) group.LearningRate *= options.LearningRateDecay;
                }

                var stop = options.EarlyStoppingPatience is int patience && epochsWithoutImprovement > 0 && epochsWithoutImprovement >= patience;
                if (stop && epoch < options.Epochs) history.StoppedEarly = true;
                if (options.LastCheckpointPath is { } lastPath)
                    SaveLast(lastPath, new ResumeState
                    {
                        RunId = RunId,
                        Epoch = epoch,
                        LearningRate = LearningRate,
                        BestMonitor = best,
                        EpochsWithoutImprovement = epochsWithoutImprovement,
                        Optimizer = options.Optimizer.Kind.ToString(),
                        History = history.ToDocument(),
                    });
                if (stop) break;
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

    private ResumeState? TryResume()
    {
        if (!options.Resume || options.LastCheckpointPath is not { } path || !File.Exists(path)) return null;
        var statePath = path + ".json";
        if (!File.Exists(statePath))
            throw new InvalidDataException($"Cannot resume from '{path}': its training state '{statePath}' is missing. Delete the checkpoint to start afresh.");
        ResumeState? state;
        try
        {
            state = JsonSerializer.Deserialize<ResumeState>(InputFile.ReadAllText(statePath, "Training state"), TrainingJson.Options);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"Cannot resume: training state '{statePath}' is not valid JSON ({e.Message}).", e);
        }
        if (state is null)
            throw new InvalidDataException($"Cannot resume: training state '{statePath}' is not a SeqDsl training state.");
        state.Validate(statePath, options.Epochs);

        // The weights are written before the state, so a kill between the two leaves weights one epoch ahead of it.
        var info = Checkpoint.ReadInfo(path);
        if (info is not null)
        {
            if (state.RunId is not null && info.RunId != state.RunId)
                throw new InvalidDataException(
                    $"Cannot resume: '{path}' (run {info.RunId}) and its training state '{statePath}' (run {state.RunId}) come from different runs. Delete them to start afresh.");
            if (info.Epoch != state.Epoch && info.Epoch != state.Epoch + 1)
                throw new InvalidDataException(
                    $"Cannot resume: '{path}' holds epoch {info.Epoch}, but its training state '{statePath}' says epoch {state.Epoch}. Delete them to start afresh.");
            if (options.ModelName is not null && info.Model is not null && info.Model != options.ModelName)
                throw new InvalidDataException($"Cannot resume: '{path}' holds weights of model {info.Model}, not {options.ModelName}.");
            state.RunId ??= info.RunId;
        }
        Checkpoint.Load(model, path);
        var optimizerPath = path + ".optim";
        if (optimizer is OptimizerHelper helper && File.Exists(optimizerPath))
        {
            try
            {
                InputFile.Check(optimizerPath, "Optimizer state");
                using var stream = File.OpenRead(optimizerPath);
                using var reader = new BinaryReader(stream);
                helper.load_state_dict(reader);
            }
            catch (Exception e) when (e is IOException or InvalidDataException or ArgumentException)
            {
                throw new InvalidDataException(
                    $"Cannot resume: optimizer state '{optimizerPath}' does not match the configured {options.Optimizer.Kind} optimizer and model ({e.Message}).", e);
            }
        }
        // The saved rate already includes the decay of every completed epoch.
        foreach (var group in optimizer.ParamGroups) group.LearningRate = state.LearningRate;
        return state;
    }

    /// <summary>Deletes the files a resume would read, state first: a resume must never continue another run.</summary>
    private void DeleteResumePoint()
    {
        if (options.LastCheckpointPath is not { } path) return;
        foreach (var file in new[] { path + ".json", path + ".optim", path })
            if (File.Exists(file)) File.Delete(file);
    }

    private void SaveLast(string path, ResumeState state)
    {
        Checkpoint.SaveAtomic(model, path, Info(state.Epoch));
        if (optimizer is OptimizerHelper helper)
        {
            AtomicFile.Write(path + ".optim", stream =>
            {
                using var writer = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true);
                helper.save_state_dict(writer);
                writer.Flush();
            });
        }
        // Written last: the epoch number in it is what a resume trusts.
        AtomicFile.WriteText(path + ".json", JsonSerializer.Serialize(state, TrainingJson.Options));
    }

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

/// <summary>What <c>LastCheckpointPath.json</c> holds beside the weights so that a run can continue.</summary>
internal sealed class ResumeState
{
    public const int CurrentVersion = 1;

    public int Version { get; set; } = CurrentVersion;

    /// <summary>The run that wrote the state; absent in states written before runs had ids.</summary>
    public string? RunId { get; set; }

    /// <summary>Last completed epoch.</summary>
    public int Epoch { get; set; }

    /// <summary>Learning rate for the next epoch (decay applied).</summary>
    public double LearningRate { get; set; }

    /// <summary>Best monitored loss so far (val_loss, or training loss without validation).</summary>
    public double? BestMonitor { get; set; }

    public int EpochsWithoutImprovement { get; set; }

    /// <summary>Optimizer kind, for people reading the file.</summary>
    public string Optimizer { get; set; } = "";

    public HistoryDocument? History { get; set; }

    /// <summary>
    /// Checks every field a resume trusts: a hand-edited or damaged state must fail with the file and the field rather
    /// than continue with an impossible epoch or learning rate.
    /// </summary>
    /// <param name="path">The state's file, for messages.</param>
    /// <param name="epochs">The run's configured number of epochs.</param>
    /// <exception cref="InvalidDataException">A field is out of range; the message names the file and the field.</exception>
    public void Validate(string path, int epochs)
    {
        void Check(bool ok, string field, string problem)
        {
            if (!ok)
                throw new InvalidDataException(
                    $"Cannot resume: training state '{path}': '{field}' {problem}. Delete the run folder's last.pt files to start afresh.");
        }

        static bool Finite(double? value) => value is not double v || double.IsFinite(v);

        Check(Version == CurrentVersion, "version", $"is {Version}; expected {CurrentVersion}");
        Check(RunId is null || RunId.Length > 0, "run_id", "is empty");
        Check(Epoch >= 1 && Epoch <= epochs, "epoch",
            $"is {Epoch}; expected 1 to {epochs}, the run's epochs (--epochs N continues a run that should train longer)");
        Check(double.IsFinite(LearningRate) && LearningRate > 0, "learning_rate", $"is {LearningRate}; expected a finite number above 0");
        Check(Finite(BestMonitor), "best_monitor", $"is {BestMonitor}; expected a finite number");
        Check(EpochsWithoutImprovement >= 0 && EpochsWithoutImprovement < Epoch, "epochs_without_improvement",
            $"is {EpochsWithoutImprovement}; expected 0 to {Epoch - 1}");
        Check(History?.Epochs is not null, "history", "is missing");
        var records = History!.Epochs;
        Check(records.Count == Epoch, "history.epochs", $"has {records.Count} entries; epoch {Epoch} needs one per completed epoch");
        for (int i = 0; i < records.Count; i++)
        {
            var record = records[i];
            string field = $"history.epochs[{i}]";
            Check(record is not null, field, "is null");
            Check(record!.Epoch == i + 1, field + ".epoch", $"is {record.Epoch}; expected {i + 1}");
            Check(double.IsFinite(record.Loss), field + ".loss", $"is {record.Loss}; expected a finite number");
            Check(Finite(record.ValLoss) && Finite(record.ValMae) && Finite(record.ValMse), field, "has a validation value that is not a finite number");
            Check(double.IsFinite(record.LearningRate) && record.LearningRate > 0, field + ".learning_rate", $"is {record.LearningRate}; expected a finite number above 0");
            Check(double.IsFinite(record.Seconds) && record.Seconds >= 0, field + ".seconds", $"is {record.Seconds}; expected 0 or more");
        }
    }
}
