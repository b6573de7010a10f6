using System.Collections.Generic;
using System.Linq;
using SeqDsl.Generator.Diagnostics;
using SeqDsl.Generator.Layers;
using SeqDsl.Generator.Helpers;
using SeqDsl.Generator.Model;
using SeqDsl.Generator.Parsing;

namespace SeqDsl.Generator.Analysis;

/// <summary>
/// Checks the model against its experiment: the model's time length follows from the window, its features
/// from the source's columns, and its output must match the targets. (The settings were checked against
/// each other when <see cref="ExperimentBinder"/> bound them.)
/// </summary>
internal static class ExperimentAnalyzer
{
    /// <summary>A text task's characters: one-hot input has this many features, and the model as many outputs.</summary>
    private static readonly Dim s_vocab = Dim.Named(SizeName.Vocab);

    /// <summary>The model input, with time and features derived from the data where the spec has a data section.</summary>
    public static InputSpec? ResolveInput(string path, ModelSpec spec, List<DiagnosticInfo> diagnostics)
    {
        var experiment = spec.Experiment;
        var input = spec.Input;
        int before = diagnostics.Count;
        void Report(Microsoft.CodeAnalysis.DiagnosticDescriptor descriptor, SourceSpan span, params object[] args)
            => diagnostics.Add(DiagnosticInfo.Create(descriptor, path, span, args));

        if (experiment.Text is { } text)
            return ResolveTextInput(input, text, Report);
        if (experiment.Episodes is { } episodes)
            return ResolveEpisodesInput(input, episodes, experiment.Span, Report);

        if (experiment.Data is not { } data)
        {
            // 'features' of float32 input without a task section is a catalog requirement, checked by the parser.
            return diagnostics.Count == before ? input : null;
        }

        if (input.IsTokens)
        {
            Report(SeqDiagnostics.InputMismatch, input.Span, "dtype", "int64", "float32 series", "token ids need a text source, not a numeric series");
            return null;
        }
        var window = data.Window;
        long time = window.TimeSteps;
        if (input.Time is long declared && declared != time)
            Report(SeqDiagnostics.InputMismatch, input.Span, "time", declared, time, $"lookback {window.Lookback} / step {window.Step}");
        Dim? features = ExperimentBinder.KnownColumns(data) is { } columns ? Dim.Of(columns.Count) : null;
        if (input.Features is Dim declaredFeatures && features is Dim known && declaredFeatures != known)
            Report(SeqDiagnostics.InputMismatch, input.Span, "features", declaredFeatures, known, $"{known} columns of {data.SourceName}");
        // A csv source without 'columns' needs 'features' under 'input': a catalog requirement, checked by the parser.
        features ??= input.Features ?? throw new System.InvalidOperationException("a csv source without columns or input features reached analysis");
        return diagnostics.Count == before ? new InputSpec(features, time, "float32", input.Span) : null;
    }

    /// <summary>A text task feeds windows of maxlen characters, one-hot (batch, maxlen, vocab) or as ids (batch, maxlen).</summary>
    private static InputSpec? ResolveTextInput(InputSpec input, TextSettings text, System.Action<Microsoft.CodeAnalysis.DiagnosticDescriptor, SourceSpan, object[]> report)
    {
        bool ids = text.Encoding == TextEncoding.Indices;
        bool problem = false;
        if (input.Time is long time && time != text.MaxLen)
        {
            report(SeqDiagnostics.InputMismatch, input.Span, new object[] { "time", time, text.MaxLen, "'maxlen' under 'text'" });
            problem = true;
        }
        if (ids && !input.IsTokens && input.Features is { } declared)
        {
            report(SeqDiagnostics.InputMismatch, input.Span, new object[] { "features", declared, "(batch, maxlen) ids", "'encoding: indices' under 'text'" });
            problem = true;
        }
        if (!ids && input.Features is Dim features && features != s_vocab)
        {
            report(SeqDiagnostics.InputMismatch, input.Span, new object[] { "features", features, s_vocab, "one-hot characters: one feature per vocabulary entry" });
            problem = true;
        }
        if (problem) return null;
        return ids
            ? new InputSpec(null, text.MaxLen, "int64", input.Span)
            : new InputSpec(s_vocab, text.MaxLen, "float32", input.Span);
    }

