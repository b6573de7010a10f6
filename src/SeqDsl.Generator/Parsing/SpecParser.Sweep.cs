using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text.RegularExpressions;
using SeqDsl.Generator.Catalog;
using SeqDsl.Generator.Diagnostics;
using SeqDsl.Generator.Helpers;
using SeqDsl.Generator.Layers;
using SeqDsl.Generator.Model;
using YamlDotNet.RepresentationModel;

namespace SeqDsl.Generator.Parsing;

// The 'sweep' section: its keys and values are checked as the options they set (ReadSweep), then, once the rest of the
// spec is valid, expanded into model variants and runs (ExpandSweep) by SweepExpansion's arithmetic.
internal sealed partial class SpecParser
{
    private static readonly Regex s_sweepKey = new(SpecCatalog.SweepKeyPattern, RegexOptions.CultureInvariant);

    private const string SweepValuesContext = "'sweep.values'";

    /// <summary>The sweep section as read: its checked keys, the random draw's count and seed (null count: the grid) and where it is.</summary>
    private sealed record SweepDraft(IReadOnlyList<SweepKey> Keys, long? Count, long Seed, SourceSpan Span, SourceSpan CountSpan);

    /// <summary>
    /// Reads 'sweep': each key path must name a layer of this spec and one of its options, or a training key, and each
    /// value must be one the option accepts (reported at the value). Null after reporting, or when the layers could not be read.
    /// </summary>
    private SweepDraft? ReadSweep(SourceSpan keySpan, YamlNode node, YamlMappingNode root, EquatableArray<LayerSpec>? layers, List<OptionValue> experimentValues, bool hasTask)
    {
        var section = SpecCatalog.SweepSection;
        if (node is not YamlMappingNode mapping)
        {
            Report(SeqDiagnostics.WrongType, Span(node), section.Name, "the spec", "a mapping with 'values' (and 'strategy')", Describe(node));
            return null;
        }
        int before = _diagnostics.Count;
        var keys = ReadMapping(mapping, section.Children, "'sweep'", string.Join(", ", section.Children.Select(c => c.Name)));
        if (!keys.ContainsKey("values"))
            Report(SeqDiagnostics.MissingKey, Span(mapping), "values", "'sweep'", section.Children.First(c => c.Name == "values").Description);

        long? count = null;
        long seed = 0;
        var countSpan = keySpan;
        if (keys.TryGetValue("strategy", out var strategyEntry))
        {
            var strategy = new List<OptionValue>();
            var strategyDef = section.Children.First(c => c.Name == "strategy");
            ReadVariant(strategyEntry.Value, strategyDef, "sweep.strategy", "'sweep'", strategy, strategyEntry.Key.Span(this));
            var values = new SettingValues(strategy);
            if (values.Raw("sweep.strategy") == "random")
            {
                if (values.Find("sweep.strategy.count") is { } countValue)
                {
                    count = long.Parse(countValue.Value, CultureInfo.InvariantCulture);
                    countSpan = countValue.Span;
                }
                else if (_diagnostics.Count == before)
                {
                    var countDef = strategyDef.Variants.First(v => v.Name == "random").Options.First(o => o.Name == "count");
                    Report(SeqDiagnostics.MissingKey, Span(strategyEntry.Value), countDef.Name, "strategy 'random'", countDef.Description);
                }
                seed = values.Int("sweep.strategy.seed");
            }
        }

        var sweepKeys = new List<SweepKey>();
        if (keys.TryGetValue("values", out var valuesEntry))
        {
            if (valuesEntry.Value is not YamlMappingNode valuesMapping || valuesMapping.Children.Count == 0)
                Report(SeqDiagnostics.WrongType, Span(valuesEntry.Value), "values", "'sweep'", SpecCatalog.SweepSection.Children[0].TypeText,
                    valuesEntry.Value is YamlMappingNode ? "an empty mapping" : Describe(valuesEntry.Value));
            else
            {
                var settings = new SettingValues(experimentValues);
                foreach (var pair in valuesMapping.Children)
                {
                    if (ReadSweepKey(pair.Key, pair.Value, root, layers, settings, hasTask) is { } key)
                        sweepKeys.Add(key);
                }
            }
        }
        return _diagnostics.Count == before && layers is not null ? new SweepDraft(sweepKeys, count, seed, keySpan, countSpan) : null;
    }

