using System;
using System.Collections.Generic;
using SeqDsl.Runtime.Data;
using SeqDsl.Runtime.Training;
using TorchSharp;

namespace SeqDsl.Runtime.Experiments;

/// <summary>Where an experiment's series comes from.</summary>
public enum DataSourceKind
{
    /// <summary>The built-in series with Jena's 14 columns (offline).</summary>
    SyntheticClimate,
    /// <summary>The real Jena climate series, downloaded once into a per-user cache.</summary>
    JenaClimate,
    /// <summary>A CSV file, or a CSV downloaded from <see cref="DataSpec.Url"/>.</summary>
    Csv,
    /// <summary>An ETT series (<see cref="DataSpec.Series"/>), downloaded once into a per-user cache.</summary>
    Ett,
}

/// <summary>A split as the lecture's generator takes it: rows of windows lie in [MinIndex + lookback, MaxIndex).</summary>
/// <param name="MinIndex">First row a window may read.</param>
/// <param name="MaxIndex">Exclusive bound of the windows' rows; null for the end of the data.</param>
public sealed record SplitRange(int MinIndex, int? MaxIndex)
{
    /// <summary>How the spec states a split given by target rows ("targets [8640, 11519]"); null for one given by window rows.</summary>
    public string? Targets { get; init; }

    /// <inheritdoc/>
    public override string ToString()
    {
        string rows = $"[{MinIndex}, {(MaxIndex is int max ? max.ToString(System.Globalization.CultureInfo.InvariantCulture) : "end")}]";
        return Targets is null ? rows : $"{Targets} (window rows {rows})";
    }
}

/// <summary>The data half of a spec: source, targets, windows and splits.</summary>
/// <param name="Source">Where the series comes from.</param>
/// <param name="Targets">
/// The columns to predict: one (targets (batch, horizon)) or several (a multivariate forecast: targets (batch, horizon,
/// columns), in this order).
/// </param>
public sealed record DataSpec(DataSourceKind Source, params string[] Targets)
{
    /// <summary>The targets as people read them: "OT", or "HUFL, HULL, OT".</summary>
    public string TargetText => string.Join(", ", Targets);

    /// <summary>CSV path, relative to the spec's folder (<see cref="SpecPaths"/>) or absolute; the CLI's --data overrides it.</summary>
    public string? Path { get; init; }

    /// <summary>A CSV downloaded once into the per-user cache (<see cref="DataCache"/>) instead of <see cref="Path"/>.</summary>
    public string? Url { get; init; }

    /// <summary>The ETT series of the ett source: ETTh1, ETTh2, ETTm1 or ETTm2.</summary>
    public string Series { get; init; } = PublicDataSets.DefaultEttSeries;

    /// <summary>CSV date column; null: the first column when it holds dates.</summary>
    public string? DateColumn { get; init; }

    /// <summary>CSV date format; null: Jena's or ISO 8601.</summary>
    public string? DateFormat { get; init; }

    /// <summary>Columns to use, in order; null: all numeric columns of the source.</summary>
    public IReadOnlyList<string>? Columns { get; init; }

    /// <summary>What to do with empty or non-numeric cells.</summary>
    public MissingValuePolicy Missing { get; init; } = MissingValuePolicy.Error;

    /// <summary>Expected SHA-256 of the downloaded file (the Jena archive, an ETT series, the file at <see cref="Url"/>), when pinned.</summary>
    public string? Sha256 { get; init; }

    /// <summary>Rows of the synthetic series.</summary>
    public int Rows { get; init; } = SyntheticClimate.DefaultRows;

    /// <summary>How windows are cut.</summary>
    public required WindowOptions Window { get; init; }

    /// <summary>Whether training rows are drawn at random.</summary>
    public bool Shuffle { get; init; } = true;

    /// <summary>Training rows; normalization statistics come from these.</summary>
    public required SplitRange Train { get; init; }

    /// <summary>Validation rows, if any.</summary>
    public SplitRange? Validation { get; init; }

    /// <summary>Test rows, if any.</summary>
    public SplitRange? Test { get; init; }

    /// <summary>Whether columns are standardized with the training rows' mean and std.</summary>
    public bool Normalize { get; init; } = true;
}

/// <summary>The training half of a spec.</summary>
public sealed record TrainingSpec
{
    /// <summary>Optimizer and its settings (Keras defaults).</summary>
    public OptimizerOptions Optimizer { get; init; } = new(OptimizerKind.RmsProp);

    /// <summary>Training loss.</summary>
    public LossKind Loss { get; init; } = LossKind.Mae;

    /// <summary>Number of epochs.</summary>
    public int Epochs { get; init; } = 20;

    /// <summary>Training batches per epoch.</summary>
    public int StepsPerEpoch { get; init; } = 500;

    /// <summary>Validation batches per epoch; null: one pass over the validation rows (the lecture's val_steps).</summary>
    public int? ValidationSteps { get; init; }

    /// <summary>Seed of weights, masks and shuffled batches.</summary>
    public long Seed { get; init; } = 42;

    /// <summary>Global gradient-norm clipping, if any.</summary>
    public double? ClipNorm { get; init; }

    /// <summary>Epochs without a better validation loss before stopping, if any.</summary>
    public int? EarlyStoppingPatience { get; init; }

    /// <summary>Factor applied to the learning rate after every epoch.</summary>
    public double LearningRateDecay { get; init; } = 1.0;
}

