using SeqDsl.Runtime.Episodes;

namespace SeqDsl.Runtime.Tests.Episodes;

public sealed class EpisodeLabelsTests
{
    [Fact]
    public void Derives_labels_puts_auxiliary_ones_last_and_names_the_statics_they_come_from()
    {
        var labels = EpisodeLabels.Resolve(EpisodeTestSets.Three(), new LabelDefinition[]
        {
            new("long", "los", LabelRule.AtLeast, Threshold: 5, Auxiliary: true),
            new("death", "death"),
            new("short", "los", LabelRule.Below, Threshold: 3),
            new("surgical", "ICUType", LabelRule.In, Values: new double[] { 2, 4 }),
        });
        Assert.Equal(new[] { "death", "short", "surgical", "long" }, labels.Names);
        Assert.Equal(3, labels.ScoredCount);
        Assert.Equal(new[] { "ICUType" }, labels.DerivedFromStatics);
        Assert.Equal(new float[] { 1, 1, 1, 0, 0, 0, 0, 1, 0, 1, 0, 0 }, labels.Values);
        Assert.Equal(new[] { 1 / 3.0, 2 / 3.0, 1 / 3.0, 1 / 3.0 }, labels.Prevalence(new[] { 0, 1, 2 }));
        Assert.Equal(new[] { "death", "surgical" }, labels.SingleClassLabels(new[] { 1, 2 }));
    }

    [Fact]
    public void The_literature_set_for_PhysioNet_has_four_labels_from_outcomes_and_ICUType()
    {
        var set = new EpisodeSet("p", new[] { "HR" }, PhysioNet2012Source.StaticNames,
            new[] { "SAPS-I", "SOFA", "Length_of_stay", "Survival", "In-hospital_death" },
            new double?[] { 1, 2, 3, 4 }.Select((icu, i) => new EpisodeRecord($"{i}", Array.Empty<Observation>(),
                new double?[] { 50, 0, null, icu, null }, new double?[] { 10, 2, i == 3 ? null : i + 1.5, -1, i % 2 })).ToArray());
        var labels = EpisodeLabels.Resolve(set, EpisodeLabelSets.PhysioNet2012);
        Assert.Equal(new[] { "in_hospital_death", "length_of_stay_under_3", "surgical_recovery", "cardiac_condition" }, labels.Names);
        Assert.Equal(new[] { "ICUType" }, labels.DerivedFromStatics);
        // ICUType 1..4, Length_of_stay 1.5, 2.5, 3.5 and not recorded (not short), death 0,1,0,1.
        Assert.Equal(new float[] { 0, 1, 0, 1, 1, 1, 1, 1, 0, 0, 0, 0, 1, 0, 1, 0 }, labels.Values);
    }

    [Fact]
    public void Bad_definitions_give_clear_messages()
    {
        var set = EpisodeTestSets.Three();
        string Error(params LabelDefinition[] definitions) => Assert.Throws<InvalidDataException>(() => EpisodeLabels.Resolve(set, definitions)).Message;
        Assert.Contains("no column 'deth' (did you mean 'death'?)", Error(new LabelDefinition("d", "deth")));
        Assert.Contains("'hr' is a time-varying variable", Error(new LabelDefinition("d", "hr")));
        Assert.Contains("record 'a' has los = 2; an as-is label needs 0 or 1", Error(new LabelDefinition("d", "los")));
        Assert.Contains("record 'b' of three has no value for 'Age'", Error(new LabelDefinition("old", "Age", LabelRule.AtLeast, 65)));
        Assert.Equal(new float[] { 0, 1, 1 }, EpisodeLabels.Resolve(set, new[] { new LabelDefinition("old", "Age", LabelRule.AtLeast, 65, MissingAs: 1) }).Values);
        Assert.Contains("no scored label", Error(new LabelDefinition("d", "death", Auxiliary: true)));
        Assert.Contains("'d' is used twice", Error(new LabelDefinition("d", "death"), new LabelDefinition("d", "los", LabelRule.Below, 3)));
    }
}

public sealed class EpisodeSplitTests
{
    [Fact]
    public void Fractions_split_by_record_stratified_on_the_first_label_and_repeatably()
    {
        var labels = EpisodeLabels.Resolve(EpisodeTestSets.Labelled(200, positiveEvery: 5), new[] { new LabelDefinition("death", "death") });
        var split = EpisodeSplit.ByFractions(labels, 0.7, 0.15, seed: 3);

        Assert.Equal((140, 30, 30), (split.Train.Length, split.Validation.Length, split.Test.Length));
        Assert.Equal(Enumerable.Range(0, 200), split.Train.Concat(split.Validation).Concat(split.Test).Order());
        Assert.Equal((28, 6, 6), (split.Train.Count(r => labels[r, 0] == 1), split.Validation.Count(r => labels[r, 0] == 1), split.Test.Count(r => labels[r, 0] == 1)));
        Assert.Equal(split.Train, EpisodeSplit.ByFractions(labels, 0.7, 0.15, seed: 3).Train);
        Assert.NotEqual(split.Train, EpisodeSplit.ByFractions(labels, 0.7, 0.15, seed: 4).Train);
        Assert.Throws<ArgumentOutOfRangeException>(() => EpisodeSplit.ByFractions(labels, 0.9, 0.2, seed: 3));
    }

    [Fact]
    public void Folds_test_every_record_once_stratified_and_validate_on_a_fraction_of_the_rest()
    {
        var labels = EpisodeLabels.Resolve(EpisodeTestSets.Labelled(200, positiveEvery: 5), new[] { new LabelDefinition("death", "death") });
        var splits = Enumerable.Range(0, 5).Select(f => EpisodeSplit.Fold(labels, 5, f, 0.15, seed: 3)).ToArray();

        // The test splits are disjoint and cover every record; each has a fifth of the 40 positives.
        Assert.Equal(Enumerable.Range(0, 200), splits.SelectMany(s => s.Test).Order());
        Assert.All(splits, s => Assert.Equal((130, 30, 40, 8), (s.Train.Length, s.Validation.Length, s.Test.Length, s.Test.Count(r => labels[r, 0] == 1))));
        Assert.All(splits, s => Assert.Equal(Enumerable.Range(0, 200), s.Train.Concat(s.Validation).Concat(s.Test).Order()));
        Assert.Equal(splits[2].Test, EpisodeSplit.Fold(labels, 5, 2, 0.15, seed: 3).Test);
        Assert.Throws<ArgumentOutOfRangeException>(() => EpisodeSplit.Fold(labels, 1, 0, 0.15, seed: 3));
        Assert.Throws<ArgumentOutOfRangeException>(() => EpisodeSplit.Fold(labels, 5, 5, 0.15, seed: 3));
        Assert.Throws<ArgumentOutOfRangeException>(() => EpisodeSplit.Fold(labels, 5, 0, 0.8, seed: 3));
    }

    [Fact]
    public void With_another_test_set_every_record_trains_or_validates()
    {
        var labels = EpisodeLabels.Resolve(EpisodeTestSets.Labelled(100, positiveEvery: 4), new[] { new LabelDefinition("death", "death") });
        var split = EpisodeSplit.WithTestSet(labels, 0.2, seed: 1);
        Assert.Equal((80, 20, 0), (split.Train.Length, split.Validation.Length, split.Test.Length));
        Assert.Equal(5, split.Validation.Count(r => labels[r, 0] == 1));
    }
}