    /// <summary>One key of 'sweep.values' and its list of values; null after reporting.</summary>
    private SweepKey? ReadSweepKey(YamlNode keyNode, YamlNode valueNode, YamlMappingNode root, EquatableArray<LayerSpec>? layers, SettingValues settings, bool hasTask)
    {
        string expected = "layers.<layer>.<option> (a layer of this spec by its name), training.<key> or training.optimizer.<option>";
        if (keyNode is not YamlScalarNode { Value: { } path } keyScalar || CoreScalar.Resolve(keyScalar).Kind != ScalarKind.String || !s_sweepKey.IsMatch(path))
        {
            Report(SeqDiagnostics.UnknownKey, Span(keyNode), keyNode is YamlScalarNode s ? s.Value ?? "" : Describe(keyNode), SweepValuesContext, "", expected);
            return null;
        }
        var keySpan = Span(keyNode);
        int before = _diagnostics.Count;
        string[] parts = path.Split('.');
        OptionDef? def;
        string? layerName = null;
        if (parts[0] == "layers")
        {
            // Without the layers (they have errors of their own) a layer key cannot be checked.
            if (layers is null) return null;
            var all = layers.Value.SelectMany(l => l.SelfAndNested()).ToList();
            var layer = all.FirstOrDefault(l => l.Name == parts[1]);
            if (layer is null)
            {
                string? guess = Text.ClosestMatch(parts[1], all.Select(l => l.Name));
                SweepReport(SeqDiagnostics.UnknownKey, keySpan, path, SweepValuesContext, guess is null ? "" : $" Did you mean 'layers.{guess}.{parts[2]}'?",
                    $"layers.<layer>.<option> with a layer of this spec ({string.Join(", ", all.Select(l => l.Name))}), training.<key> or training.optimizer.<option>");
                return null;
            }
            var options = layer.Definition.Options.Where(SpecCatalog.IsSweepable).ToList();
            def = options.FirstOrDefault(o => o.Name == parts[2]);
            if (def is null)
            {
                string? guess = Text.ClosestMatch(parts[2], options.Select(o => o.Name));
                SweepReport(SeqDiagnostics.UnknownKey, keySpan, path, SweepValuesContext, guess is null ? "" : $" Did you mean 'layers.{layer.Name}.{guess}'?",
                    options.Count == 0 ? $"(no option of '{layer.Name}' ({layer.Kind}) takes a list of values)" : string.Join(", ", options.Select(o => $"layers.{layer.Name}.{o.Name}")));
                return null;
            }
            layerName = layer.Name;
        }
        else
        {
            var candidates = SweepableTrainingKeys(settings);
            def = candidates.Contains(path) ? SpecCatalog.FindByPath(path, p => settings.Find(p)?.Value) : null;
            if (def is null)
            {
                string? guess = Text.ClosestMatch(path, candidates);
                SweepReport(SeqDiagnostics.UnknownKey, keySpan, path, SweepValuesContext, guess is null ? "" : $" Did you mean '{guess}'?", string.Join(", ", candidates));
                return null;
            }
            if (!hasTask)
            {
                SweepReport(SeqDiagnostics.ConflictingOptions, keySpan, $"'{path}' in {SweepValuesContext} sets a training value, but the spec has no 'data', 'text' or 'episodes' section to train on");
                return null;
            }
            // A training key that the task does not read (the catalog's conflicts: an episodes task's loss) is refused here as it is in 'training'.
            string? ValueAt(string p) => Lookup(root, p)?.Text;
            if (SpecCatalog.Conflicts.FirstOrDefault(c => c.Path == path && c.When.Holds(ValueAt)) is { } conflict)
            {
                SweepReport(SeqDiagnostics.ConflictingOptions, keySpan, conflict.Message);
                return null;
            }
        }

        if (valueNode is not YamlSequenceNode list || list.Children.Count == 0)
        {
            Report(SeqDiagnostics.WrongType, Span(valueNode), path, SweepValuesContext, "a list of at least one value such as [16, 32]", valueNode is YamlSequenceNode ? "an empty list" : Describe(valueNode));
            return null;
        }
        var values = new List<SweepValue>();
        string context = $"'{path}' of {SweepValuesContext}";
        foreach (var item in list.Children)
        {
            if (item is not YamlScalarNode scalar || IsNull(scalar))
            {
                Report(SeqDiagnostics.WrongType, Span(item), def.Name, context, def.TypeText, Describe(item));
                continue;
            }
            int beforeValue = _diagnostics.Count;
            string? value = ReadValue(def, scalar, context);
            MarkSweepReferences(beforeValue);
            if (value is null) continue;
            if (value == NamedSizes.LabelsWord && _labelCount is null)
                SweepReport(SeqDiagnostics.ConflictingOptions, Span(scalar), $"'{NamedSizes.LabelsWord}' in {context} stands for the label count of an episodes task; this spec has no 'episodes' section, so give a number");
            else if (values.FirstOrDefault(v => v.Value == value) is { } earlier)
                SweepReport(SeqDiagnostics.ConflictingOptions, Span(scalar), $"{context} lists {scalar.Value} twice (line {earlier.Span.DisplayLine}); each value makes its own runs");
            else
                values.Add(new SweepValue(value, scalar.Value ?? "", Span(scalar)));
        }
        return _diagnostics.Count == before ? new SweepKey(path, layerName, values.ToEquatableArray(), keySpan) : null;
    }

