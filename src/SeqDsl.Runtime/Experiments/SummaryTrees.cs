using System.Collections.Generic;
using System.IO;
using System.Text.Json;
using SeqDsl.Runtime.Episodes;
using SeqDsl.Runtime.IO;

namespace SeqDsl.Runtime.Experiments;

/// <summary>
/// The trees baseline of a run (<c>summary_baseline: gradient_boosted_trees</c>) as it is saved beside the checkpoints:
/// the summary feature builder fitted on the run's training records (<c>summary-features.json</c>, with the run's
/// preprocessing inside) and the trees (<c>trees.json</c>), both stamped with the run, so that <c>evaluate</c> scores the
/// trees, and the model's ensembles with them, on another set exactly as the run trained them.
/// </summary>
internal sealed record SummaryTrees(EpisodeFeatureBuilder Features, GradientBoostedTrees Trees)
{
    /// <summary>The summary feature builder's file name in a run folder.</summary>
    public const string FeaturesFile = "summary-features.json";

    /// <summary>The trees' file name in a run folder.</summary>
    public const string TreesFile = "trees.json";

    /// <summary>The probability of each predicted label for the records <paramref name="records"/> of <paramref name="set"/> (all when null), row-major.</summary>
    public double[] Predict(EpisodeSet set, IReadOnlyList<int>? records = null) => Trees.Predict(Features.Transform(set, records).Rows);

    /// <summary>Writes both files into <paramref name="folder"/>, each stamped with <paramref name="runId"/>, atomically.</summary>
    public void Save(string folder, string runId)
    {
        EpisodeInputs.WriteStamped(Path.Combine(folder, FeaturesFile), runId, Features.Save);
        var state = Trees.ToState();
        EpisodeInputs.WriteStamped(Path.Combine(folder, TreesFile), runId, path => AtomicFile.WriteText(path, JsonSerializer.Serialize(state)));
    }

    /// <summary>Reads the files of the run <paramref name="runId"/> from <paramref name="folder"/> (the checkpoint's folder).</summary>
    /// <exception cref="ExperimentException">A file is missing or was written by another run.</exception>
    /// <exception cref="InvalidDataException">A file is broken; the message names it.</exception>
    public static SummaryTrees Load(string folder, string runId)
    {
        string featuresPath = EpisodeInputs.CheckStamp(Path.Combine(folder, FeaturesFile), runId);
        string treesPath = EpisodeInputs.CheckStamp(Path.Combine(folder, TreesFile), runId);
        var features = EpisodeFeatureBuilder.Load(featuresPath);
        var trees = GradientBoostedTrees.FromState(JsonFile.Read<GradientBoostedTreesState>(treesPath, "the trees file", "a trees file", JsonOptions), treesPath);
        if (features.Representation != EpisodeRepresentation.Summary || features.Features != trees.Features)
            throw new ExperimentException($"{featuresPath} builds {features.Features} {features.Representation} features, but the trees of {treesPath} read {trees.Features} summary features: both must come from one run.");
        return new SummaryTrees(features, trees);
    }

    private static readonly JsonSerializerOptions JsonOptions = new();
}
