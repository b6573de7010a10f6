using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Threading;
using SeqDsl.Runtime.Episodes;
using SeqDsl.Runtime.Experiments;
using SeqDsl.Runtime.Layers;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SeqDsl.Runtime.Training;

/// <summary>One split of episodes as a model reads it: its records and the padded batch of any of them.</summary>
public interface IEpisodeBatchSource
{
    /// <summary>Records in the split.</summary>
    int Count { get; }

    /// <summary>Input features per step (sequences) or per record (flat representations).</summary>
    int Features { get; }

    /// <summary>The batch of records <paramref name="positions"/> (0 to <see cref="Count"/> − 1), on the CPU.</summary>
    EpisodeBatch Batch(IReadOnlyList<int> positions);

    /// <summary>Row-major (records, labels) 0/1 labels of the split, scored labels first.</summary>
    float[] Labels { get; }
}

/// <summary>How <see cref="EpisodeTrainer"/> trains: epochs over the training records, batches, loss, optimizer, monitor and checkpoints.</summary>
public sealed record EpisodeTrainerOptions
{
    /// <summary>Passes over the training records (the last epoch number when resuming).</summary>
    public int Epochs { get; init; } = 1;

    /// <summary>Records per batch.</summary>
    public int BatchSize { get; init; } = 32;

    /// <summary>The labels, scored first; their count is the width of the model's logits.</summary>
    public required IReadOnlyList<string> LabelNames { get; init; }

    /// <summary>How many of <see cref="LabelNames"/> are scored; the rest are auxiliary.</summary>
    public int ScoredCount { get; init; } = 1;

    /// <summary>Target replication, auxiliary weight and positive weights.</summary>
    public EpisodeLossOptions Loss { get; init; } = new();

    /// <summary>The optimizer.</summary>
    public OptimizerOptions Optimizer { get; init; } = new(OptimizerKind.Adam);

    /// <summary>Global gradient-norm clipping, if any.</summary>
    public double? ClipNorm { get; init; }

    /// <summary>Factor applied to the learning rate after every epoch.</summary>
    public double LearningRateDecay { get; init; } = 1.0;

    /// <summary>Stop after this many epochs without a better monitored value. Null = never.</summary>
    public int? EarlyStoppingPatience { get; init; }

    /// <summary>The validation figure that chooses the best epoch.</summary>
    public EpisodeMonitor Monitor { get; init; } = EpisodeMonitor.MacroAuroc;

    /// <summary>k of precision at k in the validation metrics.</summary>
    public int PrecisionAt { get; init; } = 10;

    /// <summary>Where the best epoch's weights are written.</summary>
    public string? CheckpointPath { get; init; }

    /// <summary>Where the state after every epoch is written for <see cref="Resume"/> (see <see cref="TrainerOptions.LastCheckpointPath"/>).</summary>
    public string? LastCheckpointPath { get; init; }

    /// <summary>Continue from <see cref="LastCheckpointPath"/> when it exists; without it a run first deletes it.</summary>
    public bool Resume { get; init; }

    /// <summary>The model's name in its spec, recorded in every checkpoint.</summary>
    public string? ModelName { get; init; }

    /// <summary>Seeds the weights' random stream (<c>torch.manual_seed</c>) and the order of the training records.</summary>
    public long Seed { get; init; } = 42;
}

/// <summary>The scores of a split: mean loss per record, and sigmoid probabilities of the scored labels at each record's last real step.</summary>
/// <param name="Loss">The loss averaged over the split's records (as the training loss weighs them).</param>
/// <param name="Probabilities">Row-major (records, scored labels).</param>
public sealed record EpisodeScoresOnSplit(double Loss, double[] Probabilities);

/// <summary>
/// Trains a model of an episodes task: each epoch one pass over the training records in a seeded random order, in
/// batches; the multi-label loss of <see cref="EpisodeLoss"/> on per-step logits (batch, time, labels) or on last-step
/// logits (batch, labels); after each epoch the validation metrics and the monitored one, which chooses the best
/// epoch (best.pt) and drives early stopping; last.pt and its state after every epoch for resuming
/// (<see cref="ResumePoint"/>, shared with <see cref="Trainer"/>).
/// </summary>
/// <remarks>
/// A sequence batch reaches a model that implements <see cref="ILengthAwareModule"/> through
/// <c>forward(inputs, lengths)</c>, so nothing of a record's padding reaches its prediction; flat batches (batch,
/// features) go through the ordinary forward. The record order of epoch e depends only on the seed and e, so a resumed
/// run draws the batches the uninterrupted run would have.
/// </remarks>
public sealed class EpisodeTrainer : IDisposable
{
    private const int CollectEverySteps = 25;