    /// <summary>The training keys a sweep may set: the scalar keys of 'training' and the options of the spec's optimizer.</summary>
    private static List<string> SweepableTrainingKeys(SettingValues settings)
    {
        var training = SpecCatalog.TrainingSection;
        var keys = training.Children.Where(SpecCatalog.IsSweepable).Select(o => "training." + o.Name).ToList();
        var optimizer = training.Children.First(o => o.Name == "optimizer");
        string chosen = settings.Raw("training.optimizer") ?? optimizer.Default!;
        var variant = optimizer.Variants.FirstOrDefault(v => v.Name == chosen);
        if (variant is not null)
            keys.AddRange(variant.Options.Where(SpecCatalog.IsSweepable).Select(o => "training.optimizer." + o.Name));
        return keys;
    }

    private void SweepReport(Microsoft.CodeAnalysis.DiagnosticDescriptor descriptor, SourceSpan span, params object[] args)
        => _diagnostics.Add(DiagnosticInfo.Create(descriptor, _path, span, args) with { SweepReference = true });

    /// <summary>A value's diagnostics from the option's own check (type, range, choices) are about the spec's options, which the schema's key pattern cannot see.</summary>
    private void MarkSweepReferences(int from)
    {
        for (int i = from; i < _diagnostics.Count; i++)
            _diagnostics[i] = _diagnostics[i] with { SweepReference = true };
    }

