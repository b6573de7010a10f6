using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Text;

namespace SeqDsl.Generator.Tests.Infrastructure;

/// <summary>An in-memory spec file.</summary>
internal sealed class InMemoryText : AdditionalText
{
    private readonly SourceText _text;
    public InMemoryText(string path, string text, Dictionary<string, string>? metadata = null) { Path = path; _text = SourceText.From(text); Metadata = metadata; }
    public override string Path { get; }
    /// <summary>This file's build metadata ("build_metadata.AdditionalFiles.X"), replacing the provider's spec marker; null: the marker.</summary>
    public Dictionary<string, string>? Metadata { get; }
    public override SourceText GetText(CancellationToken cancellationToken = default) => _text;
}

internal sealed class TestOptions : AnalyzerConfigOptions
{
    private readonly Dictionary<string, string> _values;
    public TestOptions(Dictionary<string, string> values) => _values = values;
    public override bool TryGetValue(string key, out string value) => _values.TryGetValue(key, out value!);
}

internal sealed class TestOptionsProvider : AnalyzerConfigOptionsProvider
{
    private readonly AnalyzerConfigOptions _global;
    private readonly string? _specMarker;

    /// <param name="rootNamespace">The project's RootNamespace.</param>
    /// <param name="specMarker">SeqDslSpec metadata of every additional file: "true" as for listed specs, "auto" as for the default glob, null for none.</param>
    public TestOptionsProvider(string? rootNamespace, string? specMarker = "true")
    {
        _global = new TestOptions(rootNamespace is null ? new() : new() { ["build_property.RootNamespace"] = rootNamespace });
        _specMarker = specMarker;
    }

    public override AnalyzerConfigOptions GlobalOptions => _global;
    public override AnalyzerConfigOptions GetOptions(SyntaxTree tree) => new TestOptions(new());
    public override AnalyzerConfigOptions GetOptions(AdditionalText textFile)
        => new TestOptions(textFile is InMemoryText { Metadata: { } metadata } ? metadata
            : _specMarker is null ? new() : new() { ["build_metadata.AdditionalFiles.SeqDslSpec"] = _specMarker });
}

/// <summary>Runs the SeqDsl generator over in-memory specs, the way the compiler does.</summary>
internal static class GeneratorHarness
{
    private static readonly Lazy<ImmutableArray<MetadataReference>> s_references = new(() =>
    {
        var paths = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator).ToList();
        paths.Add(typeof(TorchSharp.torch).Assembly.Location);
        paths.Add(typeof(SeqDsl.Runtime.LayerSummary).Assembly.Location);
        return paths.Distinct().Select(p => (MetadataReference)MetadataReference.CreateFromFile(p)).ToImmutableArray();
    });

    public static CSharpCompilation EmptyCompilation(string name = "Specs")
        => CSharpCompilation.Create(name,
            new[] { CSharpSyntaxTree.ParseText("namespace Host { internal static class Marker { } }", new CSharpParseOptions(LanguageVersion.Latest)) },
            s_references.Value,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));

    public static GeneratorDriver CreateDriver(IEnumerable<AdditionalText> specs, string? rootNamespace = "Host", bool trackSteps = true, string? specMarker = "true")
        => CSharpGeneratorDriver.Create(
            new[] { new SpecGenerator().AsSourceGenerator() },
            additionalTexts: specs,
            parseOptions: new CSharpParseOptions(LanguageVersion.Latest),
            optionsProvider: new TestOptionsProvider(rootNamespace, specMarker),
            driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: trackSteps));

    public sealed record Result(GeneratorRunResult Run, Compilation Output, ImmutableArray<Diagnostic> Diagnostics)
    {
        public IEnumerable<Diagnostic> Seq => Diagnostics.Where(d => d.Id.StartsWith("SEQ", StringComparison.Ordinal));
        public string Source(string classNameStart) => Run.GeneratedSources.Single(s => s.HintName.StartsWith(classNameStart + ".", StringComparison.Ordinal)).SourceText.ToString();
    }

    public static Result Run(params (string Path, string Text)[] specs) => Run("Host", specs);

    public static Result Run(string? rootNamespace, params (string Path, string Text)[] specs) => Run(rootNamespace, "true", specs);

    public static Result Run(string? rootNamespace, string? specMarker, params (string Path, string Text)[] specs)
        => Run(rootNamespace, specMarker, specs.Select(s => (AdditionalText)new InMemoryText(s.Path, s.Text)));

    /// <summary>Runs the generator over additional files that may carry metadata of their own (the build's CSV header file).</summary>
    public static Result Run(string? rootNamespace, string? specMarker, IEnumerable<AdditionalText> files)
    {
        var driver = CreateDriver(files, rootNamespace, specMarker: specMarker);
        driver = driver.RunGeneratorsAndUpdateCompilation(EmptyCompilation(), out var output, out var diagnostics);
        var run = driver.GetRunResult().Results.Single();
        return new Result(run, output, diagnostics);
    }
}
