using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Trainers.FastTree;

namespace SeqDsl.Runtime.Episodes;

/// <summary>Options of <see cref="GradientBoostedTrees"/>: one FastTree ensemble per label, its settings here and nowhere else.</summary>
public sealed record GradientBoostedTreesOptions
{
    /// <summary>Boosting rounds (trees) per label.</summary>
    public int Trees { get; init; } = 300;

    /// <summary>Leaves per tree.</summary>
    public int Leaves { get; init; } = 15;

    /// <summary>Shrinkage of each tree's contribution.</summary>
    public double LearningRate { get; init; } = 0.05;

    /// <summary>The fewest training records a leaf may hold.</summary>
    public int MinimumRecordsPerLeaf { get; init; } = 20;

    /// <summary>The run's seed; ML.NET's context takes it folded to 32 bits. With one thread the trees are the same on every run.</summary>
    public long Seed { get; init; }
}

/// <summary>Saved <see cref="GradientBoostedTrees"/>: per label the bytes of an ML.NET model's zip, or none where the label is predicted as its rate.</summary>
public sealed record GradientBoostedTreesState
{
    /// <summary>The layout's version; <see cref="GradientBoostedTrees.FromState"/> refuses others.</summary>
    public const int CurrentFormat = 1;

    /// <summary>The layout's version this state was written in.</summary>
    public int Format { get; init; } = CurrentFormat;

    /// <summary>Values per row the trees read.</summary>
    public int Features { get; init; }

    /// <summary>Each predicted label's training rate (the prediction of a label without trees).</summary>
    public double[] Rates { get; init; } = Array.Empty<double>();

    /// <summary>Each predicted label's model (an ML.NET zip; base64 in JSON), or null.</summary>
    public byte[]?[] Models { get; init; } = Array.Empty<byte[]?>();
}

/// <summary>
/// Gradient-boosted trees per label on per-record feature vectors (ML.NET's FastTree, logistic loss, one thread): the
/// episodes task's tabular baseline, trained on the summary features of the training records. Probabilities are
/// FastTree's, Platt-calibrated on the training records.
/// </summary>
public sealed class GradientBoostedTrees
{
    private readonly ITransformer?[] _models;
    private readonly double[] _constant;
    private readonly MLContext _context;
    private readonly SchemaDefinition _schema;

    private GradientBoostedTrees(MLContext context, SchemaDefinition schema, int features, ITransformer?[] models, double[] constant)
    {
        _context = context;
        _schema = schema;
        Features = features;
        _models = models;
        _constant = constant;
    }

    /// <summary>Values per row the trees read.</summary>
    public int Features { get; }

    /// <summary>Labels the trees predict.</summary>
    public int Labels => _models.Length;

    /// <summary>
    /// Trains one ensemble per label on <paramref name="rows"/> and the first <paramref name="scored"/> of the
    /// <paramref name="labelCount"/> 0/1 labels per row in <paramref name="labels"/> (row-major). A label with a single
    /// class among the rows has nothing to split on: it is predicted as its training rate.
    /// </summary>
    /// <exception cref="ArgumentException">No rows, rows of different widths, or labels that do not match the rows.</exception>
    public static GradientBoostedTrees Fit(IReadOnlyList<float[]> rows, float[] labels, int labelCount, int scored, GradientBoostedTreesOptions options)
    {
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentNullException.ThrowIfNull(options);
        if (rows.Count == 0) throw new ArgumentException("Gradient-boosted trees need at least one training row.", nameof(rows));
        int features = rows[0].Length;
        if (features == 0 || rows.Any(r => r.Length != features)) throw new ArgumentException($"Every row must hold the same number (at least 1) of features; the first holds {features}.", nameof(rows));
        if (labelCount < 1 || scored < 1 || scored > labelCount || labels.Length != rows.Count * labelCount)
            throw new ArgumentException($"{labels.Length} labels do not make {labelCount} per row for {rows.Count} rows with {scored} of them predicted.", nameof(labels));
        var context = new MLContext(seed: unchecked((int)(options.Seed ^ (options.Seed >> 32))));
        var schema = Schema(features);
        var models = new ITransformer?[scored];
        var constant = new double[scored];
        for (int label = 0; label < scored; label++)
        {
            var data = rows.Select((row, i) => new Row { Features = row, Label = labels[i * labelCount + label] >= 0.5f }).ToArray();
            int positives = data.Count(r => r.Label);
            constant[label] = (double)positives / data.Length;
            if (positives == 0 || positives == data.Length) continue;
            var trainer = context.BinaryClassification.Trainers.FastTree(new FastTreeBinaryTrainer.Options
            {
                NumberOfTrees = options.Trees,
                NumberOfLeaves = options.Leaves,
                LearningRate = options.LearningRate,
                MinimumExampleCountPerLeaf = options.MinimumRecordsPerLeaf,
                NumberOfThreads = 1,
            });
            models[label] = trainer.Fit(context.Data.LoadFromEnumerable(data, schema));
        }
        return new GradientBoostedTrees(context, schema, features, models, constant);
    }

