using System;
using System.Collections.Generic;
using System.Linq;

namespace SeqDsl.Runtime.Episodes;

/// <summary>
/// Binary classification metrics in managed code, computed as scikit-learn computes them. A metric that needs both
/// classes returns null when a label has only one among the records: undefined, never NaN.
/// </summary>
public static class BinaryMetrics
{
    /// <summary>
    /// Area under the ROC curve; tied scores count half, as scikit-learn's <c>roc_auc_score</c> (the Mann–Whitney
    /// statistic with mid-ranks). Null without positives or without negatives.
    /// </summary>
    public static double? Auroc(IReadOnlyList<double> scores, IReadOnlyList<bool> labels)
    {
        Check(scores, labels);
        int positives = labels.Count(l => l), negatives = labels.Count - positives;
        if (positives == 0 || negatives == 0) return null;
        var order = Enumerable.Range(0, scores.Count).OrderBy(i => scores[i]).ToArray();
        double positiveRanks = 0;
        foreach (var (start, end) in TiedRuns(order, scores))
        {
            double midRank = (start + end) / 2.0 + 1;
            for (int i = start; i <= end; i++) if (labels[order[i]]) positiveRanks += midRank;
        }
        return (positiveRanks - positives * (positives + 1) / 2.0) / ((double)positives * negatives);
    }

    /// <summary>
    /// Average precision, as scikit-learn's <c>average_precision_score</c>: Σ (Rₙ − Rₙ₋₁) Pₙ over the distinct scores
    /// from the highest, tied scores taken together. Null without positives.
    /// </summary>
    public static double? AveragePrecision(IReadOnlyList<double> scores, IReadOnlyList<bool> labels)
    {
        Check(scores, labels);
        int positives = labels.Count(l => l);
        if (positives == 0) return null;
        var order = Enumerable.Range(0, scores.Count).OrderByDescending(i => scores[i]).ToArray();
        double precisionSum = 0, previousRecall = 0;
        int truePositives = 0;
        foreach (var (start, end) in TiedRuns(order, scores))
        {
            for (int i = start; i <= end; i++) if (labels[order[i]]) truePositives++;
            double recall = (double)truePositives / positives;
            precisionSum += (recall - previousRecall) * truePositives / (end + 1);
            previousRecall = recall;
        }
        return precisionSum;
    }

    /// <summary>
    /// The ROC curve as scikit-learn's <c>roc_curve(drop_intermediate=False)</c> gives it: from (0, 0), one point per
    /// distinct score from the highest (tied scores move the curve as one step, diagonally when they mix classes), to
    /// (1, 1). Null without positives or without negatives.
    /// </summary>
    public static (double[] FalsePositiveRate, double[] TruePositiveRate)? RocCurve(IReadOnlyList<double> scores, IReadOnlyList<bool> labels)
    {
        Check(scores, labels);
        int positives = labels.Count(l => l), negatives = labels.Count - positives;
        if (positives == 0 || negatives == 0) return null;
        var order = Enumerable.Range(0, scores.Count).OrderByDescending(i => scores[i]).ToArray();
        var falsePositiveRate = new List<double> { 0 };
        var truePositiveRate = new List<double> { 0 };
        int tp = 0, fp = 0;
        foreach (var (start, end) in TiedRuns(order, scores))
        {
            for (int i = start; i <= end; i++)
                if (labels[order[i]]) tp++;
                else fp++;
            falsePositiveRate.Add((double)fp / negatives);
            truePositiveRate.Add((double)tp / positives);
        }
        return (falsePositiveRate.ToArray(), truePositiveRate.ToArray());
    }

    /// <summary>Counts of a threshold (score ≥ threshold is positive).</summary>
    public static (int TruePositives, int FalsePositives, int FalseNegatives) Counts(IReadOnlyList<double> scores, IReadOnlyList<bool> labels, double threshold)
    {
        Check(scores, labels);
        int tp = 0, fp = 0, fn = 0;
        for (int i = 0; i < scores.Count; i++)
        {
            bool predicted = scores[i] >= threshold;
            if (predicted && labels[i]) tp++;
            else if (predicted) fp++;
            else if (labels[i]) fn++;
        }
        return (tp, fp, fn);
    }

    /// <summary>F1 at <paramref name="threshold"/> (score ≥ threshold is positive). Null without positives.</summary>
    public static double? F1(IReadOnlyList<double> scores, IReadOnlyList<bool> labels, double threshold)
    {
        var (tp, fp, fn) = Counts(scores, labels, threshold);
        return tp + fn == 0 ? null : 2.0 * tp / (2 * tp + fp + fn);
    }

