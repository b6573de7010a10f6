using System.Collections.Immutable;
using System.Diagnostics;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Text;
using SeqDsl.Generator;

namespace SeqDsl.Bench;

/// <summary>
/// The source generator on its own, in-process, the way the compiler drives it: every example spec
/// (examples/**/*.yaml) through a <see cref="CSharpGeneratorDriver"/> — the first run in the process (JIT
/// included), warm full runs with a fresh driver, a rerun without changes, and incremental reruns after
/// editing one spec's text, with a check that only the edited spec's Parsed/Analyzed steps reran.
/// </summary>
internal static class SpecGenBench
{
    private const string EditedSpec = "weather_gru.yaml";

    public static int Run(Options options)
    {
        int repeat = Math.Max(1, options.Int("repeat", 5));
        string root = options.String("root", FindRoot());
        var files = Directory.EnumerateFiles(Path.Combine(root, "examples"), "*.yaml", SearchOption.AllDirectories)
            .Where(p => !p.Split(Path.DirectorySeparatorChar).Any(part => part is "bin" or "obj" or "runs"))
            .OrderBy(p => p, StringComparer.Ordinal)
            .Select(p => new SpecText(p, File.ReadAllText(p)))
            .ToArray();
        var edited = files.Single(f => Path.GetFileName(f.Path) == EditedSpec);
        var compilation = Compilation();

        // First run in this process: loads and JITs the generator, YamlDotNet and Roslyn's driver.
        var clock = Stopwatch.StartNew();
        var driver = CreateDriver(files).RunGenerators(compilation);
        double firstMs = clock.Elapsed.TotalMilliseconds;
        var first = driver.GetRunResult();
        var generated = first.Results.Single().GeneratedSources.Length;
        var errors = first.Diagnostics.Count(d => d.Severity == DiagnosticSeverity.Error);
        if (first.Results.Single().Exception is { } failure) throw new InvalidOperationException("the generator failed", failure);

        // Warm full runs, each with a fresh driver (nothing cached).
        var full = new List<double>();
        for (int i = 0; i < repeat; i++)
        {
            clock.Restart();
            CreateDriver(files).RunGenerators(compilation);
            full.Add(clock.Elapsed.TotalMilliseconds);
        }

        // A rerun with nothing changed.
        var unchanged = new List<double>();
        for (int i = 0; i < repeat; i++)
        {
            clock.Restart();
            driver = driver.RunGenerators(compilation);
            unchanged.Add(clock.Elapsed.TotalMilliseconds);
        }

        // Incremental: edit weather_gru.yaml's GRU width, rerun; restore, rerun; ... each edit is a new text.
        var incremental = new List<double>();
        AdditionalText current = edited;
        var reruns = new List<string>();
        bool onlyEdited = true;
        for (int i = 0; i < repeat; i++)
        {
            var units = 33 + i;
            var next = new SpecText(edited.Path, ReplaceFirst(edited.Text, "units: 32", $"units: {units}"));
            if (next.Text == edited.Text) throw new InvalidOperationException($"{EditedSpec} has no 'units: 32' to edit");
            var updated = driver.ReplaceAdditionalText(current, next);
            clock.Restart();
            driver = updated.RunGenerators(compilation);
            incremental.Add(clock.Elapsed.TotalMilliseconds);
            current = next;

            var result = driver.GetRunResult().Results.Single();
            var (summary, ok) = CheckReruns(result, edited.Path);
            onlyEdited &= ok && result.GeneratedSources.Any(s => s.HintName.StartsWith("WeatherGruModel", StringComparison.Ordinal)
                                                                && s.SourceText.ToString().Contains($"RecurrentOptions({units})", StringComparison.Ordinal));
            if (i == 0) reruns.Add(summary);
        }

        double fullMs = Program.Median(full), unchangedMs = Program.Median(unchanged), incrementalMs = Program.Median(incremental);
        Console.WriteLine($"seqdsl SpecGenerator over {files.Length} example specs ({generated} generated files, {errors} errors):");
        Console.WriteLine($"  first run in the process (JIT included): {firstMs:F1} ms");
        Console.WriteLine($"  full run, fresh driver (median of {repeat}): {fullMs:F2} ms");
        Console.WriteLine($"  rerun, nothing changed (median of {repeat}): {unchangedMs:F3} ms");
        Console.WriteLine($"  rerun after editing {EditedSpec} (median of {repeat}): {incrementalMs:F3} ms");
        Console.WriteLine($"  steps after the edit: {reruns.FirstOrDefault()}; only the edited spec reran: {(onlyEdited ? "yes" : "NO")}");
        Program.Result(new()
        {
            ["kind"] = "specgen",
            ["specs"] = files.Length,
            ["generated"] = generated,
            ["errors"] = errors,
            ["first_ms"] = firstMs,
            ["full_ms"] = fullMs,
            ["unchanged_ms"] = unchangedMs,
            ["incremental_ms"] = incrementalMs,
            ["only_edited_reran"] = onlyEdited,
            ["steps"] = reruns.FirstOrDefault(),
        });
        return errors == 0 && onlyEdited ? 0 : 1;
    }

