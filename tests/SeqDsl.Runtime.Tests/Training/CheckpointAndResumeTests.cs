using SeqDsl.Runtime.Training;

namespace SeqDsl.Runtime.Tests.Training;

public class CheckpointAndResumeTests
{
    [Fact]
    public void SaveAtomic_round_trips_and_leaves_no_temporary_files()
    {
        using var directory = new TempDirectory();
        var path = directory.File("nested/model.ckpt");
        var model = TrainingData.NewModel(10);

        Checkpoint.SaveAtomic(model, path);
        Checkpoint.SaveAtomic(model, path);   // overwriting works too

        var copy = TrainingData.NewModel(11);
        Assert.NotEqual(TrainingData.Weights(model), TrainingData.Weights(copy));
        Checkpoint.Load(copy, path);
        Assert.Equal(TrainingData.Weights(model), TrainingData.Weights(copy));
        Assert.Empty(Directory.GetFiles(Path.GetDirectoryName(path)!, "*.tmp-*"));
    }

    [Fact]
    public void A_crashed_write_beside_the_checkpoint_does_not_affect_it()
    {
        using var directory = new TempDirectory();
        var path = directory.File("model.ckpt");
        var model = TrainingData.NewModel(12);
        Checkpoint.SaveAtomic(model, path);
        // What a crash during the next save would leave behind: a partial temporary file.
        File.WriteAllBytes(path + ".tmp-x", new byte[] { 1, 2, 3, 42, 0, 7 });

        var restored = TrainingData.NewModel(13);
        Checkpoint.Load(restored, path);

        Assert.Equal(TrainingData.Weights(model), TrainingData.Weights(restored));
    }

    [Fact]
    public void Loading_a_missing_or_corrupt_checkpoint_names_the_path_and_keeps_the_weights()
    {
        using var directory = new TempDirectory();
        var model = TrainingData.NewModel(14);
        var before = TrainingData.Weights(model);

        var missing = directory.File("missing.ckpt");
        Assert.Contains(missing, Assert.Throws<FileNotFoundException>(() => Checkpoint.Load(model, missing)).Message);

        var garbage = directory.File("garbage.ckpt");
        File.WriteAllBytes(garbage, Enumerable.Range(0, 64).Select(i => (byte)(i * 37)).ToArray());
        Assert.Contains(garbage, Assert.Throws<InvalidDataException>(() => Checkpoint.Load(model, garbage)).Message);

        // A valid file cut short: the first parameter may already have been read when the load fails.
        var truncated = directory.File("truncated.ckpt");
        Checkpoint.SaveAtomic(TrainingData.NewModel(15), truncated);
        var bytes = File.ReadAllBytes(truncated);
        File.WriteAllBytes(truncated, bytes[..^2]);
        Assert.Contains(truncated, Assert.Throws<InvalidDataException>(() => Checkpoint.Load(model, truncated)).Message);

        var otherArchitecture = directory.File("other.ckpt");
        Checkpoint.SaveAtomic(new SeqDsl.Runtime.Layers.Dense("dense", 2, new SeqDsl.Runtime.Layers.DenseOptions(1)), otherArchitecture);
        Assert.Throws<InvalidDataException>(() => Checkpoint.Load(model, otherArchitecture));

        Assert.Equal(before, TrainingData.Weights(model));
    }

