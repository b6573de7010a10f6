using SeqDsl.Runtime.Layers;
using SeqDsl.Runtime.Tests.Layers;
using SeqDsl.Runtime.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace SeqDsl.Runtime.Tests.Training;

public class TrainerTests
{
    private static readonly OptimizerOptions FastRmsProp = new(OptimizerKind.RmsProp) { LearningRate = 0.05 };

    [Fact]
    public void Training_a_line_reduces_the_loss()
    {
        var model = TrainingData.NewModel(1);
        var options = new TrainerOptions { Epochs = 4, StepsPerEpoch = 25, ValidationSteps = 2, Loss = LossKind.Mse, Optimizer = FastRmsProp };
        using var trainer = new Trainer(model, options);

        var history = trainer.Fit(() => TrainingData.Linear(16, 1), () => TrainingData.Linear(16, 2));

        Assert.Equal(new[] { 1, 2, 3, 4 }, history.Epochs.Select(e => e.Epoch));
        Assert.True(history.Epochs[^1].Loss < history.Epochs[0].Loss / 4, string.Join(", ", history.Epochs.Select(e => e.Loss)));
        Assert.True(history.Epochs[^1].ValLoss < history.Epochs[0].ValLoss);
        Assert.All(history.Epochs, e => Assert.Equal(e.ValLoss, e.ValMse));   // MSE loss: val_loss is val_mse
        Assert.All(history.Epochs, e => Assert.True(e.Seconds >= 0));
        Assert.Equal(history.Epochs.MinBy(e => e.ValLoss)!.Epoch, history.BestEpoch);
        Assert.Equal(history.Epochs.Min(e => e.ValLoss), history.BestValLoss);
        Assert.False(history.StoppedEarly);
    }

    [Fact]
    public void Evaluate_reports_mae_mse_and_loss_over_all_elements()
    {
        var model = new Dense("dense", 1, new DenseOptions(1));
        TensorAssert.SetParameter(model, "kernel", new[] { 2f });
        TensorAssert.SetParameter(model, "bias", new[] { 0f });
        var batches = new[]
        {
            (new[] { 1f, 2f }, new[] { 3f, 5f }),   // predictions 2, 4: errors −1, −1
            (new[] { 3f, 0f }, new[] { 3f, 3f }),   // predictions 6, 0: errors 3, −3
        };
        var next = 0;
        using var trainer = new Trainer(model, new TrainerOptions { Loss = LossKind.Huber });
        model.train();

        var (mae, mse, loss) = trainer.Evaluate(() => new DelegateSource(() =>
        {
            var (x, y) = batches[next++];
            return TrainingData.Batch(x, y);
        }), 2);

        Assert.Equal(2.0, mae, 6);
        Assert.Equal(5.0, mse, 6);
        Assert.Equal(1.5, loss, 6);   // Huber: ½, ½, 2½, 2½
        Assert.True(model.training, "Evaluate restores the previous mode.");
    }

    [Fact]
    public void Steps_train_and_validation_evaluates_without_gradients_on_fresh_sources()
    {
        manual_seed(3);
        var model = new ModeProbe();
        var trainSources = new List<DelegateSource>();
        var validationSources = new List<DelegateSource>();
        var progress = new RecordingProgress();
        using var trainer = new Trainer(model, new TrainerOptions { Epochs = 2, StepsPerEpoch = 3, ValidationSteps = 2 }, progress: progress);

        trainer.Fit(
            () => { var s = TrainingData.Linear(4, 1); trainSources.Add(s); return s; },
            () => { var s = TrainingData.Linear(4, 2); validationSources.Add(s); return s; });

        Assert.Single(trainSources);
        Assert.Equal(6, trainSources[0].Calls);
        Assert.Equal(2, validationSources.Count);
        Assert.All(validationSources, s => Assert.Equal(2, s.Calls));
        Assert.All(trainSources.Concat(validationSources), s => Assert.True(s.Disposed));
        var expectedModes = new[] { (true, true), (true, true), (true, true), (false, false), (false, false) };
        Assert.Equal(expectedModes.Concat(expectedModes), model.Calls);
        Assert.Equal(
            new[]
            {
                "epoch 1/2 (3 steps)", "step 1", "step 2", "step 3", "validate (2 steps)", "end 1",
                "epoch 2/2 (3 steps)", "step 1", "step 2", "step 3", "validate (2 steps)", "end 2",
            },
            progress.Events);
        // The step reports are running means; the last one of an epoch is the epoch's loss.
        Assert.Equal(progress.Records[0].Loss, progress.StepLosses[2], 12);
        Assert.Equal(progress.Records[1].Loss, progress.StepLosses[5], 12);
    }

    [Fact]
    public void Without_validation_records_have_no_validation_metrics()
    {
        var progress = new RecordingProgress();
        using var trainer = new Trainer(TrainingData.NewModel(2), new TrainerOptions { Epochs = 2, StepsPerEpoch = 2, ValidationSteps = 0 }, progress: progress);
        var history = trainer.Fit(() => TrainingData.Linear(4, 1), () => throw new InvalidOperationException("not called"));
        Assert.All(history.Epochs, e => Assert.Null(e.ValLoss));
        Assert.DoesNotContain(progress.Events, e => e.StartsWith("validate", StringComparison.Ordinal));
        Assert.Null(history.BestValLoss);
        Assert.InRange(history.BestEpoch, 1, 2);
    }

