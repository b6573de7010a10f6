using System.Collections.Generic;
using System.Linq;
using SeqDsl.Generator.Diagnostics;
using SeqDsl.Generator.Helpers;
using SeqDsl.Runtime.Episodes;

namespace SeqDsl.Generator.Model;

// The experiment half of a spec, bound: every setting typed, every default resolved from the catalog.
// Member names of the enums are those of the runtime's enums, which the emitter writes them as.

internal enum DataSourceKind { SyntheticClimate, JenaClimate, Csv, Ett }

internal enum MissingValuePolicy { Error, Drop, ForwardFill, Interpolate }

internal enum TextEncoding { OneHot, Indices }

internal enum OptimizerKind { RmsProp, Adam, Sgd }

internal enum LossKind { Mae, Mse, Huber, CategoricalCrossEntropy }

internal enum BaselineKind { Naive, SeasonalNaive, None }

internal enum EpisodeSourceKind { SyntheticIcu, PhysioNet2012, LongCsv }

internal enum UnknownVariablePolicy { Ignore, Error }

internal enum LabelRule { AsIs, Below, AtLeast, In }

internal enum StepAggregate { Mean, Last, Min, Max }

internal enum Imputation { ForwardFillThenMedian, Median }

internal enum Scaling { None, MinMax, Standardize }

internal enum EmptyEpisodePolicy { Error, KeepOneStep }

internal enum EpisodeRepresentation { Sequence, Summary, FirstLast }

internal enum PositiveWeighting { None, Balanced }

internal enum EpisodeMonitor { MacroAuroc, MicroAuroc, FirstLabelAuroc, Loss }

/// <summary>A baseline trained on the summary features beside an episodes model; members are named as the runtime's <c>EpisodeSummaryBaseline</c>.</summary>
internal enum EpisodeSummaryBaseline { None, GradientBoostedTrees }

/// <summary>How samples are cut from the series: data[row - lookback : row : step], targets from row + delay.</summary>
internal sealed record WindowSettings(long Lookback, long Step, long Delay, long BatchSize, long Horizon, bool Reverse, bool Shuffle)
{
    /// <summary>The rows these windows read and target, as the runtime cuts them.</summary>
    public SeqDsl.Runtime.Data.WindowGeometry Geometry => new(Lookback, Step, Delay, Horizon);

    /// <summary>Time steps per window, which the model sees (the binder checks that lookback is whole steps).</summary>
    public long TimeSteps => Geometry.TimeSteps;
}

/// <summary>
/// A split's window rows [Start, End] (the lecture's min_index, max_index); End null for the series' end. Span is the
/// split's key, for diagnostics. A split the spec states by target rows is bound to window rows; Targets keeps its text.
/// </summary>
internal sealed record SplitRange(long Start, long? End, SourceSpan Span)
{
    /// <summary>"targets [8640, 11519]" for a split stated by target rows; null for one stated by window rows.</summary>
    public string? Targets { get; init; }

    /// <summary>The split as the spec states it, for messages.</summary>
    public string Text => Targets ?? $"[{Start}, {(End is long end ? end.ToString(System.Globalization.CultureInfo.InvariantCulture) : "end")}]";
}

internal sealed record DataSettings(
    DataSourceKind Source,
    string? Path,
    string? DateColumn,
    string? DateFormat,
    string? Sha256,
    EquatableArray<string>? Columns,
    MissingValuePolicy Missing,
    long Rows,
    EquatableArray<string> Targets,
    WindowSettings Window,
    SplitRange? Train,
    SplitRange? Validation,
    SplitRange? Test,
    bool Normalize)
{
    /// <summary>Several targets: a multivariate forecast, whose targets are (batch, horizon, targets).</summary>
    public bool IsMultivariate => Targets.Count > 1;

    /// <summary>csv: the URL the file is downloaded from instead of <see cref="Path"/>.</summary>
    public string? Url { get; init; }

    /// <summary>ett: which series.</summary>
    public string Series { get; init; } = SeqDsl.Runtime.Data.PublicDataSets.DefaultEttSeries;

    /// <summary>How messages name the source: its spec word, or the listed columns of a csv.</summary>
    public string SourceName => Source switch
    {
        DataSourceKind.SyntheticClimate => "synthetic-climate",
        DataSourceKind.JenaClimate => "jena-climate",
        DataSourceKind.Ett => Series,
        _ => "the listed columns",
    };
}

internal sealed record TextSettings(string Corpus, bool Lowercase, long MaxLen, long Step, long BatchSize, TextEncoding Encoding, double ValidationFraction, bool Shuffle)
{
    /// <summary>A text file downloaded instead of <see cref="Corpus"/>.</summary>
    public string? Url { get; init; }

