using SeqDsl.Runtime.Episodes;
using static TorchSharp.torch;

namespace SeqDsl.Runtime.Tests.Episodes;

public sealed class EpisodeBatchAndLossTests
{
    [Fact]
    public void Batches_pad_to_the_longest_record_with_lengths_labels_and_step_mask()
    {
        var set = EpisodeTestSets.Three();
        var prepared = EpisodePreprocessor.Fit(set, new[] { 0, 1 }, new EpisodePreprocessingOptions { Scaling = Scaling.None }).Transform(set);
        var labels = EpisodeLabels.Resolve(set, new[] { new LabelDefinition("death", "death"), new LabelDefinition("short", "los", LabelRule.Below, 3) });

        using var batch = EpisodeBatches.Create(prepared, labels, new[] { 1, 0 }, new[] { 1, 0 });
        Assert.Equal(new long[] { 2, 3, 2 }, batch.Inputs.shape);
        Assert.Equal(new long[] { 2, 3 }, batch.Lengths.data<long>().ToArray());
        Assert.Equal(new float[] { 100, 140, 100, 100, 0, 0, 85, 120, 85, 120, 70, 120 }, batch.Inputs.data<float>().ToArray());
        Assert.Equal(new float[] { 1, 1, 0, 1, 1, 1 }, batch.StepMask.data<float>().ToArray());
        Assert.Equal(new float[] { 0, 0, 1, 1 }, batch.Labels.data<float>().ToArray());
        using var mask = EpisodeBatches.StepMask(batch.Lengths, 3);
        Assert.Equal(batch.StepMask.data<float>().ToArray(), mask.data<float>().ToArray());
    }

    [Fact]
    public void Last_real_step_ignores_padding()
    {
        using var sequence = arange(2 * 3 * 2, dtype: ScalarType.Float32).reshape(2, 3, 2);
        using var lengths = tensor(new long[] { 3, 1 });
        using var last = EpisodeBatches.LastRealStep(sequence, lengths);
        Assert.Equal(new float[] { 4, 5, 6, 7 }, last.data<float>().ToArray());
        Assert.Throws<ArgumentException>(() => EpisodeBatches.LastRealStep(sequence.select(0, 0), lengths));
    }

    private static readonly float[] Logits = { 0.5f, -1f, 2f, 0.3f, -0.7f, 1.5f, /* record 2 */ 1f, 0f, 9f, 9f, -9f, -9f };
    private static readonly float[] Targets = { 1, 0, /* record 2 */ 0, 1 };

    private static double Bce(double x, double y, double positiveWeight = 1) =>
        positiveWeight * y * Math.Log(1 + Math.Exp(-x)) + (1 - y) * Math.Log(1 + Math.Exp(x));

    private static double StepLoss(int record, int step, int label, double positiveWeight = 1) =>
        Bce(Logits[record * 6 + step * 2 + label], Targets[record * 2 + label], positiveWeight);

    [Fact]
    public void Target_replication_averages_real_steps_with_the_last_and_padding_never_counts()
    {
        using var logits = tensor(Logits, new long[] { 2, 3, 2 });
        using var labels = tensor(Targets, new long[] { 2, 2 });
        using var lengths = tensor(new long[] { 3, 1 });

        double lastOnly = (StepLoss(0, 2, 0) + StepLoss(0, 2, 1) + StepLoss(1, 0, 0) + StepLoss(1, 0, 1)) / 4;
        using var plain = EpisodeLoss.Compute(logits, labels, lengths, 2, new EpisodeLossOptions());
        Assert.Equal(lastOnly, plain.item<float>(), 5);

        double meanOverSteps = (Enumerable.Range(0, 3).Sum(t => StepLoss(0, t, 0) + StepLoss(0, t, 1)) / 3 + StepLoss(1, 0, 0) + StepLoss(1, 0, 1)) / 4;
        using var replicated = EpisodeLoss.Compute(logits, labels, lengths, 2, new EpisodeLossOptions { TargetReplication = 0.5 });
        Assert.Equal(0.5 * meanOverSteps + 0.5 * lastOnly, replicated.item<float>(), 5);

        using var nonFinitePadding = logits.clone();
        nonFinitePadding[1, 2, 0] = tensor(float.NaN);
        using var despitePadding = EpisodeLoss.Compute(nonFinitePadding, labels, lengths, 2, new EpisodeLossOptions { TargetReplication = 0.5 });
        Assert.Equal(replicated.item<float>(), despitePadding.item<float>(), 6);

        using var last = EpisodeBatches.LastRealStep(logits, lengths);
        using var fromLast = EpisodeLoss.ComputeLast(last, labels, 2, new EpisodeLossOptions());
        Assert.Equal(lastOnly, fromLast.item<float>(), 5);
    }

    [Fact]
    public void Auxiliary_labels_have_their_own_weight_and_positives_can_be_weighted()
    {
        using var logits = tensor(Logits, new long[] { 2, 3, 2 });
        using var labels = tensor(Targets, new long[] { 2, 2 });
        using var lengths = tensor(new long[] { 3, 1 });

        double scored = (StepLoss(0, 2, 0) + StepLoss(1, 0, 0)) / 2, auxiliary = (StepLoss(0, 2, 1) + StepLoss(1, 0, 1)) / 2;
        using var withAuxiliary = EpisodeLoss.Compute(logits, labels, lengths, 1, new EpisodeLossOptions { AuxiliaryWeight = 0.25 });
        Assert.Equal(scored + 0.25 * auxiliary, withAuxiliary.item<float>(), 5);

        double weighted = (StepLoss(0, 2, 0, 3) + StepLoss(0, 2, 1, 2) + StepLoss(1, 0, 0, 3) + StepLoss(1, 0, 1, 2)) / 4;
        using var positive = EpisodeLoss.Compute(logits, labels, lengths, 2, new EpisodeLossOptions { PositiveWeights = new float[] { 3, 2 } });
        Assert.Equal(weighted, positive.item<float>(), 5);

        Assert.Throws<ArgumentException>(() => EpisodeLoss.Compute(logits, labels, lengths, 2, new EpisodeLossOptions { TargetReplication = 1.5 }));
        Assert.Throws<ArgumentException>(() => EpisodeLoss.Compute(logits, labels, lengths, 2, new EpisodeLossOptions { PositiveWeights = new float[] { 1 } }));
    }
}
