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
            plan = UsesVocab(parsed.Spec, input)
                ? InferWithVocabulary(parsed.FilePath, fileName, ns, className!, parsed.Spec, input, diagnostics)
                : Infer(parsed.FilePath, fileName, ns, className!, parsed.Spec, input, diagnostics);
            if (diagnostics.Count == 0 && plan is not null)
                ExperimentAnalyzer.CheckOutput(parsed.FilePath, plan, diagnostics);
        }
        return new SpecResult(parsed.FilePath, fileName, ns, className, parsed.ModelName, parsed.ModelSpan,
            diagnostics.Count == 0 ? plan : null, diagnostics.ToEquatableArray());
    }

    // Stand-ins for the vocabulary size: three runs of the shape rules give every count as a polynomial in V
    // (at most quadratic: a one-hot input into a dense layer of vocab units is V·V).
    private static readonly long[] s_vocabProbes = { 100_003, 200_003, 300_007 };

    private static bool UsesVocab(ModelSpec spec, InputSpec input)
        => input.Features == Parsing.SpecParser.VocabPlaceholder || spec.Layers.Any(l => l.Options.Any(o => o.Value == "vocab") || l.Inner?.Options.Any(o => o.Value == "vocab") == true);

    private static ModelPlan? InferWithVocabulary(string path, string fileName, string ns, string className, ModelSpec spec, InputSpec input, List<DiagnosticInfo> diagnostics)
    {
        if (!spec.Experiment.HasText)
        {
            diagnostics.Add(DiagnosticInfo.Create(SeqDiagnostics.ConflictingOptions, path, spec.ModelSpan,
                "'vocab' stands for the vocabulary size of a text task; this spec has no 'text' section, so give a number"));
            return null;
        }
        var plans = new List<ModelPlan>();
        foreach (long v in s_vocabProbes)
        {
            var probe = new List<DiagnosticInfo>();
            var substituted = spec with { Layers = spec.Layers.Select(l => Substitute(l, v)).ToEquatableArray() };
            var plan = Infer(path, fileName, ns, className, substituted, input with { Features = input.Features == Parsing.SpecParser.VocabPlaceholder ? v : input.Features }, probe);
            if (probe.Count > 0)
            {
                string shown = v.ToString(System.Globalization.CultureInfo.InvariantCulture);
                diagnostics.AddRange(probe.Select(d => d with { Arguments = d.Arguments.Select(a => a.Replace(shown, "vocab")).ToEquatableArray() }));
                return null;
            }
            plans.Add(plan);
        }

        var layers = new List<LayerPlan>();
        for (int i = 0; i < plans[0].Layers.Count; i++)
        {
            var first = plans[0].Layers[i];
            var (a, b, c) = Polynomial(plans.Select(p => p.Layers[i].Parameters).ToArray());
            var (ka, kb, kc) = Polynomial(plans.Select(p => p.Layers[i].KerasParameters).ToArray());
            layers.Add(new LayerPlan(spec.Layers[i], first.FieldName, first.PropertyName, Symbolic(first.InputShape), Symbolic(first.OutputShape), c, kc)
            {
                VocabLinear = b,
                VocabSquared = a,
                KerasVocabLinear = kb,
                KerasVocabSquared = ka,
            });
        }
        return plans[0] with { Spec = spec, Input = input, InputShape = Symbolic(plans[0].InputShape), Layers = layers.ToEquatableArray() };
    }

    private static LayerSpec Substitute(LayerSpec layer, long v)
        => layer with
        {
            Options = layer.Options.Select(o => o.Value == "vocab" ? o with { Value = v.ToString(System.Globalization.CultureInfo.InvariantCulture) } : o).ToEquatableArray(),
            Inner = layer.Inner is null ? null : Substitute(layer.Inner, v),
        };

    private static TensorShape Symbolic(TensorShape shape)
        => shape with { Dims = shape.Dims.Select(d => d == s_vocabProbes[0] ? TensorShape.Vocab : d).ToEquatableArray() };

    /// <summary>The a, b, c of a·V² + b·V + c through the three probes.</summary>
    private static (long A, long B, long C) Polynomial(long[] counts)
    {
        long v1 = s_vocabProbes[0], v2 = s_vocabProbes[1], v3 = s_vocabProbes[2];
        decimal d1 = (decimal)(counts[1] - counts[0]) / (v2 - v1), d2 = (decimal)(counts[2] - counts[1]) / (v3 - v2);
        decimal a = (d2 - d1) / (v3 - v1);
        decimal b = d1 - a * (v1 + v2);
        decimal c = counts[0] - a * v1 * v1 - b * v1;
        return ((long)Math.Round(a), (long)Math.Round(b), (long)Math.Round(c));
    }

    private static ModelPlan Infer(string path, string fileName, string ns, string className, ModelSpec spec, InputSpec inputSpec, List<DiagnosticInfo> diagnostics)
    {
        var input = inputSpec.IsTokens
            ? TensorShape.TokenIds(inputSpec.Time ?? TensorShape.Open)
            : TensorShape.Sequence(inputSpec.Time ?? TensorShape.Open, inputSpec.Features!.Value);

        var plans = new List<LayerPlan>();
        var shape = input;
        LayerSpec? previous = null;
        long total = 0;
        foreach (var layer in spec.Layers)
        {
            TensorShape? output;
            long parameters, kerasParameters;
            string? tooLarge = null;
            try
            {
                output = InferLayer(path, layer, shape, previous, diagnostics, out parameters, out kerasParameters);
            }
            catch (OverflowException)
            {
                output = null;
                parameters = kerasParameters = 0;
                tooLarge = "its parameter count";
            }
            long largestAxis = output?.Dims.Max() ?? 0;
            if (largestAxis > Parsing.SpecLimits.MaxInteger)
                tooLarge = $"its output {output} has an axis of {Text.Format(largestAxis)}";
            else if (output is not null && parameters > long.MaxValue - total)
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
    private static TensorShape? InferLayer(string path, LayerSpec layer, TensorShape input, LayerSpec? previous, List<DiagnosticInfo> diagnostics, out long parameters, out long kerasParameters)
    {
        parameters = 0;
        kerasParameters = 0;

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
        long? SlidTime(long window, long strides, string what, string remedy)
        {
            long time = input.Time;
            if (time == TensorShape.Open) return TensorShape.Open;
            long outTime = layer.Text("padding") == "valid" ? checked(FloorDiv(time - window, strides) + 1) : CeilDiv(time, strides);
            if (outTime >= 1) return outTime;
            Report(SeqDiagnostics.TimeTooShort, layer.Name, layer.Kind, time, outTime, $"{what} does not fit in {time}; {remedy}");
            return null;
        }

        checked
        {
            switch (layer.Kind)
            {
                case "dense":
                {
                    long units = layer.Int("units");
                    long inFeatures = input.Features;
                    parameters = kerasParameters = inFeatures * units + (layer.Bool("use_bias") ? units : 0);
                    return input.HasTime ? TensorShape.Sequence(input.Time, units) : TensorShape.Vector(units);
                }
                case "flatten":
                {
                    if (!input.HasTime) return input;
                    if (input.Time == TensorShape.Open)
                    {
                        diagnostics.Add(DiagnosticInfo.Create(SeqDiagnostics.FlattenOpenTime, path, layer.Span, layer.Name, input.ToString()));
                        return null;
                    }
                    return TensorShape.Vector(input.Time * input.Features);
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
                    var one = Recurrent(inner, input, out long p, out long kp);
                    parameters = 2 * p;
                    kerasParameters = 2 * kp;
                    long features = layer.Text("merge_mode") == "concat" ? 2 * inner.Int("units") : inner.Int("units");
                    return one.HasTime ? TensorShape.Sequence(one.Time, features) : TensorShape.Vector(features);
                }
                case "conv1d":
                {
                    if (!NeedsTime()) return null;
                    long filters = layer.Int("filters"), kernel = layer.Int("kernel_size"), strides = layer.Int("strides"), dilation = layer.Int("dilation_rate");
                    parameters = kerasParameters = kernel * input.Features * filters + (layer.Bool("use_bias") ? filters : 0);
                    long span = dilation * (kernel - 1) + 1;
                    return SlidTime(span, strides, $"A kernel spanning {span} steps", "use a smaller kernel_size or dilation_rate, 'padding: same', or a longer input.") is long time
                        ? TensorShape.Sequence(time, filters)
                        : null;
                }
                case "max_pooling1d":
                case "average_pooling1d":
                {
                    if (!NeedsTime()) return null;
                    long pool = layer.Int("pool_size");
                    long strides = layer.NullableInt("strides") ?? pool;
                    return SlidTime(pool, strides, $"A pool of {pool} steps", "use a smaller pool_size, 'padding: same', or fewer pooling layers.") is long time
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
                    parameters = kerasParameters = layer.Int("input_dim") * outputDim;
                    return TensorShape.Sequence(input.Time, outputDim);
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
    private static TensorShape Recurrent(LayerSpec layer, TensorShape input, out long parameters, out long kerasParameters)
    {
        long units = layer.Int("units");
        long gates = layer.Kind switch { "gru" => 3, "lstm" => 4, _ => 1 };
        bool bias = layer.Bool("use_bias");
        long weights = checked(gates * (units * input.Features + units * units));
        parameters = checked(weights + (bias ? 2 * gates * units : 0));
        kerasParameters = checked(weights + (bias ? (layer.Kind == "gru" ? 2 : 1) * gates * units : 0));
        return layer.Bool("return_sequences") ? TensorShape.Sequence(input.Time, units) : TensorShape.Vector(units);
    }

    /// <summary>Exact floor division for b &gt; 0 (a double loses precision above 2^53).</summary>
    private static long FloorDiv(long a, long b) => checked(a >= 0 ? a / b : -((-a + b - 1) / b));
    private static long CeilDiv(long a, long b) => checked((a + b - 1) / b);
}
