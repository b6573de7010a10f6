using SeqDsl.Runtime.Episodes;

namespace SeqDsl.Runtime.Tests.Episodes;

/// <summary>The episodes task's gradient-boosted trees baseline (FastTree per label).</summary>
public class GradientBoostedTreesTests
{
    /// <summary>
    /// Rows of 4 uniform features; label 0 is an interaction no linear score can rank (x0 and x1 on the same side of 0.5),
    /// label 1 a threshold on x2, label 2 (auxiliary, never predicted) random.
    /// </summary>
    private static (float[][] Rows, float[] Labels) Data(int count, int seed)
    {
        var random = new Random(seed);
        var rows = new float[count][];
        var labels = new float[count * 3];
        for (int i = 0; i < count; i++)
        {
            rows[i] = Enumerable.Range(0, 4).Select(_ => (float)random.NextDouble()).ToArray();
            labels[i * 3] = (rows[i][0] > 0.5f) == (rows[i][1] > 0.5f) ? 1 : 0;
            labels[i * 3 + 1] = rows[i][2] > 0.7f ? 1 : 0;
            labels[i * 3 + 2] = random.Next(2);
        }
        return (rows, labels);
    }

    private static double Auroc(double[] probabilities, float[] labels, int label, int predicted, int labelCount)
    {
        int count = labels.Length / labelCount;
        return BinaryMetrics.Auroc(Enumerable.Range(0, count).Select(i => probabilities[i * predicted + label]).ToArray(),
            Enumerable.Range(0, count).Select(i => labels[i * labelCount + label] > 0.5f).ToArray())!.Value;
    }

    [Fact]
    public void It_learns_an_interaction_and_a_threshold_per_scored_label()
    {
        var (train, trainLabels) = Data(1500, 1);
        var (test, testLabels) = Data(500, 2);
        var trees = GradientBoostedTrees.Fit(train, trainLabels, labelCount: 3, scored: 2, new GradientBoostedTreesOptions { Seed = 5 });

        Assert.Equal((4, 2), (trees.Features, trees.Labels));
        var probabilities = trees.Predict(test);
        Assert.Equal(500 * 2, probabilities.Length);
        Assert.All(probabilities, p => Assert.InRange(p, 0, 1));
        // Both rules are exact on noise-free features: trees rank held-out rows almost perfectly (a linear score of x0
        // and x1 stays near 0.5 on the interaction), so 0.95 leaves room for the trees' step edges only.
        Assert.True(Auroc(probabilities, testLabels, 0, 2, 3) > 0.95, $"interaction AUROC {Auroc(probabilities, testLabels, 0, 2, 3):F3}");
        Assert.True(Auroc(probabilities, testLabels, 1, 2, 3) > 0.95, $"threshold AUROC {Auroc(probabilities, testLabels, 1, 2, 3):F3}");
    }

    [Fact]
    public void The_same_seed_gives_the_same_trees()
    {
        var (train, labels) = Data(400, 3);
        var options = new GradientBoostedTreesOptions { Trees = 50, Seed = 9 };
        var first = GradientBoostedTrees.Fit(train, labels, 3, 2, options).Predict(train);
        var second = GradientBoostedTrees.Fit(train, labels, 3, 2, options).Predict(train);
        Assert.Equal(first, second);
    }

    [Fact]
    public void Saved_trees_predict_as_the_trained_ones_after_a_round_trip_through_json()
    {
        var (train, labels) = Data(300, 6);
        for (int i = 0; i < 300; i++) labels[i * 3 + 1] = 1; // label 1 has one class: saved as its rate, without a model
        var trees = GradientBoostedTrees.Fit(train, labels, 3, 2, new GradientBoostedTreesOptions { Trees = 30, Seed = 2 });
        string json = System.Text.Json.JsonSerializer.Serialize(trees.ToState());
        var state = System.Text.Json.JsonSerializer.Deserialize<GradientBoostedTreesState>(json)!;

        Assert.Null(state.Models[1]);
        var loaded = GradientBoostedTrees.FromState(state, "trees.json");
        var (test, _) = Data(50, 7);
        Assert.Equal((trees.Features, trees.Labels), (loaded.Features, loaded.Labels));
        // The same trees over the same floats: bit-for-bit the same probabilities.
        Assert.Equal(trees.Predict(test), loaded.Predict(test));
    }

    [Fact]
    public void A_broken_or_inconsistent_saved_state_is_refused_with_where_it_came_from()
    {
        var (train, labels) = Data(100, 8);
        var state = GradientBoostedTrees.Fit(train, labels, 3, 2, new GradientBoostedTreesOptions { Trees = 5 }).ToState();

        var garbled = state with { Models = new[] { state.Models[0], new byte[] { 1, 2, 3 } } };
        Assert.Contains("trees.json: label 2's trees do not load", Assert.Throws<InvalidDataException>(() => GradientBoostedTrees.FromState(garbled, "trees.json")).Message);
        var wider = state with { Features = 5 };
        Assert.Contains("does not read 5 features", Assert.Throws<InvalidDataException>(() => GradientBoostedTrees.FromState(wider, "trees.json")).Message);
        var unmatched = state with { Rates = new[] { 0.5 } };
        Assert.Contains("1 rates and 2 models", Assert.Throws<InvalidDataException>(() => GradientBoostedTrees.FromState(unmatched, "trees.json")).Message);
        var future = state with { Format = 2 };
        Assert.Contains("trees format 2", Assert.Throws<InvalidDataException>(() => GradientBoostedTrees.FromState(future, "trees.json")).Message);
    }

    [Fact]
    public void A_label_with_one_class_is_predicted_as_its_training_rate()
    {
        var (train, labels) = Data(200, 4);
        for (int i = 0; i < 200; i++) labels[i * 3 + 1] = 0;
        var probabilities = GradientBoostedTrees.Fit(train, labels, 3, 2, new GradientBoostedTreesOptions { Trees = 20 }).Predict(train.Take(5).ToArray());
        Assert.Equal(new double[5], Enumerable.Range(0, 5).Select(i => probabilities[i * 2 + 1]).ToArray());
    }

    [Fact]
    public void Rows_and_labels_that_do_not_fit_are_refused_with_what_was_received()
    {
        var (train, labels) = Data(50, 5);
        var options = new GradientBoostedTreesOptions { Trees = 5 };
        Assert.Contains("at least one training row", Assert.Throws<ArgumentException>(() => GradientBoostedTrees.Fit(Array.Empty<float[]>(), Array.Empty<float>(), 3, 2, options)).Message);
        Assert.Contains("149 labels", Assert.Throws<ArgumentException>(() => GradientBoostedTrees.Fit(train, labels[..149], 3, 2, options)).Message);
        var ragged = train.Select((r, i) => i == 7 ? r[..3] : r).ToArray();
        Assert.Contains("same number", Assert.Throws<ArgumentException>(() => GradientBoostedTrees.Fit(ragged, labels, 3, 2, options)).Message);
        var trees = GradientBoostedTrees.Fit(train, labels, 3, 2, options);
        Assert.Contains("received one of 5", Assert.Throws<ArgumentException>(() => trees.Predict(new[] { new float[5] })).Message);
    }
}
