using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json.Nodes;
using SeqDsl.Runtime.Episodes;
using SeqDsl.Runtime.IO;
using SeqDsl.Runtime.Training;
using static TorchSharp.torch;

namespace SeqDsl.Runtime.Experiments;

/// <summary>
/// What turns records into model inputs for one run: the preprocessing fitted on the training records and, for the flat
/// representations, the feature builder fitted after it. Saved beside the checkpoints (<c>preprocessing.json</c>,
/// <c>features.json</c>), each stamped with the run that fitted it, so that evaluation prepares any set exactly as the
/// run's training set was prepared and never with another run's statistics.
/// </summary>
internal sealed class EpisodeInputs
{
    /// <summary>The preprocessing file's name in a run folder.</summary>
    public const string PreprocessingFile = "preprocessing.json";

    /// <summary>The feature builder's file name in a run folder.</summary>
    public const string FeaturesFile = "features.json";

    /// <summary>The JSON property that names the run a file belongs to.</summary>
    private const string RunIdProperty = "SeqDslRunId";

    private EpisodeInputs(EpisodePreprocessor preprocessor, EpisodeFeatureBuilder? features)
    {
        Preprocessor = preprocessor;
        Features = features;
    }

    public EpisodePreprocessor Preprocessor { get; }

    /// <summary>The flat representation's builder; null for sequences.</summary>
    public EpisodeFeatureBuilder? Features { get; }

    /// <summary>Fits the preprocessing (and features) on the training records <paramref name="training"/> of <paramref name="set"/>.</summary>
    public static EpisodeInputs Fit(EpisodesSpec spec, EpisodeSet set, IReadOnlyList<int> training, EpisodeLabels labels)
    {
        var preprocessor = EpisodePreprocessor.Fit(set, training, spec.Preprocessing, labels.DerivedFromStatics);
        var features = spec.Representation == EpisodeRepresentation.Sequence
            ? null
            : EpisodeFeatureBuilder.Fit(spec.Representation, spec.FirstLastSteps, preprocessor, set, training);
        return new EpisodeInputs(preprocessor, features);
    }

    /// <summary>The records <paramref name="records"/> of <paramref name="set"/> (labelled by <paramref name="labels"/>, rows as in the set) as a batch source.</summary>
    public IEpisodeBatchSource Source(EpisodeSet set, EpisodeLabels labels, IReadOnlyList<int> records)
    {
        if (Features is null)
            return new SequenceBatchSource(Preprocessor.Transform(set, records), labels, records.ToArray());
        var flat = Features.Transform(set, records);
        return new FlatBatchSource(flat.Rows, flat.FeatureNames.Length, labels, records.ToArray());
    }

    /// <summary>The input channels' names: per step for sequences, per record for flat representations.</summary>
    public string[] FeatureNames() =>
        Features is null ? Preprocessor.FeatureNames() : Features.FeatureNames;

    /// <summary>Writes the files into <paramref name="folder"/>, each stamped with <paramref name="runId"/>, atomically.</summary>
    public void Save(string folder, string runId)
    {
        WriteStamped(Path.Combine(folder, PreprocessingFile), runId, Preprocessor.Save);
        if (Features is not null) WriteStamped(Path.Combine(folder, FeaturesFile), runId, Features.Save);
    }

    /// <summary>
    /// Reads the files of the run <paramref name="runId"/> from <paramref name="folder"/> (the checkpoint's folder).
    /// </summary>
    /// <exception cref="ExperimentException">A file is missing, or was written by another run.</exception>
    public static EpisodeInputs Load(string folder, string runId, EpisodesSpec spec)
    {
        var preprocessor = EpisodePreprocessor.Load(CheckStamp(Path.Combine(folder, PreprocessingFile), runId));
        var features = spec.Representation == EpisodeRepresentation.Sequence
            ? null
            : EpisodeFeatureBuilder.Load(CheckStamp(Path.Combine(folder, FeaturesFile), runId));
        return new EpisodeInputs(preprocessor, features);
    }

