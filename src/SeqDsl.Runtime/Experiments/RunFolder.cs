using System;
using System.IO;
using System.Linq;
using SeqDsl.Runtime.Data;
using SeqDsl.Runtime.Layers;
using SeqDsl.Runtime.IO;
using SeqDsl.Runtime.Reporting;
using SeqDsl.Runtime.Training;

namespace SeqDsl.Runtime.Experiments;

/// <summary>What series and text runs share: trainer settings from the spec and the CLI, fitting, and the files of a run folder.</summary>
internal static class RunFolder
{
    /// <summary>The device a run asks for; CUDA without CUDA is an error that says what to do, auto falls back to the CPU.</summary>
    public static TorchSharp.torch.Device ResolveDevice(DeviceChoice choice)
    {
        bool cuda = TorchSharp.torch.cuda.is_available();
        return choice switch
        {
            DeviceChoice.Cpu => TorchSharp.torch.CPU,
            DeviceChoice.Cuda when cuda => TorchSharp.torch.CUDA,
            DeviceChoice.Cuda => throw new ExperimentException(
                "--device cuda: CUDA is not available. This build uses TorchSharp-cpu; on a machine with an NVIDIA GPU build with -p:SeqDslTorchBackend=cuda, or use --device cpu."),
            _ => cuda ? TorchSharp.torch.CUDA : TorchSharp.torch.CPU,
        };
    }

    /// <summary>
    /// What the self-check of libtorch's recurrent kernels switched on this CPU (<see cref="RecurrentKernels"/>), for a
    /// model with recurrent layers on the CPU; null when it switched nothing or the model has no recurrent layer.
    /// </summary>
    public static string? KernelNotice(TorchSharp.torch.nn.Module model, TorchSharp.torch.Device device)
    {
        if (device.type != TorchSharp.DeviceType.CPU || !model.modules().OfType<RecurrentLayer>().Any()) return null;
        var report = RecurrentKernels.Check();
        return report.Switched ? report.Summary : null;
    }

    /// <summary>
    /// libtorch's thread count: <paramref name="threads"/>, at most one per core (more only adds thread start-up and
    /// contention; libtorch starts them all at once, which takes minutes for thousands), and denormal flushing.
    /// </summary>
    public static void ConfigureTorch(int? threads, TextWriter output)
    {
        int cores = Environment.ProcessorCount;
        if (threads > cores)
        {
            output.WriteLine($"note: --threads {threads} is more than the {cores} cores of this machine; using {cores}.");
            threads = cores;
        }
        TorchSetup.Configure(threads);
    }

    /// <summary>
    /// Makes <paramref name="folder"/> this process's run folder: locks it (which also proves it writable) and deletes
    /// the temporary files that writes killed in an earlier run left there.
    /// </summary>
    /// <exception cref="ExperimentException">Another run holds the folder, or it cannot be written.</exception>
    public static RunFolderLock Start(string folder, TextWriter output)
    {
        var folderLock = RunFolderLock.Acquire(folder, output);
        var leftovers = AtomicFile.DeleteLeftovers(folder);
        if (leftovers.Count > 0)
            output.WriteLine($"note: removed {leftovers.Count} temporary file(s) that an interrupted write left in {folder}: {string.Join(", ", leftovers)}");
        return folderLock;
    }

    /// <summary>Loads a checkpoint into a model built from <paramref name="spec"/>, refusing one written for another model.</summary>
    /// <returns>The checkpoint's info, or null for a checkpoint without one.</returns>
    /// <exception cref="ExperimentException">The checkpoint says it holds another model's weights.</exception>
    public static CheckpointInfo? LoadWeights(TorchSharp.torch.nn.Module model, string checkpoint, ExperimentSpec spec)
    {
        var info = Checkpoint.ReadInfo(checkpoint);
        if (info?.Model is { } written && written != spec.Name)
            throw new ExperimentException($"Checkpoint '{checkpoint}' holds weights of model {written}, not {spec.Name} ({spec.SpecFile}).");
        Checkpoint.Load(model, checkpoint);
        return info;
    }

    /// <summary>The checkpoint of the best epoch in a run folder.</summary>
    public const string BestCheckpoint = "best.pt";

    /// <summary>The checkpoint of the last completed epoch (and the resume point beside it) in a run folder.</summary>
    public const string LastCheckpoint = "last.pt";

    /// <summary>The spec's training settings with the command line's overrides, checkpointing into <paramref name="folder"/>.</summary>
    public static TrainerOptions TrainerOptions(TrainingSpec training, RunOptions run, string folder, int validationSteps, long seed, LossKind loss) => new()
    {
        Epochs = run.Epochs ?? training.Epochs,
        StepsPerEpoch = run.StepsPerEpoch ?? training.StepsPerEpoch,
        ValidationSteps = validationSteps,
        Loss = loss,
        Optimizer = training.Optimizer,
        ClipNorm = training.ClipNorm,
        LearningRateDecay = training.LearningRateDecay,
        EarlyStoppingPatience = training.EarlyStoppingPatience,
        CheckpointPath = Path.Combine(folder, BestCheckpoint),
        LastCheckpointPath = Path.Combine(folder, LastCheckpoint),
        Resume = run.Resume,
        Seed = seed,
    };

    /// <summary>Fits, and takes a live progress bar off the screen however the fit ends.</summary>
    public static TrainingHistory Fit(Trainer trainer, ITrainingProgress progress, Func<IBatchSource> train, Func<IBatchSource>? validation)
    {
        try
        {
            return trainer.Fit(train, validation);
        }
        finally
        {
            (progress as IDisposable)?.Dispose();
        }
    }

    /// <summary>history.csv, history.json and loss.png.</summary>
    public static void WriteHistory(TrainingHistory history, string folder, string title, double? baseline = null, string baselineLabel = "baseline")
    {
        history.WriteCsv(Path.Combine(folder, "history.csv"));
        history.WriteJson(Path.Combine(folder, "history.json"));
        LossPlot.Write(history, Path.Combine(folder, "loss.png"), title, baseline, baselineLabel);
    }
}