    /// <summary>
    /// An episodes task's input: (batch, time, features) with an open time (records are padded per batch) for the
    /// sequence representation, (batch, features) for the flat ones; features from the source, preprocessing and
    /// representation, as the runtime's <c>EpisodeLayout</c> counts them.
    /// </summary>
    private static InputSpec? ResolveEpisodesInput(InputSpec input, EpisodesSettings episodes, SourceSpan section, System.Action<Microsoft.CodeAnalysis.DiagnosticDescriptor, SourceSpan, object[]> report)
    {
        bool sequence = episodes.Representation == EpisodeRepresentation.Sequence;
        long width;
        try
        {
            width = episodes.InputFeatures;
        }
        catch (System.OverflowException)
        {
            // Only first_last multiplies: 2 · steps · channels per step.
            report(SeqDiagnostics.OutOfRange, section, new object[] { "steps", "representation 'first_last'",
                $"small enough that 2 · steps · channels per step fits {int.MaxValue}", episodes.FirstLastSteps });
            return null;
        }
        var features = Dim.Of(width);
        bool problem = false;
        if (input.IsTokens)
        {
            report(SeqDiagnostics.InputMismatch, input.Span, new object[] { "dtype", "int64", "float32 records", "an episodes task's inputs are numbers" });
            problem = true;
        }
        if (input.Time is long time)
        {
            report(SeqDiagnostics.InputMismatch, input.Span, new object[] { "time", time, sequence ? "None" : "no time axis",
                sequence ? "records are padded to the longest of each batch, so the time length is open" : $"the {RepresentationWord(episodes)} representation gives one vector per record" });
            problem = true;
        }
        if (input.Features is Dim declared && declared != features)
        {
            report(SeqDiagnostics.InputMismatch, input.Span, new object[] { "features", declared, features, episodes.InputFeaturesText });
            problem = true;
        }
        if (features.Value < 1)
        {
            report(SeqDiagnostics.InputMismatch, input.Span, new object[] { "features", features, "no inputs", episodes.InputFeaturesText + "; 'include' and 'exclude' leave nothing" });
            problem = true;
        }
        return problem ? null : new InputSpec(features, null, "float32", input.Span) { HasTime = sequence };
    }

    private static string RepresentationWord(EpisodesSettings episodes) => Text.ToSnakeCase(episodes.Representation.ToString());

    /// <summary>
    /// In the sequence representation a batch pads each record to the longest: every layer must read each step on its
    /// own or take the records' lengths (<see cref="PaddedInput"/>).
    /// </summary>
    public static void CheckPaddedLayers(string path, ModelSpec spec, List<DiagnosticInfo> diagnostics)
    {
        if (spec.Experiment.Episodes is not { Representation: EpisodeRepresentation.Sequence }) return;
        foreach (var layer in spec.Layers)
        {
            if (layer.Definition.PaddedInput != PaddedInput.Unsupported) continue;
            string why = layer.Definition.TakesTokens ? "it reads token ids, not measurements"
                : $"a {layer.Kind} layer mixes steps without knowing where each record ends, so padding would reach its outputs";
            diagnostics.Add(DiagnosticInfo.Create(SeqDiagnostics.PaddedRecords, path, layer.Span, layer.Name, layer.Kind, why));
        }
    }

    /// <summary>
    /// An episodes model ends in logits for every label: (None, labels), or (None, time, labels) per step, which target
    /// replication needs; the last layer is a dense layer with a linear activation.
    /// </summary>
    private static void CheckEpisodesOutput(string path, ModelPlan plan, EpisodesSettings episodes, List<DiagnosticInfo> diagnostics)
    {
        var output = plan.OutputShape;
        var last = plan.Layers[plan.Layers.Count - 1].Spec;
        int labels = episodes.LabelCount;
        string? problem = !output.Features.Is(labels)
            ? $"the last layer '{last.Name}' has {output.Features} outputs; give it 'units: labels' ({labels}: {episodes.Labels.Count(l => !l.Auxiliary)} scored and {episodes.Labels.Count(l => l.Auxiliary)} auxiliary labels)"
            : episodes.TargetReplication > 0 && !output.HasTime
                ? $"target_replication {Text.FormatDouble(episodes.TargetReplication)} scores every step, so the model needs an output per step (None, None, {labels}): set 'return_sequences: true' on the last recurrent layer"
                : null;
        if (problem is not null)
        {
            diagnostics.Add(DiagnosticInfo.Create(SeqDiagnostics.OutputMismatch, path, last.Span, output.ToString(), labels, problem));
            return;
        }
        string? notLogits = last.Settings switch
        {
            DenseSettings { Activation: Activation.Linear } => null,
            DenseSettings => $"has the activation {last.Find("activation")?.Value}",
            _ => "is not a dense layer",
        };
        if (notLogits is not null)
            diagnostics.Add(DiagnosticInfo.Create(SeqDiagnostics.OutputNotLogits, path, last.Span, last.Name, last.Kind, notLogits));
    }

