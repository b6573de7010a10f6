using System;
using System.Collections.Generic;
using System.Linq;
using SeqDsl.Generator.Diagnostics;
using SeqDsl.Generator.Helpers;
using SeqDsl.Generator.Layers;
using SeqDsl.Generator.Model;

namespace SeqDsl.Generator.Analysis;

/// <summary>
/// Parsed spec → <see cref="ModelPlan"/>: infers every layer's output shape and parameter count and
/// rejects stacks that would fail at run time (where a native shape mismatch can abort the process).
/// </summary>
internal static class ModelAnalyzer
{
    public static SpecResult Analyze(ParsedSpec parsed)
    {
        string fileName = System.IO.Path.GetFileName(parsed.FilePath);
        string? className = parsed.ModelName is null ? null : GeneratedNames.ClassName(parsed.ModelName);
        string ns = parsed.Namespace ?? (string.IsNullOrWhiteSpace(parsed.RootNamespace) ? "SeqDsl.Models" : parsed.RootNamespace!);
        if (!GeneratedNames.IsNamespace(ns)) ns = "SeqDsl.Models";

        if (parsed.Spec is null || parsed.Diagnostics.Any(d => d.IsError))
            return new SpecResult(parsed.FilePath, fileName, ns, className, parsed.ModelName, parsed.ModelSpan, null, parsed.Diagnostics) { ReadableLayers = parsed.ReadableLayers };

        // The parser's warnings stay with the result.
        var diagnostics = new List<DiagnosticInfo>(parsed.Diagnostics);
        int before = diagnostics.Count;
        var plan = Plan(parsed.FilePath, fileName, ns, className!, parsed.Spec, diagnostics);
        if (plan is not null && diagnostics.Count == before && parsed.Spec.Sweep is { } sweep)
            plan = plan with { Variants = sweep.Variants.Select(v => PlanVariant(parsed.FilePath, fileName, ns, parsed.Spec, v, diagnostics)).OfType<ModelPlan>().ToEquatableArray() };
        return new SpecResult(parsed.FilePath, fileName, ns, className, parsed.ModelName, parsed.ModelSpan,
            diagnostics.Count == before ? plan : null, diagnostics.ToEquatableArray()) { ReadableLayers = parsed.ReadableLayers };
    }

    /// <summary>One model class of the spec (or of a sweep variant): input, shapes and output checked; null after reporting.</summary>
    private static ModelPlan? Plan(string path, string fileName, string ns, string className, ModelSpec spec, List<DiagnosticInfo> diagnostics)
    {
        int before = diagnostics.Count;
        var input = ExperimentAnalyzer.ResolveInput(path, spec, diagnostics);
        ModelPlan? plan = null;
        if (diagnostics.Count == before && input is not null)
            ExperimentAnalyzer.CheckPaddedLayers(path, spec, diagnostics);
        if (diagnostics.Count == before && input is not null && spec.ChannelsIndependent && (input.IsTokens || !input.HasTime))
            diagnostics.Add(DiagnosticInfo.Create(SeqDiagnostics.ConflictingOptions, path, spec.ModelSpan,
                "'channels: independent' reads each column of (batch, time, columns) float32 series as a series of its own; this model's input is " + (input.IsTokens ? "int64 token ids" : "one vector per sample")));
        if (diagnostics.Count == before && input is not null)
        {
            plan = UsesNamedSize(spec, input) && spec.Experiment.Text is null
                ? RejectNamedSize(path, spec, diagnostics)
                : Infer(path, fileName, ns, className, spec, input, diagnostics);
            if (diagnostics.Count == before && plan is not null)
                ExperimentAnalyzer.CheckOutput(path, plan, diagnostics);
        }
        return diagnostics.Count == before ? plan : null;
    }