    /// <summary>The expected SHA-256 of the downloaded corpus.</summary>
    public string? Sha256 { get; init; }
}

/// <summary>A key whose value is a relative file path, resolved at run time against the spec's folder; Line (1-based) is for messages.</summary>
internal sealed record FileKey(string Key, int Line);

/// <summary>The first line of a CSV that a spec names, read at build time by the project's MSBuild step (see build/SeqDsl.Specs.targets).</summary>
/// <param name="SpecPath">The spec that names the file.</param>
/// <param name="Value">The path as the spec writes it.</param>
/// <param name="File">The file it resolved to.</param>
/// <param name="Header">Its first line.</param>
internal sealed record CsvHeader(string SpecPath, string Value, string File, string Header)
{
    /// <summary>Whether the spec at <paramref name="specPath"/> names this file (MSBuild and the compiler may spell the path with other separators).</summary>
    public bool IsFor(string specPath) => string.Equals(SpecPath.Replace('\\', '/'), specPath.Replace('\\', '/'), System.StringComparison.Ordinal);
}

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

/// <summary>One binary label of an episodes task, as the runtime's <c>LabelDefinition</c>; Span is its name in the spec.</summary>
internal sealed record LabelSettings(string Name, string Column, LabelRule Rule, double Threshold, EquatableArray<double> Values, bool Auxiliary, long? MissingAs, SourceSpan Span);

/// <summary>The columns and listed variables of a long-csv episodes source.</summary>
internal sealed record LongCsvSettings(string RecordColumn, string TimeColumn, string VariableColumn, string ValueColumn,
    EquatableArray<string> Variables, EquatableArray<string> Statics, double? MissingSentinel);

/// <summary>How records become steps: the runtime's <c>EpisodePreprocessingOptions</c> (the horizon in hours, as the spec gives it).</summary>
internal sealed record EpisodePreprocessingSettings(
    double IntervalMinutes,
    StepAggregate Aggregate,
    double? HorizonHours,
    long? MaxSteps,
    Imputation Imputation,
    double? ClipQuantile,
    bool MissingIndicators,
    bool TimeSinceObserved,
    Scaling Scaling,
    bool StaticInputs,
    EquatableArray<string>? Include,
    EquatableArray<string> Exclude,
    EmptyEpisodePolicy EmptyEpisodes);

