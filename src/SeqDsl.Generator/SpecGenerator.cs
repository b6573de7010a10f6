using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Text.RegularExpressions;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Text;
using SeqDsl.Generator.Analysis;
using SeqDsl.Generator.Diagnostics;
using SeqDsl.Generator.Emit;
using SeqDsl.Generator.Helpers;
using SeqDsl.Generator.Model;
using SeqDsl.Generator.Parsing;

namespace SeqDsl.Generator;

/// <summary>
/// Compiles each YAML spec among the project's additional files into a typed TorchSharp model class.
/// Pipeline (each step a pure function over equatable data, so an edit to one spec reruns only that spec):
/// spec file → <see cref="SpecParser"/> and <see cref="ExperimentBinder"/> (typed settings) →
/// <see cref="ModelAnalyzer"/> (shapes) → <see cref="OutputResolver"/> (over all specs: who owns each class
/// and file name) → <see cref="ModelEmitter"/>.
/// </summary>
[Generator(LanguageNames.CSharp)]
public sealed class SpecGenerator : IIncrementalGenerator
{
    /// <summary>Names of the tracked pipeline steps (the incrementality tests look them up).</summary>
    public static class TrackingNames
    {
        public const string SpecFiles = nameof(SpecFiles);
        public const string Parsed = nameof(Parsed);
        public const string Analyzed = nameof(Analyzed);
        public const string ModelNames = nameof(ModelNames);
        public const string Registry = nameof(Registry);
    }

    private static readonly Regex s_specKey = new(@"^(model|layers)\s*:", RegexOptions.Multiline | RegexOptions.CultureInvariant);

    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        // The first lines of the CSV files that specs name, as the build read them (build/SeqDsl.Specs.targets); empty without that step.
        var csvHeaders = context.AdditionalTextsProvider
            .Combine(context.AnalyzerConfigOptionsProvider)
            .Where(static pair => IsCsvHeaderFile(pair.Left, pair.Right))
            .Select(static (pair, ct) => CsvHeaderFile.Parse(pair.Left.GetText(ct)?.ToString() ?? "").ToEquatableArray())
            .Collect()
            .Select(static (files, _) => files.SelectMany(f => f).ToEquatableArray());

        // Each spec gets only the headers of the files it names, so a changed header reruns only the specs that name it.
        var specFiles = context.AdditionalTextsProvider
            .Combine(context.AnalyzerConfigOptionsProvider)
            .Select((pair, ct) => ReadSpecFile(pair.Left, pair.Right, ct))
            .Where(static file => file is not null)
            .Combine(csvHeaders)
            .Select(static (pair, _) => pair.Left! with { CsvHeaders = pair.Right.Where(h => h.IsFor(pair.Left!.Path)).ToEquatableArray() })
            .WithTrackingName(TrackingNames.SpecFiles);

        var parsed = specFiles
            .Select(static (file, ct) => Guard(file.Path, () => SpecParser.Parse(file), Failed(file)))
            .WithTrackingName(TrackingNames.Parsed);

        var results = parsed
            .Select(static (spec, ct) => Guard(spec.FilePath, () => ModelAnalyzer.Analyze(spec), Failed(spec)))
            .WithTrackingName(TrackingNames.Analyzed);

        // Which spec owns each class and file name is decided before anything is emitted: a spec that
        // repeats another's model name gets SEQ2010 and emits nothing, so the build has no C# errors.
        var resolution = results
            .Where(static r => r.ModelName is not null && r.ClassName is not null && r.Namespace is not null)
            .Select(static (r, _) => new SpecOutput(r.FilePath, r.Namespace + "." + r.ClassName, r.ModelName!, r.ModelSpan, ModelEmitter.HintName(r))
            {
                Variants = (r.Plan?.Variants ?? EquatableArray<ModelPlan>.Empty).Select(v => new OutputClass(v.Namespace + "." + v.ClassName, v.Spec.ModelName)).ToEquatableArray(),
                SweepSpan = r.Plan?.Spec.Sweep?.Span ?? r.ModelSpan,
            })
            .Collect()
            .Select(static (outputs, _) => OutputResolver.Resolve(outputs))
            .WithTrackingName(TrackingNames.ModelNames);
        context.RegisterSourceOutput(resolution, static (spc, resolved) =>
        {
            foreach (var diagnostic in resolved.Diagnostics)
                spc.ReportDiagnostic(diagnostic.ToDiagnostic());
        });
        context.RegisterSourceOutput(results.Combine(resolution), static (spc, input) => Produce(spc, input.Left, input.Right));