    /// <summary>
    /// A sweep variant's class: the spec with the variant's layer options, checked in full. What fails is reported at the
    /// sweep value that breaks it (see <see cref="Culprit"/>), naming the variant and its values; null after reporting.
    /// </summary>
    private static ModelPlan? PlanVariant(string path, string fileName, string ns, ModelSpec spec, VariantSpec variant, List<DiagnosticInfo> diagnostics)
    {
        var variantSpec = spec with { ModelName = variant.ModelName, Layers = variant.Layers, Sweep = null };
        var found = new List<DiagnosticInfo>();
        var plan = Plan(path, fileName, ns, GeneratedNames.ClassName(variant.ModelName), variantSpec, found);
        string context = VariantSpec.DiagnosticContext(variant.ModelName, variant.Settings);
        foreach (var diagnostic in found)
            diagnostics.Add(diagnostic with { Span = Culprit(spec, variant, diagnostic.Span).Span, Context = context });
        return plan is null ? null : plan with { Variant = variant };
    }

    /// <summary>
    /// The sweep value that breaks a variant, for a diagnostic at <paramref name="span"/>: the value set on the layer the
    /// diagnostic is at, else the first value that differs from the spec's own (the spec as written passed every check),
    /// else the variant's first value.
    /// </summary>
    private static SweepChoice Culprit(ModelSpec spec, VariantSpec variant, SourceSpan span)
    {
        static string LayerOf(SweepChoice choice) => choice.Key.Split('.')[1];
        var layers = spec.AllLayers.ToList();
        var atLayer = layers.FirstOrDefault(l => l.Span == span);
        if (atLayer is not null && variant.Settings.FirstOrDefault(c => LayerOf(c) == atLayer.Name) is { } onLayer) return onLayer;
        foreach (var choice in variant.Settings)
        {
            var layer = layers.First(l => l.Name == LayerOf(choice));
            string option = choice.Key.Substring(choice.Key.LastIndexOf('.') + 1);
            string? own = layer.Find(option)?.Value ?? layer.Definition.Find(option)?.Default;
            var changed = variant.Layers.SelectMany(l => l.SelfAndNested()).First(l => l.Name == layer.Name).Find(option)?.Value;
            if (own != changed) return choice;
        }
        return variant.Settings[0];
    }

    private static bool UsesNamedSize(ModelSpec spec, InputSpec input)
        => input.Features?.IsSymbolic == true || spec.AllLayers.Any(l => l.NamesASize || l.Inner?.NamesASize == true);

    private static ModelPlan? RejectNamedSize(string path, ModelSpec spec, List<DiagnosticInfo> diagnostics)
    {
        diagnostics.Add(DiagnosticInfo.Create(SeqDiagnostics.ConflictingOptions, path, spec.ModelSpan,
            "'vocab' stands for the vocabulary size of a text task; this spec has no 'text' section, so give a number"));
        return null;
    }

    private static ModelPlan Infer(string path, string fileName, string ns, string className, ModelSpec spec, InputSpec inputSpec, List<DiagnosticInfo> diagnostics)
    {
        var time = inputSpec.Time is long t ? Dim.Of(t) : Dim.Open;
        var input = inputSpec.IsTokens ? TensorShape.TokenIds(time)
            : inputSpec.HasTime ? TensorShape.Sequence(time, inputSpec.Features!.Value)
            : TensorShape.Vector(inputSpec.Features!.Value);

        // Channel independence: the layers read one column at a time, (None, time, 1).
        Dim? independent = spec.ChannelsIndependent ? input.Features : null;
        var layersInput = independent is null ? input : TensorShape.Sequence(time, Dim.Of(1));
        // The first layer reads the episodes task's channels as they come, unless channel independence splits them.
        var channels = independent is null ? spec.Experiment.Episodes?.SequenceChannels : null;
        // A static branch takes the statics (the last channels of each step) off the input: the layers read the rest.
        var statics = StaticBranchLayer.Available(spec);
        long? split = statics.Problem is null && independent is null && spec.Layers.Any(l => l.Definition.ReadsStatics) ? statics.Count : null;
        if (split is long count)
            layersInput = TensorShape.Sequence(time, Dim.Of(layersInput.Features.Value - count));
        var (plans, output) = InferSequence(path, spec.Layers, layersInput, null, diagnostics, channels, statics);
        var plan = new ModelPlan(fileName, ns, className, spec, inputSpec, input, plans) { IndependentChannels = independent, StaticFeatures = split };
        if (output is not null && spec.Normalization is { } normalization)
            plan = plan with { Normalization = InstanceNormalization.Plan(path, plan, normalization, diagnostics) };
        return plan;
    }