/// <summary>The text half of a spec: a character corpus cut into windows.</summary>
public sealed record TextSpec
{
    /// <summary>"embedded" for the built-in corpus, "nietzsche" for the lecture's (downloaded), else a path relative to the spec's folder; the CLI's --data overrides it.</summary>
    public string Corpus { get; init; } = PublicDataSets.EmbeddedCorpus;
    /// <summary>A text file downloaded once into the per-user cache instead of <see cref="Corpus"/>.</summary>
    public string? Url { get; init; }
    /// <summary>Expected SHA-256 of the downloaded corpus (<see cref="Url"/>, or nietzsche's instead of its pinned one).</summary>
    public string? Sha256 { get; init; }
    /// <summary>Lower-case the corpus first.</summary>
    public bool Lowercase { get; init; } = true;
    /// <summary>Characters per window.</summary>
    public int MaxLen { get; init; } = 60;
    /// <summary>Characters between window starts.</summary>
    public int Step { get; init; } = 3;
    /// <summary>Windows per batch.</summary>
    public int BatchSize { get; init; } = 128;
    /// <summary>One-hot vectors or ids.</summary>
    public SeqDsl.Runtime.Text.TextEncoding Encoding { get; init; } = SeqDsl.Runtime.Text.TextEncoding.OneHot;
    /// <summary>The last fraction of the corpus held out for validation.</summary>
    public double ValidationFraction { get; init; } = 0.05;
    /// <summary>Draw training windows at random.</summary>
    public bool Shuffle { get; init; } = true;
}

/// <summary>Samples printed during training.</summary>
public sealed record SamplingSpec
{
    /// <summary>Softmax temperatures to sample at.</summary>
    public IReadOnlyList<double> Temperatures { get; init; } = new[] { 0.2, 0.5, 1.0, 1.2 };
    /// <summary>Characters per sample.</summary>
    public int Length { get; init; } = 400;
    /// <summary>Sample after every n-th epoch.</summary>
    public int Every { get; init; } = 1;
}

/// <summary>The baseline reported beside the model.</summary>
public enum BaselineKind
{
    /// <summary>The last observed target value.</summary>
    Naive,
    /// <summary>The target value one season earlier.</summary>
    SeasonalNaive,
    /// <summary>No baseline.</summary>
    None,
}

/// <summary>Which baseline, and its season length for the seasonal one.</summary>
public sealed record BaselineSpec(BaselineKind Kind, int Season = 144);

/// <summary>
/// Everything a spec says, as the generated code hands it to the runtime: how to build the model, its
/// build-time layer table, and the experiment (data, training, baseline). Generated as
/// <c>&lt;Model&gt;Model.Experiment</c>.
/// </summary>
/// <param name="Name">The model's name in the spec.</param>
/// <param name="SpecFile">The spec file's name.</param>
/// <param name="CreateModel">Creates the model with fresh weights for the run's sizes (a text task passes its vocabulary); the module implements <see cref="ISeqDslModel"/>.</param>
/// <param name="Layers">The build-time layer table for the run's sizes.</param>
/// <param name="ParameterCount">Parameters inferred at build time for the run's sizes.</param>
public sealed record ExperimentSpec(
    string Name,
    string SpecFile,
    Func<ModelSizes, torch.nn.Module<torch.Tensor, torch.Tensor>> CreateModel,
    Func<ModelSizes, IReadOnlyList<LayerSummary>> Layers,
    Func<ModelSizes, long> ParameterCount)
{
    /// <summary>The text section; null unless the spec is a character-level text task.</summary>
    public TextSpec? Text { get; init; }

    /// <summary>Samples printed during text training.</summary>
    public SamplingSpec Sampling { get; init; } = new();

    /// <summary>The episodes section; null unless the spec is a diagnosis task over variable-length records with labels.</summary>
    public EpisodesSpec? Episodes { get; init; }

    /// <summary>The data section; null when the spec describes only a model.</summary>
    public DataSpec? Data { get; init; }

    /// <summary>The training section (defaults when the spec has none).</summary>
    public TrainingSpec Training { get; init; } = new();

    /// <summary>The baseline.</summary>
    public BaselineSpec Baseline { get; init; } = new(BaselineKind.Naive);

    /// <summary>
    /// The spec's sweep: the runs its <c>sweep</c> section expands to (each a variant's experiment with its training
    /// values); null when the spec has no sweep. Only the experiment of the spec as written carries it.
    /// </summary>
    public SweepSpec? Sweep { get; init; }

    /// <summary>
    /// Whether the model forecasts every input column, applying its layers to each as a separate series
    /// (<c>channels: independent</c>; see <see cref="Layers.ChannelIndependent"/>): it is trained on every column's
    /// forecast, and scored on its targets.
    /// </summary>
    public bool ChannelIndependent { get; init; }

    /// <summary>Lines that say how the layers are applied (per channel), printed above the layer table; empty for a plain stack.</summary>
    public IReadOnlyList<string> Wrapping { get; init; } = Array.Empty<string>();

    /// <summary>
    /// The spec's folder when it was built (absolute): relative paths in the spec resolve against it (<see cref="SpecPaths"/>).
    /// Null: against the current directory.
    /// </summary>
    public string? SpecDirectory { get; init; }

    /// <summary>The line of each file key in the spec ("data.path" → 11), for messages about the files they name.</summary>
    public IReadOnlyDictionary<string, int> KeyLines { get; init; } = new Dictionary<string, int>();

    /// <summary>The Keras-style summary table for the run's sizes (none: <see cref="ModelSizes.None"/>).</summary>
    public string Summary(ModelSizes? sizes = null) => ModelSummary.Render(Name, SpecFile, Layers(sizes ?? ModelSizes.None), Wrapping);
}