    /// <summary>
    /// The threshold that maximizes F1 on these (validation) records: one of the scores, the highest among equal F1s.
    /// Null without positives.
    /// </summary>
    public static double? TuneThreshold(IReadOnlyList<double> scores, IReadOnlyList<bool> labels)
    {
        Check(scores, labels);
        int positives = labels.Count(l => l);
        if (positives == 0) return null;
        var order = Enumerable.Range(0, scores.Count).OrderByDescending(i => scores[i]).ToArray();
        double best = -1, bestThreshold = scores[order[0]];
        int tp = 0;
        foreach (var (start, end) in TiedRuns(order, scores))
        {
            for (int i = start; i <= end; i++) if (labels[order[i]]) tp++;
            double f1 = 2.0 * tp / (end + 1 + positives);
            if (f1 > best) (best, bestThreshold) = (f1, scores[order[start]]);
        }
        return bestThreshold;
    }

    /// <summary>
    /// The PhysioNet/CinC Challenge 2012 event score: the smaller of sensitivity and positive predictive value at
    /// <paramref name="threshold"/> (a PPV without predicted positives is 0). Null without positives.
    /// </summary>
    public static double? ChallengeScore(IReadOnlyList<double> scores, IReadOnlyList<bool> labels, double threshold = 0.5)
    {
        var (tp, fp, fn) = Counts(scores, labels, threshold);
        if (tp + fn == 0) return null;
        double sensitivity = (double)tp / (tp + fn), ppv = tp + fp == 0 ? 0 : (double)tp / (tp + fp);
        return Math.Min(sensitivity, ppv);
    }

    /// <summary>The runs of equal scores in <paramref name="order"/> (positions sorted by score), as first and last positions.</summary>
    private static IEnumerable<(int Start, int End)> TiedRuns(int[] order, IReadOnlyList<double> scores)
    {
        for (int start = 0; start < order.Length;)
        {
            int end = start;
            while (end + 1 < order.Length && scores[order[end + 1]] == scores[order[start]]) end++;
            yield return (start, end);
            start = end + 1;
        }
    }

    private static void Check(IReadOnlyList<double> scores, IReadOnlyList<bool> labels)
    {
        if (scores.Count != labels.Count) throw new ArgumentException($"{scores.Count} scores for {labels.Count} labels.");
        foreach (var s in scores) if (!double.IsFinite(s)) throw new ArgumentException($"a score is {s}; scores must be finite.");
    }
}

/// <summary>One label's metrics on one split; null where undefined (one class only).</summary>
/// <param name="Name">The label.</param>
/// <param name="Records">Records scored.</param>
/// <param name="Positives">Positives among them.</param>
/// <param name="Auroc">Area under the ROC curve.</param>
/// <param name="Auprc">Average precision.</param>
/// <param name="F1">F1 at 0.5.</param>
/// <param name="Threshold">The threshold tuned on validation, when given.</param>
/// <param name="F1Tuned">F1 at <see cref="Threshold"/>.</param>
public sealed record LabelMetrics(string Name, int Records, int Positives, double? Auroc, double? Auprc, double? F1, double? Threshold, double? F1Tuned);