    /// <summary>
    /// Infers a list of layers run in order from <paramref name="input"/> (the model's layers, or a block's path): their plans
    /// and the last output (the input for an empty list), or a null output after a layer reported a diagnostic (later layers
    /// would only repeat the same problem).
    /// </summary>
    internal static (EquatableArray<LayerPlan> Plans, TensorShape? Output) InferSequence(string path, IReadOnlyList<LayerSpec> layers, TensorShape input, LayerSpec? previous, List<DiagnosticInfo> diagnostics,
        EpisodeChannels? firstLayerChannels = null, StaticChannels? statics = null)
    {
        var plans = new List<LayerPlan>();
        var shape = input;
        var total = Count.Zero;
        foreach (var layer in layers)
        {
            LayerShape? inferred;
            LayerPlan? plan = null;
            var layerTotal = Count.Zero;
            string? tooLarge = null;
            try
            {
                var channels = plans.Count == 0 ? firstLayerChannels : null;
                inferred = InferLayer(path, layer, shape, previous, diagnostics, channels, statics);
                if (inferred is not null)
                {
                    plan = new LayerPlan(layer, GeneratedNames.FieldName(layer.Name), GeneratedNames.PropertyName(layer.Name), shape, inferred.Output, inferred.Parameters, inferred.KerasParameters)
                    {
                        Paths = inferred.Paths,
                        Channels = inferred.ReadsChannels ? channels : null,
                    };
                    layerTotal = plan.TotalParameters;
                    _ = plan.TotalKerasParameters;
                }
            }
            catch (OverflowException)
            {
                inferred = null;
                tooLarge = "its parameter count";
            }
            var output = inferred?.Output;
            long largestAxis = output?.Dims.Max(d => d.LargestTerm) ?? 0;
            if (largestAxis > Parsing.SpecLimits.MaxInteger)
                tooLarge = $"its output {output} has an axis of {Text.Format(largestAxis)}";
            else if (output is not null && total.WouldOverflowWith(layerTotal))
                tooLarge = "the model's parameter count up to this layer";
            if (tooLarge is not null)
            {
                string maximum = tooLarge.StartsWith("its output", StringComparison.Ordinal)
                    ? $"{Text.Format(Parsing.SpecLimits.MaxInteger)} per axis"
                    : $"{Text.Format(long.MaxValue)} parameters";
                diagnostics.Add(DiagnosticInfo.Create(SeqDiagnostics.SizeTooLarge, path, layer.Span, layer.Name, layer.Kind, tooLarge, maximum));
                return (plans.ToEquatableArray(), null);
            }
            if (output is null || plan is null) return (plans.ToEquatableArray(), null);
            total += layerTotal;
            plans.Add(plan);
            shape = output;
            previous = layer;
        }
        return (plans.ToEquatableArray(), shape);
    }

    /// <summary>Shape and parameter arithmetic is checked: sizes that do not fit a long throw OverflowException, which the caller reports.</summary>
    private static LayerShape? InferLayer(string path, LayerSpec layer, TensorShape input, LayerSpec? previous, List<DiagnosticInfo> diagnostics, EpisodeChannels? channels, StaticChannels? statics)
    {
        var inference = new LayerInference(path, layer, input, previous, diagnostics) { Channels = channels, Statics = statics };
        if (input.Tokens && !layer.Definition.TakesTokens)
        {
            inference.Report(SeqDiagnostics.TokenInput, layer.Name, layer.Kind, $"receives int64 token ids {input}; put an embedding layer first, or set 'dtype: float32' under 'input'");
            return null;
        }
        return layer.Definition.Infer(inference);
    }
}