    /// <summary>Counts the Parsed and Analyzed outputs by reason; ok when the edited spec's were modified and no other spec's.</summary>
    private static (string Summary, bool Ok) CheckReruns(GeneratorRunResult result, string editedPath)
    {
        var parts = new List<string>();
        bool ok = true;
        foreach (var step in new[] { SpecGenerator.TrackingNames.Parsed, SpecGenerator.TrackingNames.Analyzed })
        {
            var outputs = result.TrackedSteps.TryGetValue(step, out var runs)
                ? runs.SelectMany(r => r.Outputs).Select(o => (Path: PathOf(o.Value), o.Reason)).ToList()
                : new List<(string Path, IncrementalStepRunReason Reason)>();
            bool IsEdited((string Path, IncrementalStepRunReason Reason) o) => o.Path == editedPath;
            bool Reran(IncrementalStepRunReason r) => r is IncrementalStepRunReason.Modified or IncrementalStepRunReason.New;
            int rerun = outputs.Count(o => Reran(o.Reason));
            int cached = outputs.Count(o => o.Reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged);
            ok &= outputs.Count > 0 && outputs.Where(IsEdited).All(o => Reran(o.Reason)) && outputs.Any(IsEdited)
                  && !outputs.Where(o => !IsEdited(o)).Any(o => Reran(o.Reason));
            var names = string.Join(",", outputs.Where(o => Reran(o.Reason)).Select(o => Path.GetFileName(o.Path)).Distinct());
            parts.Add($"{step}: {rerun} reran ({names}), {cached} cached");
        }
        return (string.Join("; ", parts), ok);
    }

    private static string PathOf(object? value)
        => value?.GetType().GetProperty("FilePath")?.GetValue(value) as string ?? value?.ToString() ?? "";

    private static string ReplaceFirst(string text, string what, string with)
    {
        int i = text.IndexOf(what, StringComparison.Ordinal);
        return i < 0 ? text : string.Concat(text.AsSpan(0, i), with, text.AsSpan(i + what.Length));
    }

    private static GeneratorDriver CreateDriver(IEnumerable<AdditionalText> specs)
        => CSharpGeneratorDriver.Create(
            new[] { new SpecGenerator().AsSourceGenerator() },
            additionalTexts: specs,
            parseOptions: new CSharpParseOptions(LanguageVersion.Latest),
            optionsProvider: new SpecOptionsProvider("SeqDsl.Examples"),
            driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: true));

    private static CSharpCompilation Compilation()
    {
        var paths = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator).ToList();
        paths.Add(typeof(TorchSharp.torch).Assembly.Location);
        paths.Add(typeof(SeqDsl.Runtime.LayerSummary).Assembly.Location);
        var references = paths.Distinct().Where(File.Exists).Select(p => (MetadataReference)MetadataReference.CreateFromFile(p)).ToImmutableArray();
        return CSharpCompilation.Create("Specs",
            new[] { CSharpSyntaxTree.ParseText("namespace Host { internal static class Marker { } }", new CSharpParseOptions(LanguageVersion.Latest)) },
            references,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));
    }

    private static string FindRoot()
    {
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
                if (File.Exists(Path.Combine(dir.FullName, "SeqDsl.sln"))) return dir.FullName;
        }
        throw new ArgumentException("cannot find the repository (SeqDsl.sln); pass --root");
    }

    private sealed class SpecText : AdditionalText
    {
        private readonly SourceText source;
        public SpecText(string path, string text) { Path = path; Text = text; source = SourceText.From(text); }
        public override string Path { get; }
        public string Text { get; }
        public override SourceText GetText(CancellationToken cancellationToken = default) => source;
    }

    private sealed class DictionaryOptions : AnalyzerConfigOptions
    {
        private readonly Dictionary<string, string> values;
        public DictionaryOptions(Dictionary<string, string> values) => this.values = values;
        public override bool TryGetValue(string key, out string value) => values.TryGetValue(key, out value!);
    }

    /// <summary>What MSBuild hands the generator: the root namespace, and SeqDslSpec="true" on every listed spec.</summary>
    private sealed class SpecOptionsProvider : AnalyzerConfigOptionsProvider
    {
        private static readonly DictionaryOptions Spec = new(new() { ["build_metadata.AdditionalFiles.SeqDslSpec"] = "true" });
        private static readonly DictionaryOptions None = new(new());
        private readonly DictionaryOptions global;
        public SpecOptionsProvider(string rootNamespace) => global = new(new() { ["build_property.RootNamespace"] = rootNamespace });
        public override AnalyzerConfigOptions GlobalOptions => global;
        public override AnalyzerConfigOptions GetOptions(SyntaxTree tree) => None;
        public override AnalyzerConfigOptions GetOptions(AdditionalText textFile) => Spec;
    }
}