    [Fact]
    public void Resume_continues_at_the_next_epoch_with_the_optimizer_state()
    {
        using var directory = new TempDirectory();
        var last = directory.File("last.ckpt");
        var baseOptions = new TrainerOptions
        {
            Epochs = 2, StepsPerEpoch = 5, ValidationSteps = 1, LearningRateDecay = 0.5, LastCheckpointPath = last,
            Optimizer = new OptimizerOptions(OptimizerKind.RmsProp) { LearningRate = 0.05 },
        };

        // Two epochs, then a new process (new model, new trainer) resumes up to epoch 4.
        using (var first = new Trainer(TrainingData.NewModel(20), baseOptions))
            first.Fit(TrainingData.FixedLinear, TrainingData.FixedLinear);
        Assert.True(File.Exists(last) && File.Exists(last + ".optim") && File.Exists(last + ".json"));
        Assert.Empty(directory.TempFiles());

        var resumedModel = TrainingData.NewModel(21);
        var progress = new RecordingProgress();
        using (var second = new Trainer(resumedModel, baseOptions with { Epochs = 4, Resume = true }, progress: progress))
        {
            var history = second.Fit(TrainingData.FixedLinear, TrainingData.FixedLinear);
            Assert.Equal(new[] { 1, 2, 3, 4 }, history.Epochs.Select(e => e.Epoch));
            Assert.Equal(new[] { 3, 4 }, progress.Records.Select(r => r.Epoch));
            Assert.Equal(new[] { 0.05, 0.025, 0.0125, 0.00625 }, history.Epochs.Select(e => e.LearningRate));
        }

        // An uninterrupted run ends at the same weights only if the RMSprop averages were restored too.
        var uninterrupted = TrainingData.NewModel(20);
        using (var reference = new Trainer(uninterrupted, baseOptions with { Epochs = 4, LastCheckpointPath = null }))
            reference.Fit(TrainingData.FixedLinear, TrainingData.FixedLinear);
        // Both start from NewModel(20)'s weights and run the same operations in the same order: the difference measures 0.
        // The bound 1e-6 still sits far below what a lost RMSprop average costs (about 0.07 in the control below).
        double resumedDifference = TrainingData.MaxDifference(TrainingData.Weights(uninterrupted), TrainingData.Weights(resumedModel));
        Assert.True(resumedDifference < 1e-6, $"the resumed run ends {resumedDifference:G3} away from the uninterrupted one: resume lost state");

        // Control: without the optimizer state (RMSprop's averages restart at 0) the weights end elsewhere.
        var controlOptions = baseOptions with { LastCheckpointPath = directory.File("control.ckpt") };
        using (var control = new Trainer(TrainingData.NewModel(20), controlOptions))
            control.Fit(TrainingData.FixedLinear, TrainingData.FixedLinear);
        File.Delete(controlOptions.LastCheckpointPath + ".optim");
        var withoutState = TrainingData.NewModel(22);
        using (var resumedControl = new Trainer(withoutState, controlOptions with { Epochs = 4, Resume = true }))
            resumedControl.Fit(TrainingData.FixedLinear, TrainingData.FixedLinear);
        double controlDifference = TrainingData.MaxDifference(TrainingData.Weights(uninterrupted), TrainingData.Weights(withoutState));
        Assert.True(controlDifference > 1e-4, $"without the optimizer state the run ends only {controlDifference:G3} away: the check above cannot tell");
    }

    [Fact]
    public void Resume_without_a_checkpoint_trains_from_scratch_and_a_finished_run_is_returned_as_is()
    {
        using var directory = new TempDirectory();
        var options = new TrainerOptions { Epochs = 2, StepsPerEpoch = 2, LastCheckpointPath = directory.File("last.ckpt"), Resume = true };

        using (var fresh = new Trainer(TrainingData.NewModel(30), options))
            Assert.Equal(2, fresh.Fit(TrainingData.FixedLinear, TrainingData.FixedLinear).Epochs.Count);

        var progress = new RecordingProgress();
        using var again = new Trainer(TrainingData.NewModel(31), options, progress: progress);
        var history = again.Fit(TrainingData.FixedLinear, TrainingData.FixedLinear);
        Assert.Equal(2, history.Epochs.Count);
        Assert.Empty(progress.Events);
    }

    [Fact]
    public void Cancellation_keeps_the_last_completed_epoch_for_resuming()
    {
        using var directory = new TempDirectory();
        using var cancellation = new CancellationTokenSource();
        var options = new TrainerOptions { Epochs = 3, StepsPerEpoch = 2, LastCheckpointPath = directory.File("last.ckpt") };
        var progress = new RecordingProgress { OnEpochCompleted = r => { if (r.Epoch == 1) cancellation.Cancel(); } };
        using (var trainer = new Trainer(TrainingData.NewModel(40), options, progress: progress))
        {
            Assert.ThrowsAny<OperationCanceledException>(() => trainer.Fit(TrainingData.FixedLinear, TrainingData.FixedLinear, cancellation.Token));
        }

        using var resumed = new Trainer(TrainingData.NewModel(41), options with { Resume = true });
        var history = resumed.Fit(TrainingData.FixedLinear, TrainingData.FixedLinear);
        Assert.Equal(new[] { 1, 2, 3 }, history.Epochs.Select(e => e.Epoch));
        Assert.Equal(progress.Records[0], history.Epochs[0]);
    }
}
