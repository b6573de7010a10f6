using System.Text.Json.Nodes;
using SeqDsl.Runtime.Training;

namespace SeqDsl.Runtime.Tests.Training;

/// <summary>A diverged loss stops training with nothing saved; a resume checks every field it reads.</summary>
public class DivergenceAndResumeValidationTests
{
    [Fact]
    public void A_NaN_training_loss_stops_the_run_before_any_checkpoint_of_it_is_written()
    {
        using var directory = new TempDirectory();
        var options = new TrainerOptions
        {
            Epochs = 3, StepsPerEpoch = 2, ValidationSteps = 1,
            CheckpointPath = directory.File("best.pt"), LastCheckpointPath = directory.File("last.pt"),
        };
        var poisoned = TrainingData.Fixed(new[] { 0f, 1f }, new[] { float.NaN, 1f });
        using var trainer = new Trainer(TrainingData.NewModel(50), options);

        var error = Assert.Throws<TrainingDivergedException>(() => trainer.Fit(() => poisoned, TrainingData.FixedLinear));

        Assert.Equal((1, 1), (error.Epoch, error.Step));
        Assert.True(double.IsNaN(error.Value));
        Assert.Contains("training loss at epoch 1, step 1 is NaN", error.Message);
        Assert.False(File.Exists(options.CheckpointPath));
        Assert.False(File.Exists(options.LastCheckpointPath));
    }

    [Fact]
    public void An_infinite_validation_loss_stops_the_run_after_the_good_epochs()
    {
        using var directory = new TempDirectory();
        var options = new TrainerOptions { Epochs = 3, StepsPerEpoch = 2, ValidationSteps = 1, LastCheckpointPath = directory.File("last.pt") };
        int validations = 0;
        using var trainer = new Trainer(TrainingData.NewModel(51), options);

        var error = Assert.Throws<TrainingDivergedException>(() => trainer.Fit(TrainingData.FixedLinear,
            () => ++validations < 2 ? TrainingData.FixedLinear() : TrainingData.Fixed(new[] { 0f }, new[] { float.PositiveInfinity })));

        Assert.Equal(2, error.Epoch);
        Assert.Null(error.Step);
        // Epoch 1 stays resumable; the diverged epoch 2 left nothing behind.
        var state = JsonNode.Parse(File.ReadAllText(options.LastCheckpointPath + ".json"))!;
        Assert.Equal(1, (int)state["epoch"]!);
        Assert.DoesNotContain("NaN", File.ReadAllText(options.LastCheckpointPath + ".json"));
    }

    [Theory]
    [InlineData("epoch", "-5", "'epoch' is -5; expected 1 to 4")]
    [InlineData("epoch", "99", "'epoch' is 99; expected 1 to 4")]
    [InlineData("learning_rate", "-1e9", "'learning_rate' is -1000000000; expected a finite number above 0")]
    [InlineData("learning_rate", "\"NaN\"", "'learning_rate' is NaN")]
    [InlineData("epochs_without_improvement", "7", "'epochs_without_improvement' is 7")]
    [InlineData("history", "{\"epochs\": []}", "'history.epochs' has 0 entries; epoch 2 needs one per completed epoch")]
    [InlineData("run_id", "\"another-run\"", "come from different runs")]
    public void A_resume_rejects_a_damaged_training_state_naming_the_file_and_the_field(string field, string value, string message)
    {
        using var directory = new TempDirectory();
        var last = directory.File("last.pt");
        var options = new TrainerOptions { Epochs = 2, StepsPerEpoch = 2, ValidationSteps = 1, LastCheckpointPath = last };
        using (var first = new Trainer(TrainingData.NewModel(52), options))
            first.Fit(TrainingData.FixedLinear, TrainingData.FixedLinear);
        var state = JsonNode.Parse(File.ReadAllText(last + ".json"))!.AsObject();
        state[field] = JsonNode.Parse(value);
        File.WriteAllText(last + ".json", state.ToJsonString());

        var model = TrainingData.NewModel(53);
        var before = TrainingData.Weights(model);
        using var resumed = new Trainer(model, options with { Epochs = 4, Resume = true });
        var error = Assert.Throws<InvalidDataException>(() => resumed.Fit(TrainingData.FixedLinear, TrainingData.FixedLinear));

        Assert.Contains(last, error.Message);
        Assert.Contains(message, error.Message);
        Assert.Equal(before, TrainingData.Weights(model));
    }

    [Fact]
    public void A_fresh_run_voids_the_previous_runs_resume_point_and_records_its_own_run_in_checkpoints()
    {
        using var directory = new TempDirectory();
        var options = new TrainerOptions { Epochs = 1, StepsPerEpoch = 2, CheckpointPath = directory.File("best.pt"), LastCheckpointPath = directory.File("last.pt"), ModelName = "Linear" };
        string firstRun;
        using (var first = new Trainer(TrainingData.NewModel(54), options))
        {
            first.Fit(TrainingData.FixedLinear, null);
            firstRun = first.RunId!;
        }
        var progress = new RecordingProgress { OnEpochStarted = _ => Assert.False(File.Exists(options.LastCheckpointPath + ".json")) };
        using var second = new Trainer(TrainingData.NewModel(55), options, progress: progress);
        second.Fit(TrainingData.FixedLinear, null);

        Assert.NotEqual(firstRun, second.RunId);
        var info = Checkpoint.ReadInfo(options.CheckpointPath!)!;
        Assert.Equal((second.RunId, 1, "Linear"), (info.RunId, info.Epoch, info.Model));
        Assert.Equal(second.RunId, Checkpoint.ReadInfo(options.LastCheckpointPath!)!.RunId);
    }
}
