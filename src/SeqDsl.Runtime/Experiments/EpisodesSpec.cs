using System;
using System.Collections.Generic;
using SeqDsl.Runtime.Episodes;

namespace SeqDsl.Runtime.Experiments;

/// <summary>Where an episodes task's records come from.</summary>
public enum EpisodeSourceKind
{
    /// <summary>The built-in deterministic ICU-like set (<see cref="SyntheticIcu"/>), offline.</summary>
    SyntheticIcu,
    /// <summary>PhysioNet Challenge 2012: a set-?.tar.gz archive or a folder of stay files, and an outcomes file.</summary>
    PhysioNet2012,
    /// <summary>A long-format CSV (record, time, variable, value) and a labels CSV.</summary>
    LongCsv,
}

/// <summary>What a model of an episodes task reads per record.</summary>
public enum EpisodeRepresentation
{
    /// <summary>The preprocessed series: (batch, time, features) padded, with lengths.</summary>
    Sequence,
    /// <summary>Per-variable summary statistics over the horizon (<see cref="EpisodeLayout.SummaryStatistics"/>) and statics: (batch, features).</summary>
    Summary,
    /// <summary>The first and the last <see cref="EpisodesSpec.FirstLastSteps"/> steps of the sequence, flattened: (batch, features).</summary>
    FirstLast,
}

/// <summary>How positive examples are weighted in the loss.</summary>
public enum PositiveWeighting
{
    /// <summary>Every example counts once.</summary>
    None,
    /// <summary>Each label's positives weigh negatives/positives of the training records.</summary>
    Balanced,
}

/// <summary>The validation figure that chooses the best epoch and drives early stopping.</summary>
public enum EpisodeMonitor
{
    /// <summary>Macro AUROC over the scored labels (higher is better).</summary>
    MacroAuroc,
    /// <summary>Micro AUROC over the scored labels (higher is better).</summary>
    MicroAuroc,
    /// <summary>The first scored label's AUROC (higher is better).</summary>
    FirstLabelAuroc,
    /// <summary>The validation loss (lower is better).</summary>
    Loss,
}

/// <summary>A baseline trained beside an episodes model on the summary features of the same records (the base rate is always there).</summary>
public enum EpisodeSummaryBaseline
{
    /// <summary>The base rate only.</summary>
    None,
    /// <summary>Gradient-boosted trees per scored label (<see cref="Episodes.GradientBoostedTrees"/>).</summary>
    GradientBoostedTrees,
}

/// <summary>
/// The episodes half of a spec: a set of variable-length, irregular, multivariate records with labels, how they are
/// preprocessed, split and batched, and the task's own training settings. The generic training settings (optimizer,
/// epochs, seed, clipping, patience) stay in <see cref="ExperimentSpec.Training"/>; an epoch is one pass over the
/// training records.
/// </summary>
/// <param name="Source">Where the records come from.</param>
public sealed record EpisodesSpec(EpisodeSourceKind Source)
{
    /// <summary>Stays (archive or folder) of physionet-2012, observations CSV of long-csv; relative to the spec's folder (<see cref="SpecPaths"/>) or absolute. The CLI's --data (relative to the current directory) overrides it.</summary>
    public string? Path { get; init; }

    /// <summary>The outcomes file (physionet-2012) or labels CSV (long-csv). The CLI's --outcomes overrides it.</summary>
    public string? Outcomes { get; init; }

    /// <summary>Records of the synthetic set.</summary>
    public int Records { get; init; } = 2000;

    /// <summary>Seed of the synthetic set.</summary>
    public int SourceSeed { get; init; } = 1;

    /// <summary>Column names and variables of a long-csv source.</summary>
    public LongCsvEpisodeOptions? LongCsv { get; init; }

    /// <summary>What an unknown variable in the source does.</summary>
    public UnknownVariablePolicy UnknownVariables { get; init; } = UnknownVariablePolicy.Ignore;

    /// <summary>Scored labels first, then auxiliary ones (<see cref="LabelDefinition.Auxiliary"/>).</summary>
    public required IReadOnlyList<LabelDefinition> Labels { get; init; }

    /// <summary>Resampling, horizon, imputation, extra channels, scaling, statics, variables in or out.</summary>
    public EpisodePreprocessingOptions Preprocessing { get; init; } = new();

    /// <summary>What the model reads per record.</summary>
    public EpisodeRepresentation Representation { get; init; } = EpisodeRepresentation.Sequence;

    /// <summary>Steps at each end of <see cref="EpisodeRepresentation.FirstLast"/>.</summary>
    public int FirstLastSteps { get; init; } = 6;

    /// <summary>Fraction of the records for training (stratified on the first label).</summary>
    public double TrainFraction { get; init; } = 0.7;

    /// <summary>Fraction of the records for validation; the test split takes the rest (or all of <see cref="TestPath"/>).</summary>
    public double ValidationFraction { get; init; } = 0.15;

    /// <summary>Seed of the record split.</summary>
    public int SplitSeed { get; init; } = 7;

    /// <summary>A whole other set (same format as <see cref="Path"/>) as the test set; the records of <see cref="Path"/> are then split into training and validation only.</summary>
    public string? TestPath { get; init; }

    /// <summary>The outcomes of <see cref="TestPath"/>.</summary>
    public string? TestOutcomes { get; init; }

    /// <summary>Records per batch.</summary>
    public int BatchSize { get; init; } = 32;

    /// <summary>Target replication α: α·(mean loss over real steps) + (1 − α)·(loss at the last real step); 0 scores the last step only.</summary>
    public double TargetReplication { get; init; }

    /// <summary>Weight of the auxiliary labels' loss relative to the scored labels'.</summary>
    public double AuxiliaryWeight { get; init; } = 1;

    /// <summary>Positive weighting of the loss.</summary>
    public PositiveWeighting PositiveWeighting { get; init; } = PositiveWeighting.None;

    /// <summary>What chooses the best epoch and drives early stopping.</summary>
    public EpisodeMonitor Monitor { get; init; } = EpisodeMonitor.MacroAuroc;

    /// <summary>k of precision at k (the paper's P@10 over labels per record is capped by the label count).</summary>
    public int PrecisionAt { get; init; } = 10;

    /// <summary>A baseline trained on the summary features of the same training records, reported beside the base rate.</summary>
    public EpisodeSummaryBaseline SummaryBaseline { get; init; } = EpisodeSummaryBaseline.None;

    /// <summary>
    /// Experiments whose predictions are ensembled with this model's (mean and max of the probabilities): each one's
    /// predictions.csv in the folder named after it beside this run's folder.
    /// </summary>
    public IReadOnlyList<string> EnsembleWith { get; init; } = Array.Empty<string>();
}
