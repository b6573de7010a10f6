using SeqDsl.Runtime.Episodes;
using SeqDsl.Runtime.Experiments;
using SeqDsl.Runtime.Tests.Episodes;
using SeqDsl.Runtime.Tests.Experiments;
using SeqDsl.Runtime.Training;

namespace SeqDsl.Runtime.Tests.Training;

public sealed class EpisodeTrainerTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "seqdsl-episode-trainer-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_folder)) Directory.Delete(_folder, recursive: true);
    }

    /// <summary>8 records of 1 to 3 steps of 2 features; "death" is 1 on the even records.</summary>
    private static (SequenceBatchSource Train, SequenceBatchSource Validation) Sources(int[] train, int[] validation)
    {
        var labels = EpisodeLabels.Resolve(EpisodeTestSets.Labelled(8, 2), new[] { new LabelDefinition("death", "death") });
        SequenceBatchSource Source(int[] rows)
        {
            var inputs = rows.Select(r => Enumerable.Range(0, 2 * (1 + r % 3)).Select(i => (float)(r + i) / 10).ToArray()).ToArray();
            var prepared = new PreparedEpisodes(rows.Select(r => $"r{r}").ToArray(), inputs, rows.Select(r => 1 + r % 3).ToArray(), new[] { "a", "b" });
            return new SequenceBatchSource(prepared, labels, rows);
        }
        return (Source(train), Source(validation));
    }

    private EpisodeTrainerOptions Options(int epochs = 2) => new()
    {
        Epochs = epochs,
        BatchSize = 3,
        LabelNames = new[] { "death" },
        ScoredCount = 1,
        CheckpointPath = Path.Combine(_folder, "best.pt"),
        LastCheckpointPath = Path.Combine(_folder, "last.pt"),
    };

    [Fact]
    public void An_undefined_validation_auroc_is_never_an_improvement()
    {
        // The validation records 3 and 5 are both negative: AUROC needs both classes.
        var (train, validation) = Sources(new[] { 0, 1, 2, 4 }, new[] { 3, 5 });
        using var trainer = new EpisodeTrainer(new TinyEpisodeModel(2, 1), Options());

        var history = trainer.Fit(train, validation);

        Assert.All(history.Epochs, e => Assert.Null(e.ValMetric));
        Assert.All(history.Epochs, e => Assert.Equal("macro_auroc", e.ValMetricName));
        Assert.False(File.Exists(Path.Combine(_folder, "best.pt")), "best.pt was written although no epoch had a defined AUROC");
        Assert.True(File.Exists(Path.Combine(_folder, "last.pt")));
    }

    [Fact]
    public void Without_validation_the_training_loss_chooses_the_best_epoch()
    {
        var (train, _) = Sources(new[] { 0, 1, 2, 3, 4, 5 }, Array.Empty<int>());
        using var trainer = new EpisodeTrainer(new TinyEpisodeModel(2, 1), Options());

        var history = trainer.Fit(train, validation: null);

        Assert.All(history.Epochs, e => Assert.Null(e.ValLoss));
        var best = Checkpoint.ReadInfo(Path.Combine(_folder, "best.pt"))!;
        Assert.Equal(trainer.RunId, best.RunId);
        Assert.Equal(history.BestEpoch, best.Epoch);
    }

    [Fact]
    public void Logits_without_one_column_per_label_are_a_message()
    {
        var (train, validation) = Sources(new[] { 0, 1, 2, 4 }, new[] { 3, 6 });
        using var trainer = new EpisodeTrainer(new TinyEpisodeModel(2, 3), Options());

        var error = Assert.Throws<ArgumentException>(() => trainer.Fit(train, validation));
        Assert.Contains("an episodes task needs one logit per label (1: scored, then auxiliary)", error.Message);
    }

    [Fact]
    public void The_record_order_depends_only_on_the_seed_and_the_epoch()
    {
        var order = EpisodeTrainer.Shuffled(50, 42, 3);
        Assert.Equal(Enumerable.Range(0, 50), order.Order());
        Assert.Equal(order, EpisodeTrainer.Shuffled(50, 42, 3));
        Assert.NotEqual(order, EpisodeTrainer.Shuffled(50, 42, 4));
        Assert.NotEqual(order, EpisodeTrainer.Shuffled(50, 43, 3));
    }

    [Theory]
    [InlineData(EpisodeMonitor.MacroAuroc, true)]
    [InlineData(EpisodeMonitor.MicroAuroc, true)]
    [InlineData(EpisodeMonitor.FirstLabelAuroc, true)]
    [InlineData(EpisodeMonitor.Loss, false)]
    public void Every_auroc_is_better_higher_and_the_loss_lower(EpisodeMonitor monitor, bool higher) =>
        Assert.Equal(higher, EpisodeTrainer.HigherIsBetter(monitor));
}
