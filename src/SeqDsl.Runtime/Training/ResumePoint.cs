using System;
using System.IO;
using System.Text;
using System.Text.Json;
using SeqDsl.Runtime.IO;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SeqDsl.Runtime.Training;

/// <summary>
/// The files a resumable run writes after every epoch and a resume reads: the weights at <c>path</c>, the optimizer state
/// at <c>path.optim</c> and the <see cref="ResumeState"/> at <c>path.json</c>. Every trainer of the runtime
/// (<see cref="Trainer"/> for windows and text, <see cref="EpisodeTrainer"/> for episodes) keeps its resume point here,
/// so they write and check it alike.
/// </summary>
internal sealed class ResumePoint
{
    private readonly string _path;
    private readonly string? _modelName;
    private readonly OptimizerOptions _optimizer;

    /// <param name="path">The last checkpoint's path.</param>
    /// <param name="modelName">The model's name in its spec, checked against the checkpoint's.</param>
    /// <param name="optimizer">The configured optimizer, for messages.</param>
    public ResumePoint(string path, string? modelName, OptimizerOptions optimizer)
    {
        _path = path;
        _modelName = modelName;
        _optimizer = optimizer;
    }

    /// <summary>
    /// The state a run starts from. With <paramref name="resume"/>, what <paramref name="point"/> holds (loaded into the
    /// model and optimizer; null when there is none); without, the resume point is deleted first, so that a later resume
    /// can only continue this run.
    /// </summary>
    public static ResumeState? Start(ResumePoint? point, bool resume, nn.Module model, optim.Optimizer optimizer, int epochs)
    {
        if (point is null) return null;
        if (!resume)
        {
            point.Delete();
            return null;
        }
        return point.TryLoad(model, optimizer, epochs);
    }

    /// <summary>
    /// Loads weights, optimizer state and learning rate from the resume point and returns its state; null when there
    /// is no last checkpoint.
    /// </summary>
    /// <param name="model">Receives the weights.</param>
    /// <param name="optimizer">Receives the optimizer state and the learning rate.</param>
    /// <param name="epochs">The run's configured epochs; the state's epoch must lie within them.</param>
    /// <exception cref="InvalidDataException">A missing, damaged or inconsistent file; the message names it and the field.</exception>
    public ResumeState? TryLoad(nn.Module model, optim.Optimizer optimizer, int epochs)
    {
        if (!File.Exists(_path)) return null;
        var statePath = _path + ".json";
        if (!File.Exists(statePath))
            throw new InvalidDataException($"Cannot resume from '{_path}': its training state '{statePath}' is missing. Delete the checkpoint to start afresh.");
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
        state.Validate(statePath, epochs);

        // The weights are written before the state, so a kill between the two leaves weights one epoch ahead of it.
        var info = Checkpoint.ReadInfo(_path);
        if (info is not null)
        {
            if (state.RunId is not null && info.RunId != state.RunId)
                throw new InvalidDataException(
                    $"Cannot resume: '{_path}' (run {info.RunId}) and its training state '{statePath}' (run {state.RunId}) come from different runs. Delete them to start afresh.");
            if (info.Epoch != state.Epoch && info.Epoch != state.Epoch + 1)
                throw new InvalidDataException(
                    $"Cannot resume: '{_path}' holds epoch {info.Epoch}, but its training state '{statePath}' says epoch {state.Epoch}. Delete them to start afresh.");
            if (_modelName is not null && info.Model is not null && info.Model != _modelName)
                throw new InvalidDataException($"Cannot resume: '{_path}' holds weights of model {info.Model}, not {_modelName}.");
            state.RunId ??= info.RunId;
        }
        Checkpoint.Load(model, _path);
        var optimizerPath = _path + ".optim";
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
                    $"Cannot resume: optimizer state '{optimizerPath}' does not match the configured {_optimizer.Kind} optimizer and model ({e.Message}).", e);
            }
        }
        // The saved rate already includes the decay of every completed epoch.
        foreach (var group in optimizer.ParamGroups) group.LearningRate = state.LearningRate;
        return state;
    }

    /// <summary>Deletes the files a resume would read, state first: a resume must never continue another run.</summary>
    public void Delete()
    {
        foreach (var file in new[] { _path + ".json", _path + ".optim", _path })
            if (File.Exists(file)) File.Delete(file);
    }

    /// <summary>Writes weights (with <paramref name="info"/>), optimizer state, then <paramref name="state"/>, each atomically.</summary>
    public void Save(nn.Module model, optim.Optimizer optimizer, ResumeState state, CheckpointInfo info)
    {
        Checkpoint.SaveAtomic(model, _path, info);
        if (optimizer is OptimizerHelper helper)
        {
            AtomicFile.Write(_path + ".optim", stream =>
            {
                using var writer = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true);
                helper.save_state_dict(writer);
                writer.Flush();
            });
        }
        // Written last: the epoch number in it is what a resume trusts.
        AtomicFile.WriteText(_path + ".json", JsonSerializer.Serialize(state, TrainingJson.Options));
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

    /// <summary>Best monitored value so far (val_loss, training loss without validation, or an episodes run's validation metric).</summary>
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
