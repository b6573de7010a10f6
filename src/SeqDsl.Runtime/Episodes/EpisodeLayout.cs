using System;
using System.Collections.Generic;
using System.Linq;

namespace SeqDsl.Runtime.Episodes;

/// <summary>
/// The input layout of the episodes task: which variables and static descriptors of a source become inputs, and how
/// many channels each input representation has. The built-in sources' variable names live here too.
/// </summary>
/// <remarks>
/// Plain C# without dependencies: the runtime compiles it for its sources, preprocessing and feature builders, and the
/// generator links it to infer a spec's input width at build time, so the build and the run cannot disagree.
/// </remarks>
internal static class EpisodeLayout
{
    /// <summary>PhysioNet Challenge 2012: the 37 time-varying variables.</summary>
    public static readonly string[] PhysioNet2012Variables =
    {
        "Albumin", "ALP", "ALT", "AST", "Bilirubin", "BUN", "Cholesterol", "Creatinine", "DiasABP", "FiO2", "GCS",
        "Glucose", "HCO3", "HCT", "HR", "K", "Lactate", "Mg", "MAP", "MechVent", "Na", "NIDiasABP", "NIMAP", "NISysABP",
        "PaCO2", "PaO2", "pH", "Platelets", "RespRate", "SaO2", "SysABP", "Temp", "TroponinI", "TroponinT", "Urine",
        "WBC", "Weight",
    };

    /// <summary>PhysioNet Challenge 2012: the static descriptors recorded at 00:00.</summary>
    public static readonly string[] PhysioNet2012Statics = { "Age", "Gender", "Height", "ICUType", "Weight" };

    /// <summary>PhysioNet Challenge 2012: the columns of an outcomes file after RecordID.</summary>
    public static readonly string[] PhysioNet2012Outcomes = { "SAPS-I", "SOFA", "Length_of_stay", "Survival", "In-hospital_death" };

    /// <summary>The built-in synthetic ICU set: its 14 vitals and labs, in channel order.</summary>
    public static readonly string[] SyntheticIcuVariables =
    {
        "DiastolicBP", "SystolicBP", "MeanBP", "CapillaryRefill", "EndTidalCO2", "FiO2", "GCS", "Glucose", "HeartRate",
        "pH", "RespiratoryRate", "SpO2", "Temperature", "UrineOutput",
    };

    /// <summary>The built-in synthetic ICU set: its static descriptors.</summary>
    public static readonly string[] SyntheticIcuStatics = { "Age", "Gender", "Weight" };

    /// <summary>The built-in synthetic ICU set: twelve binary labels, then the numeric length of stay.</summary>
    public static readonly string[] SyntheticIcuOutcomes =
    {
        "sepsis", "shock", "respiratory_failure", "ketoacidosis", "coma", "heart_failure", "renal_failure",
        "hypertension", "hypothermia", "arrhythmia", "acidosis", "in_hospital_death", "length_of_stay_days",
    };

    /// <summary>The per-variable statistics of the summary representation, in channel order.</summary>
    public static readonly string[] SummaryStatistics = { "min", "max", "mean", "std", "first", "last", "count", "missing_fraction" };

    /// <summary>The time-varying inputs: the source's variables that <paramref name="include"/> (null: all) keeps and <paramref name="exclude"/> does not drop, in the source's order.</summary>
    public static string[] InputVariables(IReadOnlyList<string> variables, IReadOnlyList<string>? include, IReadOnlyList<string> exclude) =>
        variables.Where(v => Selected(v, include, exclude)).ToArray();

    /// <summary>
    /// The static inputs: none unless <paramref name="staticInputs"/>; otherwise the selected descriptors except those a
    /// label is derived from (<paramref name="labelSources"/>: a label's column must never be an input).
    /// </summary>
    public static string[] InputStatics(IReadOnlyList<string> statics, bool staticInputs, IReadOnlyList<string>? include,
        IReadOnlyList<string> exclude, IReadOnlyList<string> labelSources) =>
        staticInputs
            ? statics.Where(s => Selected(s, include, exclude) && !labelSources.Contains(s)).ToArray()
            : Array.Empty<string>();

    /// <summary>Channels per step of the sequence representation: values, then indicators and hours-since-observed per variable, then statics.</summary>
    public static int SequenceFeatures(int variables, bool missingIndicators, bool timeSinceObserved, int statics) =>
        checked(variables * (1 + (missingIndicators ? 1 : 0) + (timeSinceObserved ? 1 : 0)) + statics);

    /// <summary>Features of the summary representation: <see cref="SummaryStatistics"/> per variable, then statics.</summary>
    public static int SummaryFeatures(int variables, int statics) => checked(variables * SummaryStatistics.Length + statics);

    /// <summary>Features of the first-and-last representation: the first and the last <paramref name="steps"/> steps of the sequence representation, flattened.</summary>
    public static int FirstLastFeatures(int steps, int sequenceFeatures) => checked(2 * steps * sequenceFeatures);

    private static bool Selected(string name, IReadOnlyList<string>? include, IReadOnlyList<string> exclude) =>
        (include is null || include.Contains(name)) && !exclude.Contains(name);
}