        // The project's list of experiments, for the CLI. Only this small step reruns when any spec changes.
        var registryOptions = context.AnalyzerConfigOptionsProvider.Select(static (options, _) =>
        {
            options.GlobalOptions.TryGetValue("build_property.RootNamespace", out var ns);
            options.GlobalOptions.TryGetValue("build_property.SeqDslDefaultExperiment", out var preferred);
            return (Namespace: string.IsNullOrWhiteSpace(ns) || !GeneratedNames.IsNamespace(ns!) ? "SeqDsl.Generated" : ns!, Default: string.IsNullOrWhiteSpace(preferred) ? null : preferred);
        });
        // Every spec has an entry, so the registry is emitted even when all specs have errors; only emitted models are listed.
        var registry = results
            .Select(static (r, _) => new RegistryEntry(r.FilePath, r.Plan is null ? null : r.Plan.Namespace + "." + r.Plan.ClassName, r.Plan?.Spec.ModelName ?? r.ModelName ?? "")
            {
                Variants = (r.Plan?.Variants ?? EquatableArray<ModelPlan>.Empty).Select(v => v.Namespace + "." + v.ClassName).ToEquatableArray(),
            })
            .Collect()
            .Combine(resolution)
            .Combine(registryOptions)
            .WithTrackingName(TrackingNames.Registry);
        context.RegisterSourceOutput(registry, static (spc, input) =>
        {
            var ((entries, resolved), options) = input;
            if (entries.IsDefaultOrEmpty) return;
            var emitted = entries.Where(e => e.FullClassName is not null && resolved.Emits(e.FilePath)).ToList();
            spc.AddSource(RegistryEmitter.HintName, SourceText.From(RegistryEmitter.Emit(options.Namespace, emitted, options.Default), System.Text.Encoding.UTF8));
        });
    }

    /// <summary>
    /// An additional file is a spec when its SeqDslSpec metadata says so, or (metadata 'auto' or absent) when
    /// it is a .yaml/.yml file with a top-level 'model:' or 'layers:' key.
    /// </summary>
    private static SpecFile? ReadSpecFile(AdditionalText text, AnalyzerConfigOptionsProvider options, CancellationToken ct)
    {
        var fileOptions = options.GetOptions(text);
        fileOptions.TryGetValue("build_metadata.AdditionalFiles.SeqDslSpec", out var marker);
        marker = marker?.Trim().ToLowerInvariant();
        if (marker == "false") return null;

        bool yaml = text.Path.EndsWith(".yaml", StringComparison.OrdinalIgnoreCase) || text.Path.EndsWith(".yml", StringComparison.OrdinalIgnoreCase);
        if (marker != "true" && !yaml) return null;

        string content = text.GetText(ct)?.ToString() ?? "";
        if (marker != "true" && !s_specKey.IsMatch(content)) return null;

        options.GlobalOptions.TryGetValue("build_property.RootNamespace", out var rootNamespace);
        return new SpecFile(text.Path, content, string.IsNullOrWhiteSpace(rootNamespace) ? null : rootNamespace);
    }

    private static bool IsCsvHeaderFile(AdditionalText text, AnalyzerConfigOptionsProvider options)
        => options.GetOptions(text).TryGetValue("build_metadata.AdditionalFiles." + CsvHeaderFile.MetadataName, out var marker)
           && string.Equals(marker?.Trim(), "true", StringComparison.OrdinalIgnoreCase);

    private static void Produce(SourceProductionContext context, SpecResult result, OutputResolution resolution)
    {
        foreach (var diagnostic in result.Diagnostics)
            context.ReportDiagnostic(diagnostic.ToDiagnostic());
        if (result.ClassName is null || result.Namespace is null || !resolution.Emits(result.FilePath)) return;

        var source = Guard<(string? Text, DiagnosticInfo? Failure)>(result.FilePath, () => (ModelEmitter.Emit(result), null), failure => (null, failure));
        if (source.Failure is not null)
        {
            context.ReportDiagnostic(source.Failure.ToDiagnostic());
            return;
        }
        context.AddSource(resolution.HintNameOf(result.FilePath, ModelEmitter.HintName(result)), SourceText.From(source.Text!, System.Text.Encoding.UTF8));
    }

    /// <summary>The generator must never throw on user input: an unexpected exception becomes SEQ9001 on the spec.</summary>
    internal static T Guard<T>(string path, Func<T> step, Func<DiagnosticInfo, T> onFailure)
    {
        try
        {
            return step();
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return onFailure(DiagnosticInfo.Create(SeqDiagnostics.InternalError, path, SourceSpan.FileStart, e.GetType().Name, e.Message));
        }
    }

    internal static Func<DiagnosticInfo, ParsedSpec> Failed(SpecFile file)
        => d => new ParsedSpec(file.Path, file.RootNamespace, null, SourceSpan.FileStart, null, null, new EquatableArray<DiagnosticInfo>(new[] { d }));

    private static Func<DiagnosticInfo, SpecResult> Failed(ParsedSpec spec)
        => d => new SpecResult(spec.FilePath, System.IO.Path.GetFileName(spec.FilePath), null, null, spec.ModelName, spec.ModelSpan, null, new EquatableArray<DiagnosticInfo>(new[] { d }));
}