/// <summary>An episodes task: the runtime's <c>EpisodesSpec</c>, with labels scored first and auxiliary after.</summary>
internal sealed record EpisodesSettings(
    EpisodeSourceKind Source,
    string? Path,
    string? Outcomes,
    long Records,
    long SourceSeed,
    LongCsvSettings? LongCsv,
    UnknownVariablePolicy UnknownVariables,
    EquatableArray<LabelSettings> Labels,
    EpisodePreprocessingSettings Preprocessing,
    EpisodeRepresentation Representation,
    long FirstLastSteps,
    double TrainFraction,
    double ValidationFraction,
    long SplitSeed,
    string? TestPath,
    string? TestOutcomes,
    long BatchSize,
    double TargetReplication,
    double AuxiliaryWeight,
    PositiveWeighting PositiveWeighting,
    EpisodeMonitor Monitor,
    long PrecisionAt,
    EpisodeSummaryBaseline SummaryBaseline,
    EquatableArray<string> EnsembleWith)
{
    /// <summary>How messages name the source: its spec word.</summary>
    public string SourceName => Source switch
    {
        EpisodeSourceKind.SyntheticIcu => "synthetic-icu",
        EpisodeSourceKind.PhysioNet2012 => "physionet-2012",
        _ => "long-csv",
    };

    /// <summary>The source's time-varying variables, in channel order (a long-csv source lists them).</summary>
    public IReadOnlyList<string> SourceVariables => Source switch
    {
        EpisodeSourceKind.SyntheticIcu => EpisodeLayout.SyntheticIcuVariables,
        EpisodeSourceKind.PhysioNet2012 => EpisodeLayout.PhysioNet2012Variables,
        _ => LongCsv?.Variables ?? EquatableArray<string>.Empty,
    };

    /// <summary>The source's static descriptors.</summary>
    public IReadOnlyList<string> SourceStatics => Source switch
    {
        EpisodeSourceKind.SyntheticIcu => EpisodeLayout.SyntheticIcuStatics,
        EpisodeSourceKind.PhysioNet2012 => EpisodeLayout.PhysioNet2012Statics,
        _ => LongCsv?.Statics ?? EquatableArray<string>.Empty,
    };

    /// <summary>The source's outcome columns; null when only its file can tell (long-csv).</summary>
    public IReadOnlyList<string>? SourceOutcomes => Source switch
    {
        EpisodeSourceKind.SyntheticIcu => EpisodeLayout.SyntheticIcuOutcomes,
        EpisodeSourceKind.PhysioNet2012 => EpisodeLayout.PhysioNet2012Outcomes,
        _ => null,
    };

    /// <summary>The time-varying inputs, as the runtime selects them.</summary>
    public string[] InputVariables => EpisodeLayout.InputVariables(SourceVariables, Preprocessing.Include, Preprocessing.Exclude);

    /// <summary>The static inputs, as the runtime selects them: a static that a label comes from is never one.</summary>
    public string[] InputStatics => EpisodeLayout.InputStatics(SourceStatics, Preprocessing.StaticInputs, Preprocessing.Include, Preprocessing.Exclude,
        Labels.Select(l => l.Column).Where(SourceStatics.Contains).Distinct().ToArray());

    /// <summary>The model's input width: channels per step of the sequence, or features per record of a flat representation.</summary>
    public long InputFeatures
    {
        get
        {
            int variables = InputVariables.Length, statics = InputStatics.Length;
            int sequence = EpisodeLayout.SequenceFeatures(variables, Preprocessing.MissingIndicators, Preprocessing.TimeSinceObserved, statics);
            return Representation switch
            {
                EpisodeRepresentation.Summary => EpisodeLayout.SummaryFeatures(variables, statics),
                EpisodeRepresentation.FirstLast => EpisodeLayout.FirstLastFeatures(checked((int)FirstLastSteps), sequence),
                _ => sequence,
            };
        }
    }

    /// <summary>How the input width comes about, for messages: "37 variables with indicators and 4 statics".</summary>
    public string InputFeaturesText
    {
        get
        {
            string channels = Preprocessing.MissingIndicators && Preprocessing.TimeSinceObserved ? " with indicators and hours since observed"
                : Preprocessing.MissingIndicators ? " with indicators" : Preprocessing.TimeSinceObserved ? " with hours since observed" : "";
            string what = $"{InputVariables.Length} variables{channels} and {InputStatics.Length} statics of {SourceName}";
            return Representation switch
            {
                EpisodeRepresentation.Summary => $"{EpisodeLayout.SummaryStatistics.Length} statistics of each of {InputVariables.Length} variables and {InputStatics.Length} statics of {SourceName}",
                EpisodeRepresentation.FirstLast => $"the first and last {FirstLastSteps} steps of {what}",
                _ => what,
            };
        }
    }

    /// <summary>The number of labels, scored and auxiliary: the model's outputs ('units: labels').</summary>
    public int LabelCount => Labels.Count;

    /// <summary>What each step of the sequence representation holds, channel by channel; null for a flat representation.</summary>
    public EpisodeChannels? SequenceChannels => Representation == EpisodeRepresentation.Sequence
        ? new EpisodeChannels(InputVariables.Length, Preprocessing.MissingIndicators, Preprocessing.TimeSinceObserved, Preprocessing.Scaling, Preprocessing.Imputation)
        : null;
}

/// <summary>
/// The channels of one step of an episodes task's sequence representation (the runtime's <c>EpisodeLayout.SequenceFeatures</c>):
/// <see cref="Variables"/> values, then an indicator and an hours-since-observed channel per variable when set, then the
/// statics (the rest of the input's width); with how values were scaled and imputed. A layer that reads channels by
/// meaning (gru_d) checks them.
/// </summary>
internal sealed record EpisodeChannels(long Variables, bool MissingIndicators, bool TimeSinceObserved, Scaling Scaling, Imputation Imputation);

/// <summary>
/// What a static branch reads: the episodes task's <see cref="Count"/> static channels, the last of every step, or the
/// <see cref="Problem"/> that leaves the model none (no episodes, a flat representation, no statics selected).
/// </summary>
internal sealed record StaticChannels(long Count, string? Problem);

/// <summary>
/// A spec's experiment: its data (a numeric series), its text (a character corpus) or its episodes (labelled
/// records), or none, and how it is trained. Span is where that section starts, for diagnostics about the section as a whole.
/// </summary>
internal sealed record ExperimentSettings(
    DataSettings? Data,
    TextSettings? Text,
    TrainingSettings Training,
    SamplingSettings Sampling,
    BaselineSettings Baseline,
    SourceSpan Span)
{
    /// <summary>The episodes task, when the spec has one.</summary>
    public EpisodesSettings? Episodes { get; init; }

    /// <summary>The keys that name a file by a relative path; empty when none does.</summary>
    public EquatableArray<FileKey> FileKeys { get; init; } = EquatableArray<FileKey>.Empty;

    /// <summary>The spec's folder at build time, which <see cref="FileKeys"/> resolve against; null when no key names a relative file.</summary>
    public string? SpecDirectory { get; init; }
}
