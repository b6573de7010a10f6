using SeqDsl.Runtime.Episodes;

namespace SeqDsl.Runtime.Tests.Episodes;

/// <summary>Expected values from scikit-learn 1.2 (roc_auc_score, average_precision_score, f1_score) on the same inputs.</summary>
public sealed class EpisodeMetricsTests
{
    private static readonly bool[] Y = { true, false, true, true, false, false, true, false, false, true };
    private static readonly double[] S = { 0.9, 0.1, 0.8, 0.4, 0.4, 0.3, 0.4, 0.7, 0.2, 0.55 };

    [Fact]
    public void Binary_metrics_match_scikit_learn_with_ties()
    {
        Assert.Equal(0.84, BinaryMetrics.Auroc(S, Y)!.Value, 12);
        Assert.Equal(0.8357142857142859, BinaryMetrics.AveragePrecision(S, Y)!.Value, 12);
        Assert.Equal(0.6666666666666665, BinaryMetrics.F1(S, Y, 0.5)!.Value, 12);
        var allTied = new[] { 0.5, 0.5, 0.5, 0.5 };
        var alternating = new[] { false, true, false, true };
        Assert.Equal(0.5, BinaryMetrics.Auroc(allTied, alternating));
        Assert.Equal(0.5, BinaryMetrics.AveragePrecision(allTied, alternating));
    }

    [Fact]
    public void Roc_curve_matches_scikit_learn_with_ties_as_one_point()
    {
        // scikit-learn 1.2.1: roc_curve(y, s, drop_intermediate=False) gives fpr [0, 0, .25, .75, .75, 1] and tpr
        // [0, .25, .5, .75, 1, 1]; the tied 0.8s (one of each class) and 0.6s (one positive, two negatives) are one point each.
        double[] scores = { 0.6, 0.9, 0.1, 0.8, 0.6, 0.3, 0.8, 0.6 };
        bool[] labels = { true, true, false, true, false, true, false, false };
        var (fpr, tpr) = BinaryMetrics.RocCurve(scores, labels)!.Value;
        Assert.Equal(new[] { 0, 0, 0.25, 0.75, 0.75, 1 }, fpr);
        Assert.Equal(new[] { 0, 0.25, 0.5, 0.75, 1, 1 }, tpr);

        // The trapezoids under the curve are the AUROC (roc_auc_score: 0.65625); sums of quarters are exact in binary.
        double area = Enumerable.Range(1, fpr.Length - 1).Sum(i => (fpr[i] - fpr[i - 1]) * (tpr[i] + tpr[i - 1]) / 2);
        Assert.Equal(0.65625, area);
        Assert.Equal(0.65625, BinaryMetrics.Auroc(scores, labels));

        Assert.Null(BinaryMetrics.RocCurve(scores, new bool[scores.Length]));
        Assert.Null(BinaryMetrics.RocCurve(scores, Enumerable.Repeat(true, scores.Length).ToArray()));
    }

    [Fact]
    public void One_class_is_undefined_never_NaN()
    {
        var none = new bool[S.Length];
        Assert.Null(BinaryMetrics.Auroc(S, none));
        Assert.Null(BinaryMetrics.AveragePrecision(S, none));
        Assert.Null(BinaryMetrics.F1(S, none, 0.5));
        Assert.Null(BinaryMetrics.TuneThreshold(S, none));
        Assert.Null(BinaryMetrics.ChallengeScore(S, none));
        Assert.Null(BinaryMetrics.Auroc(S, Enumerable.Repeat(true, S.Length).ToArray()));
        Assert.Throws<ArgumentException>(() => BinaryMetrics.Auroc(new[] { double.NaN, 1 }, new[] { true, false }));
    }

    [Fact]
    public void Tuned_threshold_and_challenge_score()
    {
        // Thresholds from the top: 0.9 → F1 2/6, 0.8 → 4/7, 0.7 → 4/8, 0.55 → 6/9, 0.4 (three tied) → 10/12, 0.3 → 10/13.
        Assert.Equal(0.4, BinaryMetrics.TuneThreshold(S, Y));
        // At 0.5: predicted 0.9, 0.8, 0.7, 0.55: TP 3, FP 1, FN 2: sensitivity 3/5, PPV 3/4.
        Assert.Equal(0.6, BinaryMetrics.ChallengeScore(S, Y)!.Value, 12);
        Assert.Equal(0.0, BinaryMetrics.ChallengeScore(S, Y, threshold: 0.95));
    }

    private static readonly string[] Names = { "a", "b", "c" };
    private static readonly float[] Labels = { 1, 0, 1, 0, 0, 1, 1, 1, 0, 0, 1, 0, 1, 0, 1 };
    private static readonly double[] Scores = { 0.8, 0.3, 0.6, 0.2, 0.6, 0.7, 0.6, 0.9, 0.2, 0.4, 0.4, 0.5, 0.3, 0.1, 0.9 };

    [Fact]
    public void Multi_label_micro_and_macro_match_scikit_learn()
    {
        var metrics = MultiLabelMetrics.Compute(Names, Scores, Labels, k: 1);
        Assert.Equal(0.875, metrics.MicroAuroc!.Value, 12);
        Assert.Equal(0.8888888888888888, metrics.MacroAuroc!.Value, 12);
        Assert.Equal(new[] { 0.8333333333333333, 0.8333333333333334, 1.0 }, metrics.Labels.Select(l => Math.Round(l.Auroc!.Value, 12)).Select(v => Math.Round(v, 12)), new RoundedComparer());
        Assert.Equal(new[] { 0.9166666666666665, 0.8333333333333333, 1.0 }, metrics.Labels.Select(l => l.Auprc!.Value), new RoundedComparer());
        Assert.Equal(0.75, metrics.MicroF1!.Value, 12);
        Assert.Equal(0.719047619047619, metrics.MacroF1!.Value, 12);
        Assert.Equal(new[] { 0.8, 0.5, 0.8571428571428571 }, metrics.Labels.Select(l => l.F1!.Value), new RoundedComparer());
        // Top-scored label per record: a(1), c(1), b(1), c(0), c(1).
        Assert.Equal(0.8, metrics.PrecisionAtK!.Value, 12);
        Assert.Equal(1, metrics.K);
        Assert.Null(metrics.MicroF1Tuned);
    }

    [Fact]
    public void A_label_without_positives_is_left_out_of_macro_averages()
    {
        var labels = Labels.Select((v, i) => i % 3 == 1 ? 0f : v).ToArray();
        var thresholds = MultiLabelMetrics.TuneThresholds(3, Scores, labels);
        Assert.Null(thresholds[1]);
        var metrics = MultiLabelMetrics.Compute(Names, Scores, labels, thresholds, k: 10);
        Assert.Null(metrics.Labels[1].Auroc);
        Assert.Null(metrics.Labels[1].F1);
        Assert.Equal((0.8333333333333333 + 1.0) / 2, metrics.MacroAuroc!.Value, 12);
        Assert.Equal(3, metrics.K);
        Assert.NotNull(metrics.MacroF1Tuned);
        Assert.DoesNotContain(metrics.Labels, l => l.Auprc is double v && double.IsNaN(v));
    }

    private sealed class RoundedComparer : IEqualityComparer<double>
    {
        public bool Equals(double x, double y) => Math.Abs(x - y) < 1e-12;

        public int GetHashCode(double value) => 0;
    }
}
