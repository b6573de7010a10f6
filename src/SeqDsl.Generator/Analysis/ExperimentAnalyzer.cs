using System.Collections.Generic;
using System.Linq;
using SeqDsl.Generator.Catalog;
using SeqDsl.Generator.Diagnostics;
using SeqDsl.Generator.Helpers;
using SeqDsl.Generator.Model;

namespace SeqDsl.Generator.Analysis;

/// <summary>
/// Checks the experiment half of a spec against itself and against the model: the model's time length
/// follows from the window, its features from the source's columns, and its output must match the targets.
/// </summary>
internal static class ExperimentAnalyzer
{
    /// <summary>A text task's characters: one-hot input has this many features, and the model as many outputs.</summary>
    private static readonly Dim s_vocab = Dim.Named(SizeName.Vocab);

    /// <summary>Columns a source is known to have at build time; null when only the file can tell (csv without 'columns').</summary>
    public static string[]? KnownColumns(ExperimentSettings settings)
    {
        string[] listed = settings.List("data.columns");
        if (settings.Raw("data.source") == "csv")
            return listed.Length > 0 ? listed : null;
        return listed.Length > 0 ? listed : SpecCatalog.ClimateColumns;
    }

    /// <summary>The model input, with time and features derived from the data where the spec has a data section.</summary>
    public static InputSpec? ResolveInput(string path, ModelSpec spec, List<DiagnosticInfo> diagnostics)
    {
        var settings = spec.Experiment;
        var input = spec.Input;
        void Report(Microsoft.CodeAnalysis.DiagnosticDescriptor descriptor, SourceSpan span, params object[] args)
            => diagnostics.Add(DiagnosticInfo.Create(descriptor, path, span, args));

        if (settings.HasText)
            return ResolveTextInput(spec, diagnostics, Report);

        if (!settings.HasData)
        {
            if (settings.HasTraining)
                Report(SeqDiagnostics.MissingKey, spec.ModelSpan, "data", "the spec", "'training' needs a 'data' section that says what to train on");
            if (input.Features is null && !input.IsTokens)
                Report(SeqDiagnostics.MissingKey, input.Span, "features", "'input'", "float32 input is (batch, time, features)");
            return diagnostics.Count == 0 ? input : null;
        }

        string source = settings.Raw("data.source")!;
        CheckSourceKeys(settings, source, Report);

        // Window: the model sees lookback / step time steps.
        long lookback = settings.Int("data.window.lookback"), step = settings.Int("data.window.step");
        if (lookback % step != 0)
            Report(SeqDiagnostics.ConflictingOptions, settings.SpanOf("data.window.step", settings.DataSpan),
                $"'lookback' ({lookback}) in 'data.window' must be a multiple of 'step' ({step}): each window holds lookback / step time steps");

        // Columns and target.
        var columns = KnownColumns(settings);
        string sourceName = source == "csv" ? "the listed columns" : source;
        if (source != "csv" && settings.Has("data.columns"))
        {
            foreach (var column in settings.List("data.columns").Where(c => !SpecCatalog.ClimateColumns.Contains(c)))
                Report(SeqDiagnostics.UnknownColumn, settings.SpanOf("data.columns", settings.DataSpan), "columns", column, source,
                    Suggest(column, SpecCatalog.ClimateColumns), string.Join(", ", SpecCatalog.ClimateColumns));
        }
        string target = settings.Raw("data.target")!;
        if (columns is not null && !columns.Contains(target))
            Report(SeqDiagnostics.UnknownColumn, settings.SpanOf("data.target", settings.DataSpan), "target", target, sourceName,
                Suggest(target, columns), string.Join(", ", columns));

        CheckSplits(settings, Report);

        if (diagnostics.Count > 0) return null;

        if (input.IsTokens)
        {
            Report(SeqDiagnostics.InputMismatch, input.Span, "dtype", "int64", "float32 series", "token ids need a text source, not a numeric series");
            return null;
        }
        long time = lookback / step;
        if (input.Time is long declared && declared != time)
            Report(SeqDiagnostics.InputMismatch, input.Span, "time", declared, time, $"lookback {lookback} / step {step}");
        Dim? features = columns is null ? null : Dim.Of(columns.Length);
        if (input.Features is Dim declaredFeatures && features is Dim known && declaredFeatures != known)
            Report(SeqDiagnostics.InputMismatch, input.Span, "features", declaredFeatures, known, $"{known} columns of {sourceName}");
        features ??= input.Features;
        if (features is null)
            Report(SeqDiagnostics.MissingKey, settings.DataSpan, "columns", "'data'",
                "list the csv's numeric columns (or give 'features' under 'input') so the model's input size is known at build time");
        return diagnostics.Count == 0 ? new InputSpec(features, time, "float32", input.Span) : null;
    }