    /// <summary>
    /// Saves through <paramref name="save"/> into a temporary file, adds the run's id to the JSON object, and renames it
    /// over <paramref name="path"/>: the file is never seen without its stamp.
    /// </summary>
    internal static void WriteStamped(string path, string runId, Action<string> save)
    {
        string temporary = AtomicFile.TemporaryPath(path);
        try
        {
            save(temporary);
            var root = JsonNode.Parse(File.ReadAllText(temporary))?.AsObject()
                ?? throw new InvalidDataException($"{path}: the saved file is not a JSON object.");
            root[RunIdProperty] = runId;
            AtomicFile.WriteText(path, root.ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true }));
        }
        finally
        {
            File.Delete(temporary);
        }
    }

    /// <summary>Returns <paramref name="path"/> when its stamp names <paramref name="runId"/>.</summary>
    internal static string CheckStamp(string path, string runId)
    {
        if (!File.Exists(path))
            throw new ExperimentException($"{path} is missing: the checkpoint's run prepared its data with it, and evaluation needs the same preparation. Train again to write it.");
        string? stamp;
        try
        {
            stamp = JsonNode.Parse(InputFile.ReadAllText(path, "the run's input file"))?[RunIdProperty]?.GetValue<string>();
        }
        catch (Exception e) when (e is System.Text.Json.JsonException or InvalidOperationException or FormatException)
        {
            throw new ExperimentException($"{path} is not a file of a SeqDsl run: {e.Message}");
        }
        if (stamp != runId)
            throw new ExperimentException(
                $"{path} belongs to {(stamp is null ? "no recorded run" : $"run {stamp}")}, not to run {runId} of the checkpoint: " +
                "its statistics were fitted on other training records. Use the files of the checkpoint's own run folder.");
        return path;
    }
}

/// <summary>Padded sequence batches of prepared records.</summary>
internal sealed class SequenceBatchSource : IEpisodeBatchSource
{
    private readonly PreparedEpisodes _episodes;
    private readonly EpisodeLabels _labels;
    private readonly int[] _labelRows;

    /// <param name="episodes">The records, prepared in the order of <paramref name="labelRows"/>.</param>
    /// <param name="labels">The labels of the set the records come from.</param>
    /// <param name="labelRows">Each prepared record's row in <paramref name="labels"/>.</param>
    public SequenceBatchSource(PreparedEpisodes episodes, EpisodeLabels labels, int[] labelRows)
    {
        _episodes = episodes;
        _labels = labels;
        _labelRows = labelRows;
        Labels = Rows(labels, labelRows);
    }

    public int Count => _labelRows.Length;

    public int Features => _episodes.Features;

    public float[] Labels { get; }

    /// <summary>The steps of every record, for the data summary.</summary>
    public IReadOnlyList<int> Lengths => _episodes.Lengths;

    public EpisodeBatch Batch(IReadOnlyList<int> positions) =>
        EpisodeBatches.Create(_episodes, _labels, positions, positions.Select(p => _labelRows[p]).ToArray());

    /// <summary>The label rows <paramref name="rows"/> of <paramref name="labels"/>, row-major.</summary>
    public static float[] Rows(EpisodeLabels labels, int[] rows)
    {
        int count = labels.Names.Count;
        var values = new float[rows.Length * count];
        for (int i = 0; i < rows.Length; i++) Array.Copy(labels.Values, rows[i] * count, values, i * count, count);
        return values;
    }
}

/// <summary>Batches of flat feature rows: inputs (batch, features), every record one step long.</summary>
internal sealed class FlatBatchSource : IEpisodeBatchSource
{
    private readonly float[][] _rows;
    private readonly int[] _labelRows;
    private readonly int _labelCount;

    public FlatBatchSource(float[][] rows, int features, EpisodeLabels labels, int[] labelRows)
    {
        _rows = rows;
        Features = features;
        _labelRows = labelRows;
        _labelCount = labels.Names.Count;
        Labels = SequenceBatchSource.Rows(labels, labelRows);
    }

    public int Count => _labelRows.Length;

    public int Features { get; }

    public float[] Labels { get; }

    public EpisodeBatch Batch(IReadOnlyList<int> positions)
    {
        int batch = positions.Count;
        var inputs = new float[batch * Features];
        var targets = new float[batch * _labelCount];
        for (int b = 0; b < batch; b++)
        {
            Array.Copy(_rows[positions[b]], 0, inputs, b * Features, Features);
            Array.Copy(Labels, positions[b] * _labelCount, targets, b * _labelCount, _labelCount);
        }
        return new EpisodeBatch(
            tensor(inputs, new long[] { batch, Features }),
            ones(batch, dtype: ScalarType.Int64),
            tensor(targets, new long[] { batch, _labelCount }),
            ones(batch, 1, dtype: ScalarType.Float32));
    }
}
