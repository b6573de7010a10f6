using System;
using System.IO;
using SeqDsl.Runtime.Reporting;
using SeqDsl.Runtime.Training;
using static TorchSharp.torch;

namespace SeqDsl.Runtime.Experiments;

/// <summary>
/// What a series run and a text run set up alike: the spec with the command line's overrides, where messages go,
/// the run folder, libtorch's threads and the device, the checkpoint a command reads, and the lines they print about it.
/// </summary>
internal sealed class RunSetup
{
    public RunSetup(ExperimentSpec spec, RunOptions? options, TextWriter? output, ITrainingProgress? progress)
    {
        Spec = spec;
        Options = options ?? new RunOptions();
        Out = output ?? Console.Out;
        Progress = progress ?? new ConsoleProgress();
    }

    public ExperimentSpec Spec { get; }

    public RunOptions Options { get; }

    public TextWriter Out { get; }

    public ITrainingProgress Progress { get; }

    /// <summary>The run folder: --output, else runs/&lt;model name&gt;.</summary>
    public string OutputDirectory => Options.OutputDirectory ?? Path.Combine("runs", Spec.Name);

    /// <summary>The seed of a training run: --seed, else the spec's.</summary>
    public long Seed => Options.Seed ?? Spec.Training.Seed;

    /// <summary>libtorch's threads (<see cref="RunFolder.ConfigureTorch"/>), before any tensor is made.</summary>
    public void ConfigureTorch() => RunFolder.ConfigureTorch(Options.Threads, Out);

    /// <summary>The device the command line asks for.</summary>
    public Device ResolveDevice() => RunFolder.ResolveDevice(Options.Device);

    /// <summary>
    /// The start of `train`: threads, device, then the run folder locked and cleared of leftovers; the caller disposes
    /// the lock when the run ends.
    /// </summary>
    public (Device Device, RunFolderLock FolderLock) StartTraining()
    {
        ConfigureTorch();
        var device = ResolveDevice();
        return (device, RunFolder.Start(OutputDirectory, Out));
    }

    /// <summary>The checkpoint a command reads: --checkpoint, else the run folder's best.pt.</summary>
    /// <exception cref="ExperimentException">There is no such file.</exception>
    public string ExistingCheckpoint()
    {
        string checkpoint = Options.Checkpoint ?? Path.Combine(OutputDirectory, RunFolder.BestCheckpoint);
        if (!File.Exists(checkpoint))
            throw new ExperimentException($"No checkpoint at {checkpoint}: train first, or pass --checkpoint path/to/best.pt.");
        return checkpoint;
    }

    /// <summary>The spec's training settings with the command line's overrides, checkpointing into the run folder.</summary>
    public TrainerOptions TrainerOptions(int validationSteps, long seed, LossKind loss) =>
        RunFolder.TrainerOptions(Spec.Training, Options, OutputDirectory, validationSteps, seed, loss) with { ModelName = Spec.Name };

    /// <summary>Prints what the recurrent kernel self-check switched, if anything, for this model on this device.</summary>
    public void ReportKernels(nn.Module model, Device device)
    {
        if (RunFolder.KernelNotice(model, device) is string notice) Out.WriteLine(notice);
    }

    /// <summary>The last line of `train`: where the run folder is and the files it holds.</summary>
    public void ReportRunFolder(string files) => Out.WriteLine($"run folder: {Path.GetFullPath(OutputDirectory)} ({files})");
}