    /// <summary>
    /// The sweep's model variants (the grid over the 'layers.*' keys) and runs (the grid over all keys, or a seeded sample of
    /// it), each run's training bound as if the spec said its values; null after reporting a limit or a value that cannot work.
    /// </summary>
    private SweepSettings? ExpandSweep(SweepDraft draft, string modelName, EquatableArray<LayerSpec> layers, List<OptionValue> experimentValues, bool isText, SourceSpan sectionSpan)
    {
        var keys = draft.Keys;
        var counts = keys.Select(k => k.Values.Count).ToList();
        var layerKeys = Enumerable.Range(0, keys.Count).Where(i => keys[i].Layer is not null).ToList();
        var layerCounts = layerKeys.Select(i => counts[i]).ToList();
        string Product(IEnumerable<int> sizes) => string.Join(" × ", sizes.Select(s => s.ToString(CultureInfo.InvariantCulture)));
        string Received(long? size, string what, IEnumerable<int> sizes) => size is long n ? $"{Text.Format(n)} {what} ({Product(sizes)})" : $"more {what} than a long holds ({Product(sizes)})";

        long? variantCount = SweepExpansion.GridSize(layerCounts, long.MaxValue);
        if (variantCount is null || variantCount > SpecLimits.MaxSweepVariants)
        {
            Report(SeqDiagnostics.TooLarge, draft.Span, "sweep", "the spec", $"{SpecLimits.MaxSweepVariants} model variants, the combinations of the 'layers.*' values",
                Received(variantCount, "model variants", layerCounts));
            return null;
        }
        long? gridSize = SweepExpansion.GridSize(counts, long.MaxValue);
        long runCount = draft.Count is long wanted && gridSize is long grid ? System.Math.Min(wanted, grid) : draft.Count ?? gridSize ?? long.MaxValue;
        if (gridSize is null || runCount > SpecLimits.MaxSweepRuns)
        {
            Report(SeqDiagnostics.TooLarge, draft.Span, "sweep", "the spec", $"{Text.Format(SpecLimits.MaxSweepRuns)} runs",
                draft.Count is long drawn && gridSize is not null ? $"{Text.Format(drawn)} runs ('count' of strategy 'random')" : Received(gridSize, "runs", counts));
            return null;
        }
        if (draft.Count is long sampled && sampled >= gridSize)
            Report(SeqDiagnostics.SweepSampleIsGrid, draft.CountSpan, Text.Format(sampled), Text.Format(gridSize.Value));

        int before = _diagnostics.Count;
        var variants = new List<VariantSpec>();
        for (int k = 0; k < variantCount && layerKeys.Count > 0; k++)
        {
            var digits = SweepExpansion.Digits(k, layerCounts);
            var choices = layerKeys.Select((key, i) => Choice(keys[key], digits[i])).ToEquatableArray();
            string name = modelName + "V" + k.ToString(CultureInfo.InvariantCulture);
            var changes = layerKeys.Select((key, i) => (Key: keys[key], Value: keys[key].Values[digits[i]])).ToList();
            string context = VariantSpec.DiagnosticContext(name, choices);
            var variantLayers = layers.Select(l => Substitute(l, changes, context)).ToEquatableArray();
            variants.Add(new VariantSpec(k, name, choices, variantLayers));
        }

        var points = draft.Count is long count ? SweepExpansion.Sample(gridSize.Value, count, unchecked((ulong)draft.Seed)) : Enumerable.Range(0, (int)gridSize.Value).Select(i => (long)i).ToArray();
        var runs = new List<SweepRunSpec>();
        var runDiagnostics = new List<DiagnosticInfo>();
        foreach (long point in points)
        {
            var digits = SweepExpansion.Digits(point, counts);
            var trainingValues = Enumerable.Range(0, keys.Count).Where(i => keys[i].Layer is null)
                .Select(i => new OptionValue(keys[i].Path, keys[i].Values[digits[i]].Value, keys[i].Values[digits[i]].Span)).ToList();
            var values = experimentValues.Where(v => !trainingValues.Any(t => t.Key == v.Key)).Concat(trainingValues).ToList();
            var found = new List<DiagnosticInfo>();
            var training = ExperimentBinder.BindRunTraining(_path, new SettingValues(values), isText, sectionSpan, found);
            // The same value fails in every run that takes it: report it once.
            foreach (var diagnostic in found.Where(d => !runDiagnostics.Contains(d))) runDiagnostics.Add(diagnostic);
            if (training is null) continue;
            int? variant = layerKeys.Count == 0 ? null : SweepExpansion.Index(layerKeys.Select(i => digits[i]).ToList(), layerCounts);
            runs.Add(new SweepRunSpec(runs.Count, variant, Enumerable.Range(0, keys.Count).Select(i => Choice(keys[i], digits[i])).ToEquatableArray(), training));
        }
        _diagnostics.AddRange(runDiagnostics);
        return _diagnostics.Count == before ? new SweepSettings(keys.ToEquatableArray(), variants.ToEquatableArray(), runs.ToEquatableArray(), draft.Span) : null;
    }

    private static SweepChoice Choice(SweepKey key, int index) => new(key.Path, key.Values[index].Written, key.Values[index].Span);

    /// <summary>
    /// A layer (and the layers nested in it) with a variant's option values in place of the spec's, bound again; options that
    /// conflict in this variant are reported at the sweep value, naming the variant.
    /// </summary>
    private LayerSpec Substitute(LayerSpec layer, IReadOnlyList<(SweepKey Key, SweepValue Value)> changes, string context)
    {
        var paths = layer.Paths.Select(p => new PathSpec(p.Label, p.Layers.Select(l => Substitute(l, changes, context)).ToEquatableArray())).ToEquatableArray();
        var mine = changes.Where(c => c.Key.Layer == layer.Name).ToList();
        if (mine.Count == 0) return layer with { Paths = paths };
        var options = layer.Options.ToList();
        foreach (var (key, value) in mine)
        {
            var option = new OptionValue(key.Option, value.Value, value.Span);
            int at = options.FindIndex(o => o.Key == key.Option);
            if (at >= 0) options[at] = option;
            else options.Add(option);
        }
        var settings = layer.Definition.Bind(new LayerOptionReader(options, layer.Inner, _labelCount));
        var result = layer with { Options = options.ToEquatableArray(), Settings = settings, Paths = paths };
        // At the conflicting option when the variant set it, else at the variant's value on this layer: the spec as written passed.
        if (layer.Definition.Conflict(settings, $"{layer.Kind} layer '{layer.Name}'") is { } conflict)
        {
            var at = mine.FirstOrDefault(c => c.Key.Option == conflict.Key.Name).Value ?? mine[0].Value;
            _diagnostics.Add(DiagnosticInfo.Create(SeqDiagnostics.ConflictingOptions, _path, at.Span, conflict.Message) with { Context = context });
        }
        return result;
    }
}
