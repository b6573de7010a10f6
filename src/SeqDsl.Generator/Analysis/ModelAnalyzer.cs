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

        if (parsed.Spec is null || parsed.Diagnostics.Count > 0)
            return new SpecResult(parsed.FilePath, fileName, ns, className, parsed.ModelName, parsed.ModelSpan, null, parsed.Diagnostics) { ReadableLayers = parsed.ReadableLayers };

        var diagnostics = new List<DiagnosticInfo>();
        var input = ExperimentAnalyzer.ResolveInput(parsed.FilePath, parsed.Spec, diagnostics);
        ModelPlan? plan = null;
        if (diagnostics.Count == 0 && input is not null)
            ExperimentAnalyzer.CheckPaddedLayers(parsed.FilePath, parsed.Spec, diagnostics);
        if (diagnostics.Count == 0 && input is not null && parsed.Spec.ChannelsIndependent && (input.IsTokens || !input.HasTime))
            diagnostics.Add(DiagnosticInfo.Create(SeqDiagnostics.ConflictingOptions, parsed.FilePath, parsed.Spec.ModelSpan,
                "'channels: independent' reads each column of (batch, time, columns) float32 series as a series of its own; this model's input is " + (input.IsTokens ? "int64 token ids" : "one vector per sample")));
        if (diagnostics.Count == 0 && input is not null)
        {
            plan = UsesNamedSize(parsed.Spec, input) && parsed.Spec.Experiment.Text is null
                ? RejectNamedSize(parsed.FilePath, parsed.Spec, diagnostics)
                : Infer(parsed.FilePath, fileName, ns, className!, parsed.Spec, input, diagnostics);
            if (diagnostics.Count == 0 && plan is not null)
                ExperimentAnalyzer.CheckOutput(parsed.FilePath, plan, diagnostics);
        }
        return new SpecResult(parsed.FilePath, fileName, ns, className, parsed.ModelName, parsed.ModelSpan,
            diagnostics.Count == 0 ? plan : null, diagnostics.ToEquatableArray()) { ReadableLayers = parsed.ReadableLayers };
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
        var (plans, output) = InferSequence(path, spec.Layers, layersInput, null, diagnostics);
        var plan = new ModelPlan(fileName, ns, className, spec, inputSpec, input, plans) { IndependentChannels = independent };
        if (output is not null && spec.Normalization is { } normalization)
            plan = plan with { Normalization = InstanceNormalization.Plan(path, plan, normalization, diagnostics) };
        return plan;
    }

    /// <summary>
    /// Infers a list of layers run in order from <paramref name="input"/> (the model's layers, or a block's path): their plans
    /// and the last output (the input for an empty list), or a null output after a layer reported a diagnostic (later layers
    /// would only repeat the same problem).
    /// </summary>
    internal static (EquatableArray<LayerPlan> Plans, TensorShape? Output) InferSequence(string path, IReadOnlyList<LayerSpec> layers, TensorShape input, LayerSpec? previous, List<DiagnosticInfo> diagnostics)
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
                inferred = InferLayer(path, layer, shape, previous, diagnostics);
                if (inferred is not null)
                {
                    plan = new LayerPlan(layer, GeneratedNames.FieldName(layer.Name), GeneratedNames.PropertyName(layer.Name), shape, inferred.Output, inferred.Parameters, inferred.KerasParameters) { Paths = inferred.Paths };
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
    private static LayerShape? InferLayer(string path, LayerSpec layer, TensorShape input, LayerSpec? previous, List<DiagnosticInfo> diagnostics)
    {
        var inference = new LayerInference(path, layer, input, previous, diagnostics);
        if (input.Tokens && !layer.Definition.TakesTokens)
        {
            inference.Report(SeqDiagnostics.TokenInput, layer.Name, layer.Kind, $"receives int64 token ids {input}; put an embedding layer first, or set 'dtype: float32' under 'input'");
            return null;
        }
        return layer.Definition.Infer(inference);
    }
}
