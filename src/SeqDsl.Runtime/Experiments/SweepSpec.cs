using System.Collections.Generic;

namespace SeqDsl.Runtime.Experiments;

/// <summary>One value a sweep run takes: the key as the spec's <c>sweep</c> section writes it and the value as written.</summary>
/// <param name="Key">A key path such as <c>layers.gru_1.units</c> or <c>training.optimizer.learning_rate</c>.</param>
/// <param name="Value">The value, as the spec writes it (<c>32</c>, <c>0.001</c>).</param>
public sealed record SweepSetting(string Key, string Value)
{
    /// <inheritdoc/>
    public override string ToString() => $"{Key}={Value}";
}

/// <summary>
/// One run of a sweep: its stable index (its position in <see cref="SweepSpec.Runs"/>, which the build fixes), the
/// experiment it trains (the layer variant's experiment, with the run's training values and seed already applied) and
/// the values that set it apart.
/// </summary>
/// <param name="Index">The run's index, from 0; a Slurm array task or a Kubernetes completion index selects it.</param>
/// <param name="Experiment">What <c>train</c> runs: the variant's model and the run's training settings.</param>
/// <param name="Settings">The swept keys and this run's values, in the order the spec lists the keys.</param>
public sealed record SweepRun(int Index, ExperimentSpec Experiment, IReadOnlyList<SweepSetting> Settings);

/// <summary>A spec's sweep as the build expanded it: every run, in a fixed order.</summary>
/// <param name="Name">The spec's model name, which names the sweep.</param>
/// <param name="SpecFile">The spec file's name.</param>
/// <param name="Runs">The runs, by index.</param>
public sealed record SweepSpec(string Name, string SpecFile, IReadOnlyList<SweepRun> Runs);