    /// <summary>The probability of each label for each row: rows × <see cref="Labels"/>, row-major.</summary>
    /// <exception cref="ArgumentException">A row's width differs from the training rows'.</exception>
    public double[] Predict(IReadOnlyList<float[]> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        if (rows.FirstOrDefault(r => r.Length != Features) is { } wrong)
            throw new ArgumentException($"The trees were trained on rows of {Features} features; received one of {wrong.Length}.", nameof(rows));
        var probabilities = new double[rows.Count * Labels];
        if (rows.Count == 0) return probabilities;
        var data = _context.Data.LoadFromEnumerable(rows.Select(r => new Row { Features = r }).ToArray(), _schema);
        for (int label = 0; label < Labels; label++)
        {
            var column = _models[label] is { } model
                ? _context.Data.CreateEnumerable<Prediction>(model.Transform(data), reuseRowObject: false).Select(p => (double)p.Probability).ToArray()
                : Enumerable.Repeat(_constant[label], rows.Count).ToArray();
            for (int r = 0; r < rows.Count; r++) probabilities[r * Labels + label] = column[r];
        }
        return probabilities;
    }

    /// <summary>
    /// The trees as data to save (<see cref="GradientBoostedTreesState"/>): each label's ML.NET model as the bytes of
    /// its zip, or its constant rate, so that another set can be scored with the trees of the run that trained them.
    /// </summary>
    public GradientBoostedTreesState ToState()
    {
        var input = _context.Data.LoadFromEnumerable(Array.Empty<Row>(), _schema).Schema;
        var models = _models.Select(model =>
        {
            if (model is null) return null;
            using var bytes = new MemoryStream();
            _context.Model.Save(model, input, bytes);
            return bytes.ToArray();
        }).ToArray();
        return new GradientBoostedTreesState { Features = Features, Rates = (double[])_constant.Clone(), Models = models };
    }

    /// <summary>Trees saved by <see cref="ToState"/>; <paramref name="source"/> names where they come from in messages.</summary>
    /// <exception cref="InvalidDataException">The state's lists do not match, or a model does not load as a binary classifier over its features.</exception>
    public static GradientBoostedTrees FromState(GradientBoostedTreesState state, string source)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (state.Format != GradientBoostedTreesState.CurrentFormat)
            throw new InvalidDataException($"{source}: trees format {state.Format}; this runtime reads format {GradientBoostedTreesState.CurrentFormat}.");
        if (state.Features < 1 || state.Rates is null || state.Models is null || state.Rates.Length == 0 || state.Rates.Length != state.Models.Length
            || state.Rates.Any(r => !(r >= 0 && r <= 1)))
            throw new InvalidDataException($"{source}: the trees need at least one feature and, per label, a rate in [0, 1] and a model or none; " +
                $"received {state.Features} features, {state.Rates?.Length.ToString() ?? "no"} rates and {state.Models?.Length.ToString() ?? "no"} models.");
        var context = new MLContext(seed: 0);
        var schema = Schema(state.Features);
        var models = new ITransformer?[state.Models.Length];
        for (int label = 0; label < models.Length; label++)
        {
            if (state.Models[label] is not { } bytes) continue;
            try
            {
                using var stream = new MemoryStream(bytes, writable: false);
                models[label] = context.Model.Load(stream, out var input);
                if (input.GetColumnOrNull(nameof(Row.Features)) is not { } column || column.Type is not VectorDataViewType { Size: var size } || size != state.Features)
                    throw new InvalidDataException($"the model does not read {state.Features} features");
                if (models[label]!.GetOutputSchema(input).GetColumnOrNull(nameof(Prediction.Probability)) is null)
                    throw new InvalidDataException("the model gives no probability");
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                // ML.NET reports a broken model with whatever exception its reader hits; each means the same here.
                throw new InvalidDataException($"{source}: label {label + 1}'s trees do not load: {e.Message}", e);
            }
        }
        return new GradientBoostedTrees(context, schema, state.Features, models, (double[])state.Rates.Clone());
    }

    private static SchemaDefinition Schema(int features)
    {
        var schema = SchemaDefinition.Create(typeof(Row));
        schema[nameof(Row.Features)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, features);
        return schema;
    }

    private sealed class Row
    {
        public float[] Features { get; set; } = Array.Empty<float>();

        public bool Label { get; set; }
    }

    private sealed class Prediction
    {
        public float Probability { get; set; }
    }
}