    [Fact]
    public void Learning_rate_decay_halves_the_rate_after_every_epoch()
    {
        var options = new TrainerOptions
        {
            Epochs = 3, StepsPerEpoch = 1, ValidationSteps = 0, LearningRateDecay = 0.5,
            Optimizer = new OptimizerOptions(OptimizerKind.Adam) { LearningRate = 0.01 },
        };
        using var trainer = new Trainer(TrainingData.NewModel(3), options);
        var history = trainer.Fit(() => TrainingData.Linear(4, 1), null);
        Assert.Equal(new[] { 0.01, 0.005, 0.0025 }, history.Epochs.Select(e => e.LearningRate));
        Assert.Equal(0.00125, trainer.LearningRate, 12);
    }

    [Fact]
    public void Early_stopping_stops_after_patience_epochs_without_a_lower_val_loss_and_keeps_the_best_checkpoint()
    {
        using var directory = new TempDirectory();
        var bestPath = directory.File("best.ckpt");
        var model = TrainingData.NewModel(4);
        var snapshots = new List<float[]>();
        var progress = new RecordingProgress { OnEpochCompleted = _ => snapshots.Add(TrainingData.Weights(model)) };
        var options = new TrainerOptions
        {
            Epochs = 10, StepsPerEpoch = 2, ValidationSteps = 1, EarlyStoppingPatience = 2, CheckpointPath = bestPath,
            Optimizer = FastRmsProp,
        };
        using var trainer = new Trainer(model, options, progress: progress);
        var validationEpoch = 0;

        // Validation targets move away every epoch, so only epoch 1 improves.
        var history = trainer.Fit(
            () => TrainingData.Linear(4, 1),
            () =>
            {
                var k = ++validationEpoch;
                return new DelegateSource(() => (ones(4, 1), full(4, 1, 100f * k)));
            });

        Assert.Equal(3, history.Epochs.Count);
        Assert.True(history.StoppedEarly);
        Assert.Equal(1, history.BestEpoch);
        Assert.Equal(history.Epochs[0].ValLoss, history.BestValLoss);
        var restored = TrainingData.NewModel(99);
        Checkpoint.Load(restored, bestPath);
        Assert.Equal(snapshots[0], TrainingData.Weights(restored));
        Assert.NotEqual(snapshots[2], TrainingData.Weights(restored));
        Assert.Empty(directory.TempFiles());
    }

    [Fact]
    public void Clipping_limits_the_global_gradient_norm()
    {
        static double UpdateNorm(double? clipNorm)
        {
            var model = new Dense("dense", 1, new DenseOptions(1));
            TensorAssert.SetParameter(model, "kernel", new[] { 0f });
            TensorAssert.SetParameter(model, "bias", new[] { 0f });
            var options = new TrainerOptions
            {
                StepsPerEpoch = 1, ValidationSteps = 0, Loss = LossKind.Mse, ClipNorm = clipNorm,
                Optimizer = new OptimizerOptions(OptimizerKind.Sgd) { LearningRate = 1 },
            };
            using var trainer = new Trainer(model, options);
            trainer.Fit(() => TrainingData.Fixed(new[] { 3f }, new[] { 4f }), null);
            // Plain SGD with lr 1 moves the weights by exactly the (clipped) gradient.
            return Math.Sqrt(TrainingData.Weights(model).Sum(w => (double)w * w));
        }

        Assert.Equal(Math.Sqrt(24 * 24 + 8 * 8), UpdateNorm(null), 4);   // d/dk (3k + b − 4)² = −24, d/db = −8
        Assert.Equal(0.5, UpdateNorm(0.5), 5);
    }

    [Fact]
    public void Memory_does_not_grow_over_300_steps()
    {
        long? atStep10 = null, atStep300 = null;
        var step = 0;
        var random = TrainingData.Linear(8, 5);
        var source = new DelegateSource(() =>
        {
            // Everything the previous step created has been disposed by the time the next batch is requested.
            step++;
            if (step == 10) atStep10 = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
            if (step == 300) atStep300 = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
            return random.Next();
        });
        var options = new TrainerOptions { Epochs = 3, StepsPerEpoch = 100, ValidationSteps = 2, ClipNorm = 1.0, Optimizer = FastRmsProp };
        using var trainer = new Trainer(TrainingData.NewModel(5), options);

        trainer.Fit(() => source, () => TrainingData.Linear(8, 6));

        Assert.NotNull(atStep300);
        Assert.Equal(atStep10, atStep300);
    }

    [Fact]
    public void Options_are_validated()
    {
        var model = TrainingData.NewModel(6);
        Assert.Throws<ArgumentOutOfRangeException>(() => new Trainer(model, new TrainerOptions { StepsPerEpoch = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Trainer(model, new TrainerOptions { ClipNorm = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Trainer(model, new TrainerOptions { LearningRateDecay = 0 }));
        Assert.Throws<ArgumentException>(() => new Trainer(model, new TrainerOptions { Resume = true }));
        using var trainer = new Trainer(model, new TrainerOptions());
        Assert.Throws<ArgumentOutOfRangeException>(() => trainer.Evaluate(() => TrainingData.FixedLinear(), 0));
    }
}