    private readonly nn.Module<Tensor, Tensor> _model;
    private readonly EpisodeTrainerOptions _options;
    private readonly Device _device;
    private readonly ITrainingProgress _progress;
    private readonly Parameter[] _parameters;
    private readonly optim.Optimizer _optimizer;

    /// <summary>Creates the trainer and its optimizer; moves the model to <paramref name="device"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Epochs, batch size, scored labels, clipping or patience out of range.</exception>
    public EpisodeTrainer(nn.Module<Tensor, Tensor> model, EpisodeTrainerOptions options, Device? device = null, ITrainingProgress? progress = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(options);
        Validate(options);
        _model = model;
        _options = options;
        _device = device ?? CPU;
        _progress = progress ?? NullProgress.Instance;
        model.to(_device);
        _parameters = model.parameters().ToArray();
        _optimizer = Optimizers.Create(_parameters, options.Optimizer);
    }

    /// <summary>The run of the latest <see cref="Fit"/>: new for a fresh run, the resumed run's own when resuming.</summary>
    public string? RunId { get; private set; }

    private double LearningRate => _optimizer.ParamGroups.First().LearningRate;

    /// <summary>Whether a larger monitored value is better (every AUROC; not the loss).</summary>
    public static bool HigherIsBetter(EpisodeMonitor monitor) => monitor != EpisodeMonitor.Loss;

    /// <summary>The name of the metric shown beside the loss each epoch: the monitored AUROC, or the macro AUROC when the loss is monitored.</summary>
    public static string MetricName(EpisodeMonitor monitor) => monitor switch
    {
        EpisodeMonitor.MicroAuroc => "micro_auroc",
        EpisodeMonitor.FirstLabelAuroc => "first_label_auroc",
        _ => "macro_auroc",
    };

    /// <summary>The metric named by <see cref="MetricName"/> from validation metrics; null where undefined.</summary>
    public static double? Metric(EpisodeMonitor monitor, MultiLabelMetrics metrics) => monitor switch
    {
        EpisodeMonitor.MicroAuroc => metrics.MicroAuroc,
        EpisodeMonitor.FirstLabelAuroc => metrics.Labels[0].Auroc,
        _ => metrics.MacroAuroc,
    };

    /// <summary>
    /// Trains for <see cref="EpisodeTrainerOptions.Epochs"/> epochs, or until early stopping, and returns the history
    /// (with restored epochs when resuming; a finished run is returned as it is).
    /// </summary>
    /// <param name="train">The training split.</param>
    /// <param name="validation">The validation split; null or empty: the training loss is monitored.</param>
    /// <param name="runStarted">Called with <see cref="RunId"/> once it is known, before the first epoch (files that must belong to the run's checkpoints are written then).</param>
    /// <param name="cancellationToken">Stops between steps.</param>
    /// <exception cref="TrainingDivergedException">A training or validation loss became NaN or infinite.</exception>
    /// <exception cref="InvalidDataException">The resume point is damaged or belongs to another run.</exception>
    /// <exception cref="ArgumentException">The model's logits do not have one column per label.</exception>
    public TrainingHistory Fit(IEpisodeBatchSource train, IEpisodeBatchSource? validation, Action<string>? runStarted = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(train);
        if (train.Count == 0) throw new ArgumentException("no training record.", nameof(train));
        manual_seed(_options.Seed);
        var resumePoint = _options.LastCheckpointPath is { } lastPath ? new ResumePoint(lastPath, _options.ModelName, _options.Optimizer) : null;
        var state = ResumePoint.Start(resumePoint, _options.Resume, _model, _optimizer, _options.Epochs);
        RunId = state?.RunId ?? Guid.NewGuid().ToString("N");
        runStarted?.Invoke(RunId);
        var history = state?.History is { } restored ? TrainingHistory.FromDocument(restored) : new TrainingHistory();
        int firstEpoch = (state?.Epoch ?? 0) + 1;
        if (history.StoppedEarly || firstEpoch > _options.Epochs) return history;
        var checkpoints = new EpochCheckpoints(_model, _optimizer, resumePoint, _options.CheckpointPath, _options.LearningRateDecay,
            _options.EarlyStoppingPatience, _options.Epochs, _options.Optimizer.Kind, state);

        bool validate = validation is { Count: > 0 };
        int steps = (train.Count + _options.BatchSize - 1) / _options.BatchSize;
        for (int epoch = firstEpoch; epoch <= _options.Epochs; epoch++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var clock = Stopwatch.StartNew();
            double learningRate = LearningRate;
            _progress.EpochStarted(epoch, _options.Epochs, steps);
            _model.train();
            var order = Shuffled(train.Count, _options.Seed, epoch);
            double lossSum = 0;
            int seen = 0;
            for (int step = 1; step <= steps; step++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var positions = new ArraySegment<int>(order, (step - 1) * _options.BatchSize, Math.Min(_options.BatchSize, train.Count - (step - 1) * _options.BatchSize));
                double loss = TrainStep(train, positions);
                if (!double.IsFinite(loss)) throw new TrainingDivergedException(epoch, step, loss);
                lossSum += loss * positions.Count;
                seen += positions.Count;
                if (step % CollectEverySteps == 0) GC.Collect(0);
                _progress.StepCompleted(step, lossSum / seen);
            }
            double trainLoss = lossSum / seen;

            EpisodeScoresOnSplit? scores = null;
            double? metric = null;
            if (validate)
            {
                _progress.ValidationStarted((validation!.Count + _options.BatchSize - 1) / _options.BatchSize);
                scores = Score(validation);
                if (!double.IsFinite(scores.Loss)) throw new TrainingDivergedException(epoch, null, scores.Loss);
                metric = Metric(_options.Monitor, Metrics(validation, scores));
            }
            var record = new EpochRecord(epoch, trainLoss, scores?.Loss, null, null, learningRate, clock.Elapsed.TotalSeconds)
            {
                ValMetric = metric,
                ValMetricName = validate ? MetricName(_options.Monitor) : null,
            };
            history.Epochs.Add(record);
            _progress.EpochCompleted(record);

            // Without validation the training loss is all there is; an undefined AUROC is never an improvement.
            double? monitored = !validate ? trainLoss : _options.Monitor == EpisodeMonitor.Loss ? scores!.Loss : metric;
            if (checkpoints.Complete(epoch, monitored, validate && HigherIsBetter(_options.Monitor), history, Info(epoch))) break;
        }
        return history;
    }