    /// <summary>
    /// The model must map a window to its targets: (None, horizon); with several targets (None, horizon, targets) or
    /// (None, horizon · targets); with 'channels: independent' the layers (None, horizon) per column; (None, vocab) for a text task.
    /// </summary>
    public static void CheckOutput(string path, ModelPlan plan, List<DiagnosticInfo> diagnostics)
    {
        var experiment = plan.Spec.Experiment;
        var output = plan.OutputShape;
        var last = plan.Layers[plan.Layers.Count - 1].Spec;
        if (experiment.Episodes is { } episodes)
        {
            CheckEpisodesOutput(path, plan, episodes, diagnostics);
            return;
        }
        if (experiment.Text is not null)
        {
            string? textProblem = output.HasTime
                ? "it keeps the time axis; the next character needs one vector per window"
                : output.Features != s_vocab
                    ? $"the last layer '{last.Name}' has {output.Features} outputs; give it 'units: vocab' (one per character)"
                    : null;
            if (textProblem is not null)
                diagnostics.Add(DiagnosticInfo.Create(SeqDiagnostics.OutputMismatch, path, last.Span, output.ToString(), s_vocab, textProblem));
            return;
        }
        if (experiment.Data is not { } data) return;
        long horizon = data.Window.Horizon;
        if (plan.IndependentChannels is Dim channels)
        {
            // Each column is a series of its own: the layers map it to its horizon, and the model returns (None, horizon, columns).
            var perChannel = plan.LayersOutputShape;
            if (HorizonProblem(perChannel, horizon, last, $"applied to each of the {channels} columns separately ('channels: independent'), ", " per column") is { } channelProblem)
                diagnostics.Add(DiagnosticInfo.Create(SeqDiagnostics.OutputMismatch, path, last.Span, $"{perChannel} per column", $"{horizon}, {channels}", channelProblem));
            return;
        }
        if (data.IsMultivariate)
        {
            // (None, horizon, targets), or (None, horizon · targets) read in that row-major order.
            long targets = data.Targets.Count;
            bool matches = output.HasTime ? output.Time.Is(horizon) && output.Features.Is(targets) : output.Features.Is(checked(horizon * targets));
            if (!matches)
                diagnostics.Add(DiagnosticInfo.Create(SeqDiagnostics.OutputMismatch, path, last.Span, output.ToString(), $"{horizon}, {targets}",
                    $"{targets} targets over a horizon of {horizon} need (None, {horizon}, {targets}), or (None, {horizon * targets}) read as horizon-major; " +
                    $"or declare 'channels: independent' to forecast each column with one shared model ending in dense {horizon}"));
            return;
        }
        if (HorizonProblem(output, horizon, last, "", "") is { } problem)
            diagnostics.Add(DiagnosticInfo.Create(SeqDiagnostics.OutputMismatch, path, last.Span, output.ToString(), horizon, problem));
    }

    /// <summary>Why an output is not one vector of horizon values per window (per column: <paramref name="per"/>), or null when it is.</summary>
    private static string? HorizonProblem(TensorShape output, long horizon, LayerSpec last, string prefix, string per)
        => output.HasTime
            ? $"{prefix}it keeps the time axis; end with a layer that returns one vector per window (a recurrent layer without return_sequences, flatten, or global pooling) before the last dense layer"
            : !output.Features.Is(horizon)
                ? $"{prefix}the last layer '{last.Name}' has {output.Features} outputs{per}; give it {horizon} (the window's horizon)"
                : null;
}
