using SeqDsl.Generator.Diagnostics;
using SeqDsl.Generator.Helpers;

namespace SeqDsl.Generator.Model;

// The experiment half of a spec, bound: every setting typed, every default resolved from the catalog.
// Member names of the enums are those of the runtime's enums, which the emitter writes them as.

internal enum DataSourceKind { SyntheticClimate, JenaClimate, Csv }

internal enum MissingValuePolicy { Error, Drop, ForwardFill, Interpolate }

internal enum TextEncoding { OneHot, Indices }

internal enum OptimizerKind { RmsProp, Adam, Sgd }

internal enum LossKind { Mae, Mse, Huber, CategoricalCrossEntropy }

internal enum BaselineKind { Naive, SeasonalNaive, None }

/// <summary>How samples are cut from the series: data[row - lookback : row : step], targets from row + delay.</summary>
internal sealed record WindowSettings(long Lookback, long Step, long Delay, long BatchSize, long Horizon, bool Reverse, bool Shuffle)
{
    /// <summary>The rows these windows read and target, as the runtime cuts them.</summary>
    public SeqDsl.Runtime.Data.WindowGeometry Geometry => new(Lookback, Step, Delay, Horizon);

    /// <summary>Time steps per window, which the model sees (the binder checks that lookback is whole steps).</summary>
    public long TimeSteps => Geometry.TimeSteps;
}

/// <summary>A split's rows [Start, End]; End null for the series' end. Span is the split's key, for diagnostics.</summary>
internal sealed record SplitRange(long Start, long? End, SourceSpan Span);

internal sealed record DataSettings(
    DataSourceKind Source,
    string? Path,
    string? DateColumn,
    string? DateFormat,
    string? Sha256,
    EquatableArray<string>? Columns,
    MissingValuePolicy Missing,
    long Rows,
    string Target,
    WindowSettings Window,
    SplitRange? Train,
    SplitRange? Validation,
    SplitRange? Test,
    bool Normalize)
{
    /// <summary>How messages name the source: its spec word, or the listed columns of a csv.</summary>
    public string SourceName => Source switch
    {
        DataSourceKind.SyntheticClimate => "synthetic-climate",
        DataSourceKind.JenaClimate => "jena-climate",
        _ => "the listed columns",
    };
}

internal sealed record TextSettings(string Corpus, bool Lowercase, long MaxLen, long Step, long BatchSize, TextEncoding Encoding, double ValidationFraction, bool Shuffle);

/// <summary>The optimizer with its options; an option the kind does not have is null.</summary>
internal sealed record OptimizerSettings(OptimizerKind Kind, double LearningRate, double? Rho, double? Momentum, double? Epsilon, double? Beta1, double? Beta2, bool? Nesterov);

internal sealed record TrainingSettings(
    OptimizerSettings Optimizer,
    LossKind Loss,
    long Epochs,
    long StepsPerEpoch,
    long? ValidationSteps,
    long Seed,
    double? ClipNorm,
    long? EarlyStoppingPatience,
    double LearningRateDecay);

internal sealed record SamplingSettings(EquatableArray<double> Temperatures, long Length, long Every);

internal sealed record BaselineSettings(BaselineKind Kind, long Season);

/// <summary>
/// A spec's experiment: its data (a numeric series) or its text (a character corpus), or neither, and how
/// it is trained. Span is where the data or text section starts, for diagnostics about the section as a whole.
/// </summary>
internal sealed record ExperimentSettings(
    DataSettings? Data,
    TextSettings? Text,
    TrainingSettings Training,
    SamplingSettings Sampling,
    BaselineSettings Baseline,
    SourceSpan Span);