    /// <summary>The loss and scored-label probabilities of every record of <paramref name="split"/>, in eval mode without gradients.</summary>
    public EpisodeScoresOnSplit Score(IEpisodeBatchSource split) => EpisodeScoring.Score(_model, split, _device, _options);

    /// <summary>The validation metrics of <paramref name="scores"/> on <paramref name="split"/> (scored labels only, no thresholds).</summary>
    public MultiLabelMetrics Metrics(IEpisodeBatchSource split, EpisodeScoresOnSplit scores) =>
        MultiLabelMetrics.Compute(_options.LabelNames.Take(_options.ScoredCount).ToArray(), scores.Probabilities,
            EpisodeScoring.ScoredLabels(split.Labels, _options.LabelNames.Count, _options.ScoredCount), k: _options.PrecisionAt);

    /// <summary>Releases the optimizer's state.</summary>
    public void Dispose() => _optimizer.Dispose();

    private double TrainStep(IEpisodeBatchSource train, IReadOnlyList<int> positions)
    {
        using var scope = NewDisposeScope();
        var batch = train.Batch(positions);
        _optimizer.zero_grad();
        var loss = EpisodeScoring.Loss(_model, batch, _device, _options);
        loss.backward();
        if (_options.ClipNorm is double clip) nn.utils.clip_grad_norm_(_parameters, clip);
        _optimizer.step();
        return loss.to_type(ScalarType.Float64).item<double>();
    }

    /// <summary>The training records' order in <paramref name="epoch"/>: a Fisher–Yates shuffle seeded by the run's seed and the epoch.</summary>
    internal static int[] Shuffled(int count, long seed, int epoch)
    {
        var order = Enumerable.Range(0, count).ToArray();
        // System.Random with a seed is the same generator on every platform; HashCode would differ between processes.
        var random = new Random(unchecked((int)(seed ^ (seed >> 32)) * 1_000_003 + epoch));
        for (int i = count - 1; i > 0; i--)
        {
            int j = random.Next(i + 1);
            (order[i], order[j]) = (order[j], order[i]);
        }
        return order;
    }

    private CheckpointInfo Info(int epoch) => new() { RunId = RunId!, Epoch = epoch, Model = _options.ModelName };

    private static void Validate(EpisodeTrainerOptions o)
    {
        static void Check(bool ok, object? value, string message)
        {
            if (!ok) throw new ArgumentOutOfRangeException("options", value, message);
        }

        Check(o.Epochs >= 0, o.Epochs, "Epochs must not be negative.");
        Check(o.BatchSize >= 1, o.BatchSize, "BatchSize must be at least 1.");
        Check(o.ScoredCount >= 1 && o.ScoredCount <= o.LabelNames.Count, o.ScoredCount, "ScoredCount must be between 1 and the number of labels.");
        Check(o.ClipNorm is null || o.ClipNorm > 0, o.ClipNorm, "ClipNorm must be positive.");
        Check(o.LearningRateDecay > 0 && !double.IsInfinity(o.LearningRateDecay), o.LearningRateDecay, "LearningRateDecay must be positive.");
        Check(o.EarlyStoppingPatience is null || o.EarlyStoppingPatience >= 0, o.EarlyStoppingPatience, "EarlyStoppingPatience must not be negative.");
        Check(o.PrecisionAt >= 1, o.PrecisionAt, "PrecisionAt must be at least 1.");
        if (o.Resume && o.LastCheckpointPath is null)
            throw new ArgumentException("Resume needs LastCheckpointPath, where the state to resume from is written.", "options");
    }
}