    /// <summary>
    /// A text task feeds windows of maxlen characters, one-hot (batch, maxlen, vocab) or as ids (batch, maxlen),
    /// and predicts the next character: its loss is categorical cross-entropy.
    /// </summary>
    private static InputSpec? ResolveTextInput(ModelSpec spec, List<DiagnosticInfo> diagnostics, System.Action<Microsoft.CodeAnalysis.DiagnosticDescriptor, SourceSpan, object[]> report)
    {
        var settings = spec.Experiment;
        var input = spec.Input;
        long maxlen = settings.Int("text.maxlen");
        bool ids = settings.Raw("text.encoding") == "indices";
        if (settings.Has("training.loss") && settings.Raw("training.loss") != "categorical_crossentropy")
            report(SeqDiagnostics.ConflictingOptions, settings.SpanOf("training.loss", settings.DataSpan),
                new object[] { $"'loss' in 'training' must be categorical_crossentropy for a text task (the target is the next character); received '{settings.Raw("training.loss")}'" });
        if (input.Time is long time && time != maxlen)
            report(SeqDiagnostics.InputMismatch, input.Span, new object[] { "time", time, maxlen, "'maxlen' under 'text'" });
        if (ids && !input.IsTokens && spec.Input.Features is not null)
            report(SeqDiagnostics.InputMismatch, input.Span, new object[] { "features", input.Features!, "(batch, maxlen) ids", "'encoding: indices' under 'text'" });
        if (!ids && input.Features is Dim features && features != s_vocab)
            report(SeqDiagnostics.InputMismatch, input.Span, new object[] { "features", features, s_vocab, "one-hot characters: one feature per vocabulary entry" });
        if (diagnostics.Count > 0) return null;
        return ids
            ? new InputSpec(null, maxlen, "int64", input.Span)
            : new InputSpec(s_vocab, maxlen, "float32", input.Span);
    }

    /// <summary>The model must map a window to its targets: (None, horizon), or (None, vocab) for a text task.</summary>
    public static void CheckOutput(string path, ModelPlan plan, List<DiagnosticInfo> diagnostics)
    {
        var settings = plan.Spec.Experiment;
        if (settings.HasText)
        {
            var textOutput = plan.OutputShape;
            var lastLayer = plan.Layers[plan.Layers.Count - 1].Spec;
            string? textProblem = textOutput.HasTime
                ? "it keeps the time axis; the next character needs one vector per window"
                : textOutput.Features != s_vocab
                    ? $"the last layer '{lastLayer.Name}' has {textOutput.Features} outputs; give it 'units: vocab' (one per character)"
                    : null;
            if (textProblem is not null)
                diagnostics.Add(DiagnosticInfo.Create(SeqDiagnostics.OutputMismatch, path, lastLayer.Span, textOutput.ToString(), s_vocab, textProblem));
            return;
        }
        if (!settings.HasData) return;
        long horizon = settings.Int("data.window.horizon");
        var output = plan.OutputShape;
        var last = plan.Layers[plan.Layers.Count - 1].Spec;
        string? problem = output.HasTime
            ? $"it keeps the time axis; end with a layer that returns one vector per window (a recurrent layer without return_sequences, flatten, or global pooling) before the last dense layer"
            : !output.Features.Is(horizon)
                ? $"the last layer '{last.Name}' has {output.Features} outputs; give it {horizon} (the window's horizon)"
                : null;
        if (problem is not null)
            diagnostics.Add(DiagnosticInfo.Create(SeqDiagnostics.OutputMismatch, path, last.Span, output.ToString(), horizon, problem));
    }

