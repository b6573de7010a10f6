using SeqDsl.Generator.Diagnostics;
using SeqDsl.Generator.Helpers;

namespace SeqDsl.Generator.Model;

// The spec's 'sweep' section after parsing and expansion (Parsing/SpecParser.Sweep.cs, Parsing/SweepExpansion.cs): plain,
// equatable data like the rest of the parsed spec.

/// <summary>One value of a swept key: normalized as the option's check returns it, as the spec writes it, and where.</summary>
internal sealed record SweepValue(string Value, string Written, SourceSpan Span);

/// <summary>
/// One key of 'sweep.values', checked: its path ('layers.gru_1.units', 'training.optimizer.learning_rate'), the layer it
/// sets an option of (null for a training key) and its values in the spec's order.
/// </summary>
internal sealed record SweepKey(string Path, string? Layer, EquatableArray<SweepValue> Values, SourceSpan Span)
{
    /// <summary>The option or training key the path ends in.</summary>
    public string Option => Path.Substring(Path.LastIndexOf('.') + 1);
}

/// <summary>A swept key and the value a run or variant takes (as written), with where the spec writes that value.</summary>
internal sealed record SweepChoice(string Key, string Value, SourceSpan Span)
{
    public override string ToString() => Key + ": " + Value;
}

/// <summary>
/// One model class of a sweep: the combination <see cref="Index"/> of the grid over the 'layers.*' keys only (so it stays
/// when training values change), named <c>&lt;model&gt;V&lt;index&gt;</c>, with the spec's layers after its values.
/// </summary>
internal sealed record VariantSpec(int Index, string ModelName, EquatableArray<SweepChoice> Settings, EquatableArray<LayerSpec> Layers)
{
    /// <summary>What a diagnostic about a variant says first: its name and values.</summary>
    public static string DiagnosticContext(string modelName, System.Collections.Generic.IEnumerable<SweepChoice> settings)
        => $"In sweep variant {modelName} ({string.Join(", ", settings)}): ";
}

/// <summary>One run of a sweep: its index, its variant (null: the spec's own model), every swept key's value and its training settings.</summary>
internal sealed record SweepRunSpec(int Index, int? Variant, EquatableArray<SweepChoice> Settings, TrainingSettings Training);

/// <summary>The sweep as the build expanded it: the keys, the model variants and the runs, in their fixed orders.</summary>
internal sealed record SweepSettings(EquatableArray<SweepKey> Keys, EquatableArray<VariantSpec> Variants, EquatableArray<SweepRunSpec> Runs, SourceSpan Span);
