using System;
using System.Collections.Generic;
using System.Linq;

namespace SeqDsl.Runtime.Episodes;

/// <summary>
/// Record indices of the training, validation and test splits. Splits are by record, so no episode contributes to two
/// of them. <see cref="Test"/> is empty when a whole other set is the test set.
/// </summary>
/// <param name="Train">Training record indices, ascending.</param>
/// <param name="Validation">Validation record indices, ascending.</param>
/// <param name="Test">Test record indices, ascending.</param>
public sealed record EpisodeSplit(int[] Train, int[] Validation, int[] Test)
{
    /// <summary>
    /// Splits the records of <paramref name="labels"/> by fractions (the test split takes the rest), stratified on the
    /// first label: its positives and its negatives are each shuffled with <paramref name="seed"/> and divided in the
    /// same proportions, so every split has about the same prevalence.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">A fraction outside (0, 1), or fractions that leave nothing for the test split.</exception>
    public static EpisodeSplit ByFractions(EpisodeLabels labels, double train, double validation, int seed)
    {
        if (!(train > 0 && validation >= 0 && train + validation <= 1))
            throw new ArgumentOutOfRangeException(nameof(train), $"split fractions need 0 < train, 0 <= validation and train + validation <= 1; got {train} and {validation}.");
        return Stratified(labels, train, validation, seed);
    }

    /// <summary>
    /// Splits the records into training and validation only, stratified as <see cref="ByFractions"/>; the test set is
    /// another set, scored whole.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The validation fraction is outside [0, 1).</exception>
    public static EpisodeSplit WithTestSet(EpisodeLabels labels, double validation, int seed)
    {
        if (!(validation >= 0 && validation < 1))
            throw new ArgumentOutOfRangeException(nameof(validation), $"the validation fraction must be in [0, 1); got {validation}.");
        return Stratified(labels, 1 - validation, validation, seed);
    }

    /// <summary>
    /// Fold <paramref name="fold"/> of a stratified <paramref name="folds"/>-fold cross-validation by record: the
    /// positives and the negatives of the first label are each shuffled with <paramref name="seed"/> and dealt to the
    /// folds in turn; fold <paramref name="fold"/> is the test split, and of the other records (in their shuffled order)
    /// a <paramref name="validation"/> fraction of all records is the validation split and the rest trains. The test
    /// splits of the folds are disjoint and cover every record.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">Fewer than 2 folds, a fold outside them, or a validation fraction that leaves no training record.</exception>
    public static EpisodeSplit Fold(EpisodeLabels labels, int folds, int fold, double validation, int seed)
    {
        if (folds < 2 || fold < 0 || fold >= folds)
            throw new ArgumentOutOfRangeException(nameof(fold), $"cross-validation needs at least 2 folds and a fold among them; got fold {fold} of {folds}.");
        if (!(validation >= 0 && validation < 1 - 1.0 / folds))
            throw new ArgumentOutOfRangeException(nameof(validation), $"with {folds} folds the validation fraction must be in [0, {1 - 1.0 / folds:0.##}); got {validation}.");
        int count = labels.Values.Length / labels.Names.Count;
        var random = new Random(seed);
        var parts = new[] { new List<int>(), new List<int>(), new List<int>() };
        foreach (float stratum in new[] { 1f, 0f })
        {
            var members = Shuffled(Enumerable.Range(0, count).Where(r => labels[r, 0] == stratum).ToArray(), random);
            var rest = members.Where((_, i) => i % folds != fold).ToArray();
            int validationCount = Math.Min((int)Math.Round(members.Length * validation), rest.Length);
            parts[2].AddRange(members.Where((_, i) => i % folds == fold));
            parts[1].AddRange(rest.Take(validationCount));
            parts[0].AddRange(rest.Skip(validationCount));
        }
        return new EpisodeSplit(parts[0].Order().ToArray(), parts[1].Order().ToArray(), parts[2].Order().ToArray());
    }

    private static int[] Shuffled(int[] members, Random random)
    {
        for (int i = members.Length - 1; i > 0; i--)
        {
            int j = random.Next(i + 1);
            (members[i], members[j]) = (members[j], members[i]);
        }
        return members;
    }

    private static EpisodeSplit Stratified(EpisodeLabels labels, double train, double validation, int seed)
    {
        int count = labels.Values.Length / labels.Names.Count;
        var random = new Random(seed);
        var parts = new[] { new List<int>(), new List<int>(), new List<int>() };
        foreach (float stratum in new[] { 1f, 0f })
        {
            var members = Shuffled(Enumerable.Range(0, count).Where(r => labels[r, 0] == stratum).ToArray(), random);
            int trainCount = (int)Math.Round(members.Length * train), validationCount = (int)Math.Round(members.Length * validation);
            validationCount = Math.Min(validationCount, members.Length - trainCount);
            parts[0].AddRange(members.Take(trainCount));
            parts[1].AddRange(members.Skip(trainCount).Take(validationCount));
            parts[2].AddRange(members.Skip(trainCount + validationCount));
        }
        return new EpisodeSplit(parts[0].Order().ToArray(), parts[1].Order().ToArray(), parts[2].Order().ToArray());
    }
}