    private static void CheckSourceKeys(ExperimentSettings settings, string source, System.Action<Microsoft.CodeAnalysis.DiagnosticDescriptor, SourceSpan, object[]> report)
    {
        var only = new (string Key, string Source)[] { ("path", "csv"), ("date_column", "csv"), ("date_format", "csv"), ("sha256", "jena-climate"), ("rows", "synthetic-climate") };
        foreach (var (key, allowed) in only)
        {
            if (settings.Has("data." + key) && source != allowed)
                report(SeqDiagnostics.ConflictingOptions, settings.SpanOf("data." + key, settings.DataSpan),
                    new object[] { $"'{key}' in 'data' applies to the {allowed} source only; this spec's source is {source}" });
        }
    }

    /// <summary>
    /// Splits must leave room for a window and must not share target rows: a split [min, max] has windows at
    /// rows [min + lookback, max) whose targets lie at [row + delay, row + delay + horizon - 1]. Input windows
    /// may reach back into the previous split (as the long-horizon protocols allow).
    /// </summary>
    private static void CheckSplits(ExperimentSettings settings, System.Action<Microsoft.CodeAnalysis.DiagnosticDescriptor, SourceSpan, object[]> report)
    {
        long lookback = settings.Int("data.window.lookback"), delay = settings.Int("data.window.delay"), horizon = settings.Int("data.window.horizon");
        var splits = new List<(string Name, long First, long? Last, SourceSpan Span, string Text)>();
        foreach (var name in new[] { "train", "val", "test" })
        {
            if (settings.Split("data.splits." + name) is not { } split) continue;
            var span = settings.SpanOf("data.splits." + name, settings.DataSpan);
            string text = $"[{split.Start}, {(split.End is long e ? e.ToString(System.Globalization.CultureInfo.InvariantCulture) : "end")}]";
            if (split.End is long end && split.Start + lookback >= end)
            {
                report(SeqDiagnostics.InvalidSplits, span, new object[] { $"split '{name}' {text} has no room for a window: its rows start at min_index + lookback = {split.Start + lookback}, which is not below max_index {end}" });
                continue;
            }
            long first = split.Start + lookback + delay;
            long? last = split.End is long max ? max - 1 + delay + horizon - 1 : null;
            splits.Add((name, first, last, span, text));
        }
        for (int i = 0; i < splits.Count; i++)
        {
            for (int j = i + 1; j < splits.Count; j++)
            {
                var (a, b) = splits[i].First <= splits[j].First ? (splits[i], splits[j]) : (splits[j], splits[i]);
                if (a.Last is null || a.Last >= b.First)
                {
                    string overlapEnd = a.Last is long l && (b.Last is null || l <= b.Last) ? l.ToString(System.Globalization.CultureInfo.InvariantCulture) : b.Last?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "the end";
                    report(SeqDiagnostics.InvalidSplits, splits[j].Span, new object[]
                    {
                        $"splits '{a.Name}' {a.Text} and '{b.Name}' {b.Text} overlap: both have targets at rows {b.First}–{overlapEnd} (a split's targets are rows min_index + lookback + delay up to max_index - 1 + delay + horizon - 1)",
                    });
                }
            }
        }
    }

    private static string Suggest(string value, IEnumerable<string> candidates)
        => Text.ClosestMatch(value, candidates) is { } guess ? $" Did you mean '{guess}'?" : "";
}
