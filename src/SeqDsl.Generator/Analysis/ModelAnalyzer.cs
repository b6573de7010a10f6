using System;
using System.Collections.Generic;
using System.Linq;
using SeqDsl.Generator.Diagnostics;
using SeqDsl.Generator.Helpers;
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
            return new SpecResult(parsed.FilePath, fileName, ns, className, parsed.ModelName, parsed.ModelSpan, null, parsed.Diagnostics);

        var diagnostics = new List<DiagnosticInfo>();
        var input = ExperimentAnalyzer.ResolveInput(parsed.FilePath, parsed.Spec, diagnostics);
        ModelPlan? plan = null;
        if (diagnostics.Count == 0 && input is not null)
        {
            plan = UsesNamedSize(parsed.Spec, input) && parsed.Spec.Experiment.Text is null
                ? RejectNamedSize(parsed.FilePath, parsed.Spec, diagnostics)
                : Infer(parsed.FilePath, fileName, ns, className!, parsed.Spec, input, diagnostics);
            if (diagnostics.Count == 0 && plan is not null)
                ExperimentAnalyzer.CheckOutput(parsed.FilePath, plan, diagnostics);
        }
        return new SpecResult(parsed.FilePath, fileName, ns, className, parsed.ModelName, parsed.ModelSpan,
            diagnostics.Count == 0 ? plan : null, diagnostics.ToEquatableArray());
    }

    private static bool UsesNamedSize(ModelSpec spec, InputSpec input)
        => input.Features?.IsSymbolic == true || spec.Layers.Any(l => l.NamesASize || l.Inner?.NamesASize == true);

    private static ModelPlan? RejectNamedSize(string path, ModelSpec spec, List<DiagnosticInfo> diagnostics)
    {
        diagnostics.Add(DiagnosticInfo.Create(SeqDiagnostics.ConflictingOptions, path, spec.ModelSpan,
            "'vocab' stands for the vocabulary size of a text task; this spec has no 'text' section, so give a number"));
        return null;
    }

    private static ModelPlan Infer(string path, string fileName, string ns, string className, ModelSpec spec, InputSpec inputSpec, List<DiagnosticInfo> diagnostics)
    {
        var time = inputSpec.Time is long t ? Dim.Of(t) : Dim.Open;
        var input = inputSpec.IsTokens ? TensorShape.TokenIds(time) : TensorShape.Sequence(time, inputSpec.Features!.Value);

        var plans = new List<LayerPlan>();
        var shape = input;
        LayerSpec? previous = null;
        var total = Count.Zero;
        foreach (var layer in spec.Layers)
        {
            TensorShape? output;
            Count parameters, kerasParameters;
            string? tooLarge = null;
            try
            {
                output = InferLayer(path, layer, shape, previous, diagnostics, out parameters, out kerasParameters);
            }
            catch (OverflowException)
            {
                output = null;
                parameters = kerasParameters = Count.Zero;
                tooLarge = "its parameter count";
            }
            long largestAxis = output?.Dims.Max(d => d.LargestTerm) ?? 0;
            if (largestAxis > Parsing.SpecLimits.MaxInteger)
                tooLarge = $"its output {output} has an axis of {Text.Format(largestAxis)}";
            else if (output is not null && total.WouldOverflowWith(parameters))
                tooLarge = "the model's parameter count up to this layer";
            if (tooLarge is not null)
            {
                string maximum = tooLarge.StartsWith("its output", StringComparison.Ordinal)
                    ? $"{Text.Format(Parsing.SpecLimits.MaxInteger)} per axis"
                    : $"{Text.Format(long.MaxValue)} parameters";
                diagnostics.Add(DiagnosticInfo.Create(SeqDiagnostics.SizeTooLarge, path, layer.Span, layer.Name, layer.Kind, tooLarge, maximum));
                break;
            }
            if (output is null) break; // later layers would only repeat the same problem
            total += parameters;
            plans.Add(new LayerPlan(layer, GeneratedNames.FieldName(layer.Name), GeneratedNames.PropertyName(layer.Name), shape, output, parameters, kerasParameters));
            shape = output;
            previous = layer;
        }
        return new ModelPlan(fileName, ns, className, spec, inputSpec, input, plans.ToEquatableArray());
    }

    /// <summary>Shape and parameter arithmetic is checked: sizes that do not fit a long throw OverflowException, which the caller reports.</summary>
    private static TensorShape? InferLayer(string path, LayerSpec layer, TensorShape input, LayerSpec? previous, List<DiagnosticInfo> diagnostics, out Count parameters, out Count kerasParameters)
    {
        parameters = Count.Zero;
        kerasParameters = Count.Zero;

        void Report(Microsoft.CodeAnalysis.DiagnosticDescriptor descriptor, params object[] args)
            => diagnostics.Add(DiagnosticInfo.Create(descriptor, path, layer.Span, args));

        if (input.Tokens && layer.Kind != "embedding")
        {
            Report(SeqDiagnostics.TokenInput, layer.Name, layer.Kind, $"receives int64 token ids {input}; put an embedding layer first, or set 'dtype: float32' under 'input'");
            return null;
        }

        bool NeedsTime()
        {
            if (input.HasTime) return true;
            string hint = previous is not null && previous.Definition.IsRecurrent
                ? $" Set 'return_sequences: true' on '{previous.Name}' to keep the time axis."
                : previous is not null && (previous.Kind == "bidirectional")
                    ? $" Set 'return_sequences: true' in the layer wrapped by '{previous.Name}' to keep the time axis."
                    : previous is not null ? $" '{previous.Name}' ({previous.Kind}) removed the time axis." : "";
            Report(SeqDiagnostics.NeedsTimeAxis, layer.Name, layer.Kind, input.ToString(), hint);
            return false;
        }

        // The time length after a window slides over it (conv1d, pooling; Keras's rule); open stays open; null after reporting.
        Dim? SlidTime(long window, long strides, string what, string remedy)
        {
            if (input.Time.IsOpen) return Dim.Open;
            long time = input.Time.Value;
            long outTime = layer.Text("padding") == "valid" ? checked(FloorDiv(time - window, strides) + 1) : CeilDiv(time, strides);
            if (outTime >= 1) return Dim.Of(outTime);
            Report(SeqDiagnostics.TimeTooShort, layer.Name, layer.Kind, time, outTime, $"{what} does not fit in {time}; {remedy}");
            return null;
        }

        checked
        {
            switch (layer.Kind)
            {
                case "dense":
                {
                    var units = layer.Size("units");
                    parameters = kerasParameters = input.Features * units + (layer.Bool("use_bias") ? Count.Of(units) : Count.Zero);
                    return input.HasTime ? TensorShape.Sequence(input.Time, units) : TensorShape.Vector(units);
                }
                case "flatten":
                {
                    if (!input.HasTime) return input;
                    if (input.Time.IsOpen)
                    {
                        diagnostics.Add(DiagnosticInfo.Create(SeqDiagnostics.FlattenOpenTime, path, layer.Span, layer.Name, input.ToString()));
                        return null;
                    }
                    return TensorShape.Vector(input.Features * input.Time.Value);
                }
                case "dropout":
                    return input;
                case "gru":
                case "lstm":
                case "simple_rnn":
                {
                    if (!NeedsTime()) return null;
                    return Recurrent(layer, input, out parameters, out kerasParameters);
                }
                case "bidirectional":
                {
                    if (!NeedsTime()) return null;
                    var inner = layer.Inner!;
                    var one = Recurrent(inner, input, out var p, out var kp);
                    parameters = p * 2;
                    kerasParameters = kp * 2;
                    var features = Dim.Of(layer.Text("merge_mode") == "concat" ? 2 * inner.Int("units") : inner.Int("units"));
                    return one.HasTime ? TensorShape.Sequence(one.Time, features) : TensorShape.Vector(features);
                }
                case "conv1d":
                {
                    if (!NeedsTime()) return null;
                    long filters = layer.Int("filters"), kernel = layer.Int("kernel_size"), strides = layer.Int("strides"), dilation = layer.Int("dilation_rate");
                    parameters = kerasParameters = Count.Of(input.Features * (kernel * filters)) + Count.Of(layer.Bool("use_bias") ? filters : 0);
                    long span = dilation * (kernel - 1) + 1;
                    return SlidTime(span, strides, $"A kernel spanning {span} steps", "use a smaller kernel_size or dilation_rate, 'padding: same', or a longer input.") is Dim time
                        ? TensorShape.Sequence(time, Dim.Of(filters))
                        : null;
                }
                case "max_pooling1d":
                case "average_pooling1d":
                {
                    if (!NeedsTime()) return null;
                    long pool = layer.Int("pool_size");
                    long strides = layer.NullableInt("strides") ?? pool;
                    return SlidTime(pool, strides, $"A pool of {pool} steps", "use a smaller pool_size, 'padding: same', or fewer pooling layers.") is Dim time
                        ? TensorShape.Sequence(time, input.Features)
                        : null;
                }
                case "global_max_pooling1d":
                case "global_average_pooling1d":
                {
                    if (!NeedsTime()) return null;
                    return TensorShape.Vector(input.Features);
                }
                case "embedding":
                {
                    if (!input.Tokens)
                    {
                        Report(SeqDiagnostics.TokenInput, layer.Name, layer.Kind, $"needs int64 token ids (batch, time) but receives {input}; make it the first layer and set 'dtype: int64' under 'input'");
                        return null;
                    }
                    long outputDim = layer.Int("output_dim");
                    parameters = kerasParameters = Count.Of(layer.Size("input_dim") * outputDim);
                    return TensorShape.Sequence(input.Time, Dim.Of(outputDim));
                }
                default:
                    throw new InvalidOperationException("layer kind without shape rule: " + layer.Kind);
            }
        }
    }

    /// <summary>
    /// Recurrent layers keep PyTorch's parameter layout (two bias vectors per gate). Keras GRU with
    /// reset_after=True has the same count; Keras LSTM and SimpleRNN have one bias vector, so fewer.
    /// </summary>
    private static TensorShape Recurrent(LayerSpec layer, TensorShape input, out Count parameters, out Count kerasParameters)
    {
        long units = layer.Int("units");
        long gates = layer.Kind switch { "gru" => 3, "lstm" => 4, _ => 1 };
        bool bias = layer.Bool("use_bias");
        var weights = (Count.Of(input.Features * units) + Count.Of(checked(units * units))) * gates;
        parameters = weights + Count.Of(bias ? checked(2 * gates * units) : 0);
        kerasParameters = weights + Count.Of(bias ? checked((layer.Kind == "gru" ? 2 : 1) * gates * units) : 0);
        return layer.Bool("return_sequences") ? TensorShape.Sequence(input.Time, Dim.Of(units)) : TensorShape.Vector(Dim.Of(units));
    }

    /// <summary>Exact floor division for b &gt; 0 (a double loses precision above 2^53).</summary>
    private static long FloorDiv(long a, long b) => checked(a >= 0 ? a / b : -((-a + b - 1) / b));
    private static long CeilDiv(long a, long b) => checked((a + b - 1) / b);
}