/// <summary>How a model of an episodes task is called on a batch, and its loss and probabilities: one place for the trainer and for evaluation.</summary>
internal static class EpisodeScoring
{
    /// <summary>
    /// The model's logits for <paramref name="batch"/> on <paramref name="device"/>: (batch, time, labels) or (batch,
    /// labels). A sequence batch reaches a length-aware model with its lengths.
    /// </summary>
    public static Tensor Logits(nn.Module<Tensor, Tensor> model, EpisodeBatch batch, Device device, int labelCount)
    {
        var inputs = batch.Inputs.to(device);
        var logits = inputs.dim() == 3 && model is ILengthAwareModule aware ? aware.forward(inputs, batch.Lengths.to(device)) : model.call(inputs);
        if (logits.dim() is not (2 or 3) || logits.shape[^1] != labelCount || logits.shape[0] != inputs.shape[0])
            throw new ArgumentException(
                $"the model's output is [{string.Join(", ", logits.shape)}]; an episodes task needs one logit per label ({labelCount}: scored, then auxiliary) " +
                "per record, as (batch, labels) or per step as (batch, time, labels). Give the last layer as many units as the spec has labels.");
        return logits;
    }

    /// <summary>The loss of a batch: per-step logits with target replication, or last-step logits.</summary>
    public static Tensor Loss(nn.Module<Tensor, Tensor> model, EpisodeBatch batch, Device device, EpisodeTrainerOptions options)
    {
        var logits = Logits(model, batch, device, options.LabelNames.Count);
        var labels = batch.Labels.to(device);
        return logits.dim() == 3
            ? EpisodeLoss.Compute(logits, labels, batch.Lengths.to(device), options.ScoredCount, options.Loss)
            : EpisodeLoss.ComputeLast(logits, labels, options.ScoredCount, options.Loss);
    }

    /// <summary>Loss and scored probabilities of every record of a split, in batches of <see cref="EpisodeTrainerOptions.BatchSize"/>, in eval mode without gradients.</summary>
    public static EpisodeScoresOnSplit Score(nn.Module<Tensor, Tensor> model, IEpisodeBatchSource split, Device device, EpisodeTrainerOptions options)
    {
        bool wasTraining = model.training;
        model.eval();
        try
        {
            using var noGrad = no_grad();
            int scored = options.ScoredCount;
            var probabilities = new double[split.Count * scored];
            double lossSum = 0;
            for (int start = 0; start < split.Count; start += options.BatchSize)
            {
                using var scope = NewDisposeScope();
                int size = Math.Min(options.BatchSize, split.Count - start);
                var batch = split.Batch(Enumerable.Range(start, size).ToArray());
                var logits = Logits(model, batch, device, options.LabelNames.Count);
                var labels = batch.Labels.to(device);
                Tensor loss, last;
                if (logits.dim() == 3)
                {
                    var lengths = batch.Lengths.to(device);
                    loss = EpisodeLoss.Compute(logits, labels, lengths, scored, options.Loss);
                    last = EpisodeBatches.LastRealStep(logits, lengths);
                }
                else
                {
                    loss = EpisodeLoss.ComputeLast(logits, labels, scored, options.Loss);
                    last = logits;
                }
                lossSum += loss.to_type(ScalarType.Float64).item<double>() * size;
                var values = last.narrow(1, 0, scored).sigmoid().to_type(ScalarType.Float64).cpu().data<double>().ToArray();
                Array.Copy(values, 0, probabilities, start * scored, values.Length);
            }
            return new EpisodeScoresOnSplit(split.Count == 0 ? double.NaN : lossSum / split.Count, probabilities);
        }
        finally
        {
            model.train(wasTraining);
        }
    }

    /// <summary>The scored columns of row-major (records, <paramref name="labelCount"/>) labels.</summary>
    public static float[] ScoredLabels(float[] labels, int labelCount, int scoredCount)
    {
        int records = labels.Length / labelCount;
        var scored = new float[records * scoredCount];
        for (int r = 0; r < records; r++) Array.Copy(labels, r * labelCount, scored, r * scoredCount, scoredCount);
        return scored;
    }
}
