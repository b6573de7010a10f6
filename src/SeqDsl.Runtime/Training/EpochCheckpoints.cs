using System;
using System.Linq;
using TorchSharp;
using static TorchSharp.torch;

namespace SeqDsl.Runtime.Training;

/// <summary>
/// What a trainer does at the end of every epoch, the same for <see cref="Trainer"/> and <see cref="EpisodeTrainer"/>:
/// keeps the best monitored value (writing best.pt when it improves), counts the epochs without improvement, decays
/// the learning rate, decides early stopping and writes the resume point (last.pt and its state).
/// </summary>
internal sealed class EpochCheckpoints
{
    private readonly nn.Module _model;
    private readonly optim.Optimizer _optimizer;
    private readonly ResumePoint? _resumePoint;
    private readonly string? _bestPath;
    private readonly double _learningRateDecay;
    private readonly int? _patience;
    private readonly int _epochs;
    private readonly OptimizerKind _optimizerKind;

    /// <param name="model">The model whose weights are saved.</param>
    /// <param name="optimizer">The optimizer whose state and learning rate are saved and decayed.</param>
    /// <param name="resumePoint">Where last.pt goes; null for none.</param>
    /// <param name="bestPath">Where best.pt goes; null for none.</param>
    /// <param name="learningRateDecay">Factor applied to the learning rate after every epoch.</param>
    /// <param name="patience">Epochs without improvement before stopping; null never stops.</param>
    /// <param name="epochs">The run's last epoch.</param>
    /// <param name="optimizerKind">Recorded in the state for people reading it.</param>
    /// <param name="restored">The state a resume restored, whose best value and counter continue; null for a fresh run.</param>
    public EpochCheckpoints(nn.Module model, optim.Optimizer optimizer, ResumePoint? resumePoint, string? bestPath, double learningRateDecay,
        int? patience, int epochs, OptimizerKind optimizerKind, ResumeState? restored)
    {
        _model = model;
        _optimizer = optimizer;
        _resumePoint = resumePoint;
        _bestPath = bestPath;
        _learningRateDecay = learningRateDecay;
        _patience = patience;
        _epochs = epochs;
        _optimizerKind = optimizerKind;
        Best = restored?.BestMonitor;
        EpochsWithoutImprovement = restored?.EpochsWithoutImprovement ?? 0;
    }

    /// <summary>The best monitored value so far.</summary>
    public double? Best { get; private set; }

    /// <summary>Consecutive epochs without a better monitored value.</summary>
    public int EpochsWithoutImprovement { get; private set; }

    private double LearningRate => _optimizer.ParamGroups.First().LearningRate;

    /// <summary>
    /// Ends <paramref name="epoch"/> (already added to <paramref name="history"/>) with its monitored value; an undefined
    /// (null) value is never an improvement. Returns whether training stops here.
    /// </summary>
    public bool Complete(int epoch, double? monitored, bool higherIsBetter, TrainingHistory history, CheckpointInfo info)
    {
        bool improved = monitored is double m && (Best is not double b || (higherIsBetter ? m > b : m < b));
        if (improved)
        {
            Best = monitored;
            EpochsWithoutImprovement = 0;
            if (_bestPath is not null) Checkpoint.SaveAtomic(_model, _bestPath, info);
        }
        else
        {
            EpochsWithoutImprovement++;
        }
        if (_learningRateDecay != 1.0)
            foreach (var group in _optimizer.ParamGroups) group.LearningRate *= _learningRateDecay;

        bool stop = _patience is int patience && EpochsWithoutImprovement > 0 && EpochsWithoutImprovement >= patience;
        if (stop && epoch < _epochs) history.StoppedEarly = true;
        _resumePoint?.Save(_model, _optimizer, new ResumeState
        {
            RunId = info.RunId,
            Epoch = epoch,
            LearningRate = LearningRate,
            BestMonitor = Best,
            EpochsWithoutImprovement = EpochsWithoutImprovement,
            Optimizer = _optimizerKind.ToString(),
            History = history.ToDocument(),
        }, info);
        return stop;
    }
}