/// <summary>Multi-label metrics of one split: per label, then micro and macro averages and precision at k.</summary>
/// <param name="Labels">Per-label metrics.</param>
/// <param name="MicroAuroc">AUROC over every (record, label) pair.</param>
/// <param name="MacroAuroc">Mean of the defined per-label AUROCs.</param>
/// <param name="MicroF1">F1 of the pooled counts at 0.5.</param>
/// <param name="MacroF1">Mean of the defined per-label F1s at 0.5.</param>
/// <param name="MicroF1Tuned">Pooled F1 at the tuned thresholds (null when none were given).</param>
/// <param name="MacroF1Tuned">Mean per-label F1 at the tuned thresholds.</param>
/// <param name="K">The k of <see cref="PrecisionAtK"/> (at most the number of labels).</param>
/// <param name="PrecisionAtK">Mean over records of the fraction of true labels among the k highest scores.</param>
public sealed record MultiLabelMetrics(IReadOnlyList<LabelMetrics> Labels, double? MicroAuroc, double? MacroAuroc,
    double? MicroF1, double? MacroF1, double? MicroF1Tuned, double? MacroF1Tuned, int K, double? PrecisionAtK)
{
    /// <summary>
    /// Scores a split: <paramref name="scores"/> (probabilities) and <paramref name="labels"/> are row-major
    /// (records, labels) for the scored labels named <paramref name="names"/>; <paramref name="thresholds"/> are the
    /// per-label thresholds tuned on validation (null: none).
    /// </summary>
    /// <exception cref="ArgumentException">Sizes that disagree, a non-finite score, or k below 1.</exception>
    public static MultiLabelMetrics Compute(IReadOnlyList<string> names, IReadOnlyList<double> scores, IReadOnlyList<float> labels,
        IReadOnlyList<double?>? thresholds = null, int k = 10)
    {
        int labelCount = names.Count;
        if (labelCount == 0 || scores.Count != labels.Count || scores.Count % labelCount != 0)
            throw new ArgumentException($"{scores.Count} scores and {labels.Count} labels do not form (records, {labelCount}) matrices.");
        if (thresholds is not null && thresholds.Count != labelCount) throw new ArgumentException($"{thresholds.Count} thresholds for {labelCount} labels.");
        if (k < 1) throw new ArgumentException($"k must be at least 1; got {k}.");
        int records = scores.Count / labelCount;
        var truth = labels.Select(l => l >= 0.5f).ToArray();

        var perLabel = new LabelMetrics[labelCount];
        int tp = 0, fp = 0, fn = 0, tpTuned = 0, fpTuned = 0, fnTuned = 0;
        for (int l = 0; l < labelCount; l++)
        {
            var s = Column(scores, l, labelCount, records);
            var y = Column(truth, l, labelCount, records);
            var counts = BinaryMetrics.Counts(s, y, 0.5);
            (tp, fp, fn) = (tp + counts.TruePositives, fp + counts.FalsePositives, fn + counts.FalseNegatives);
            double? threshold = thresholds?[l];
            double? f1Tuned = null;
            if (threshold is double t)
            {
                var tuned = BinaryMetrics.Counts(s, y, t);
                (tpTuned, fpTuned, fnTuned) = (tpTuned + tuned.TruePositives, fpTuned + tuned.FalsePositives, fnTuned + tuned.FalseNegatives);
                f1Tuned = BinaryMetrics.F1(s, y, t);
            }
            perLabel[l] = new LabelMetrics(names[l], records, y.Count(v => v), BinaryMetrics.Auroc(s, y), BinaryMetrics.AveragePrecision(s, y),
                BinaryMetrics.F1(s, y, 0.5), threshold, f1Tuned);
        }
        int kUsed = Math.Min(k, labelCount);
        return new MultiLabelMetrics(perLabel,
            BinaryMetrics.Auroc(scores, truth),
            Mean(perLabel.Select(m => m.Auroc)),
            PooledF1(tp, fp, fn), Mean(perLabel.Select(m => m.F1)),
            thresholds is null ? null : PooledF1(tpTuned, fpTuned, fnTuned),
            thresholds is null ? null : Mean(perLabel.Select(m => m.F1Tuned)),
            kUsed, records == 0 ? null : PrecisionAt(scores, truth, records, labelCount, kUsed));
    }

    /// <summary>Per label, the threshold that maximizes F1 on validation scores and labels (row-major (records, labels)).</summary>
    public static double?[] TuneThresholds(int labelCount, IReadOnlyList<double> scores, IReadOnlyList<float> labels)
    {
        int records = scores.Count / labelCount;
        var truth = labels.Select(l => l >= 0.5f).ToArray();
        return Enumerable.Range(0, labelCount)
            .Select(l => BinaryMetrics.TuneThreshold(Column(scores, l, labelCount, records), Column(truth, l, labelCount, records)))
            .ToArray();
    }

    private static double PrecisionAt(IReadOnlyList<double> scores, bool[] truth, int records, int labelCount, int k)
    {
        double sum = 0;
        for (int r = 0; r < records; r++)
        {
            // The k highest scores; equal scores go to the earlier label, so the result does not depend on sorting.
            var top = Enumerable.Range(0, labelCount).OrderByDescending(l => scores[r * labelCount + l]).ThenBy(l => l).Take(k);
            sum += top.Count(l => truth[r * labelCount + l]) / (double)k;
        }
        return sum / records;
    }

    private static double? PooledF1(int tp, int fp, int fn) => tp + fn == 0 ? null : 2.0 * tp / (2 * tp + fp + fn);

    private static double? Mean(IEnumerable<double?> values)
    {
        var defined = values.OfType<double>().ToArray();
        return defined.Length == 0 ? null : defined.Average();
    }

    private static T[] Column<T>(IReadOnlyList<T> matrix, int column, int columns, int rows)
    {
        var result = new T[rows];
        for (int r = 0; r < rows; r++) result[r] = matrix[r * columns + column];
        return result;
    }
}
