using SeqDsl.Generator.Catalog;
using SeqDsl.Generator.Tests.Infrastructure;

namespace SeqDsl.Generator.Tests;

/// <summary>
/// The editor and the build agree: every example spec, every mutant of <see cref="MutationTests"/> and targeted
/// cases go through a real JSON Schema validator (as an editor reads the YAML) and through the generator, and both
/// must accept or both reject. The schema cannot see what needs inference or relations between values: specs
/// whose only build errors are those of <see cref="s_beyondTheSchema"/> count as accepted by the build. Conflicts of
/// which keys are given (<see cref="SpecCatalog.Conflicts"/>) are SEQ2012 too, but the schema states them: the build
/// marks them (<see cref="Diagnostics.DiagnosticInfo.CatalogConflictProperty"/>) and they are compared.
/// </summary>
public class SchemaAgreementTests
{
    /// <summary>
    /// Diagnostics a JSON Schema cannot state, each for its reason. Everything else the build reports (YAML errors,
    /// unknown and missing keys, types, ranges, enums, required keys that depend on other keys) the schema states too.
    /// </summary>
    private static readonly Dictionary<string, string> s_beyondTheSchema = new()
    {
        ["SEQ2008"] = "a name C# cannot use: a keyword, a member the generated class already has, the class's own name (the characters a name may hold are in the schema)",
        ["SEQ2009"] = "two layers with one name: uniqueness of a key across list entries (uniqueItems compares whole entries)",
        ["SEQ2010"] = "two specs with one model name: a fact about several files",
        ["SEQ2012"] = "options that conflict through their values (lookback a multiple of step, a text task's loss, target_replication with the representation, conv1d's strides with its dilation, a target named twice, 'units: vocab' or 'labels' without its task) or within list entries (a label's two rules); SEQ2012 of the catalog's conflicts is compared",
        ["SEQ2013"] = "splits without room for a window or with overlapping targets: arithmetic over the window's values",
        ["SEQ2014"] = "a column the source does not have: known only from the source (or the CSV file)",
        ["SEQ2016"] = "two labels with one name: uniqueness across list entries",
        ["SEQ2017"] = "a label derived from an input: a relation between 'include' and the labels' columns",
        ["SEQ3001"] = "shape inference", ["SEQ3002"] = "shape inference", ["SEQ3003"] = "shape inference", ["SEQ3004"] = "shape inference",
        ["SEQ3005"] = "shape inference", ["SEQ3006"] = "shape inference", ["SEQ3007"] = "shape inference", ["SEQ3008"] = "shape inference",
        ["SEQ3009"] = "shape inference", ["SEQ3010"] = "shape inference", ["SEQ3013"] = "shape inference: the channels the episodes preprocessing makes",
    };

    public static TheoryData<string> Examples()
    {
        var data = new TheoryData<string>();
        foreach (var (_, path) in Repo.ExampleSpecs()) data.Add(Path.GetRelativePath(Repo.Root, path));
        return data;
    }

    [Theory]
    [MemberData(nameof(Examples))]
    public void Every_example_validates_against_the_shipped_schema(string example)
    {
        var errors = SchemaValidator.Errors(File.ReadAllText(Path.Combine(Repo.Root, example)));
        Assert.True(errors.Count == 0, $"{example} fails the schema:\n{string.Join("\n", errors)}");
    }

    [Theory]
    [MemberData(nameof(MutationTests.Seeds), MemberType = typeof(MutationTests))]
    public void Mutated_specs_are_accepted_or_rejected_alike(int seed)
    {
        var disagreements = MutationTests.Mutants(seed).Select((text, i) => Disagreement($"mutant {i} of seed {seed}", text)).OfType<string>().ToList();
        Assert.True(disagreements.Count == 0, string.Join("\n\n", disagreements));
    }

    /// <summary>The cases of issue 13 and the edges of YAML's types, each with whether both sides accept it.</summary>
    public static TheoryData<string, bool, string> Targeted() => new()
    {
        { "data without input", true, Weather("") },
        { "text without input", true, "model: M\nlayers:\n  - lstm: { units: 8 }\n  - dense: { units: vocab }\ntext: { corpus: embedded }\n" },
        { "episodes without input", true, "model: M\nlayers:\n  - lstm: { units: 8 }\n  - dense: { units: labels }\nepisodes:\n  source: synthetic-icu\n  labels:\n    - death: { column: In-hospital_death }\n" },
        { "no input, no task", false, "model: M\nlayers:\n  - dense: { units: 1 }\n" },
        { "input without features", false, "model: M\ninput: { time: 4 }\nlayers:\n  - dense: { units: 1 }\n" },
        { "int64 input without features", true, "model: M\ninput: { dtype: int64, time: 4 }\nlayers:\n  - embedding: { input_dim: 10, output_dim: 4 }\n  - gru: { units: 4 }\n" },
        { "csv without columns or features", false, Csv("") },
        { "csv with columns", true, Csv("  columns: [a, b]\n") },
        { "csv with input features", true, "input: { features: 2 }\n" + Csv("") },
        { "long-csv without variables", false, "model: M\nlayers:\n  - lstm: { units: 8 }\n  - dense: { units: labels }\nepisodes:\n  source: long-csv\n  path: x.csv\n  outcomes: y.csv\n  labels:\n    - death: { column: d }\n" },
        { "training without a task", false, "model: M\ninput: { features: 2 }\nlayers:\n  - dense: { units: 1 }\ntraining: { epochs: 2 }\n" },
        { "units: 64.0", true, Model("units: 64.0") },
        { "units: 1e2", true, Model("units: 1e2") },
        { "units: 0x40", true, Model("units: 0x40") },
        { "units: 64.5", false, Model("units: 64.5") },
        { "units: \"64\"", false, Model("units: \"64\"") },
        { "units: 1e400", false, Model("units: 1e400") },
        { "units: 3000000000", false, Model("units: 3000000000") },
        { "units: \"vocab\" (quoted)", true, "model: M\nlayers:\n  - lstm: { units: 8 }\n  - dense: { units: \"vocab\" }\ntext: {}\n" },
        { "dropout: .inf", false, Model("units: 4, dropout: .inf", "gru") },
        { "dropout: 0.5", true, Model("units: 4, dropout: 0.5", "gru") },
        { "description: 123", false, "model: M\ndescription: 123\ninput: { features: 2 }\nlayers:\n  - dense: { units: 1 }\n" },
        { "description: \"123\"", true, "model: M\ndescription: \"123\"\ninput: { features: 2 }\nlayers:\n  - dense: { units: 1 }\n" },
        { "model: true", false, "model: true\ninput: { features: 2 }\nlayers:\n  - dense: { units: 1 }\n" },
        { "model with a non-ASCII letter", true, "model: Modèle\ninput: { features: 2 }\nlayers:\n  - dense: { units: 1 }\n" },
        { "model starting with a digit", false, "model: 1abc\ninput: { features: 2 }\nlayers:\n  - dense: { units: 1 }\n" },
        { "use_bias: True", true, Model("units: 1, use_bias: True") },
        { "use_bias: yes", false, Model("units: 1, use_bias: yes") },
        { "use_bias: tRUE", false, Model("units: 1, use_bias: tRUE") },
        { "a column named by a number", false, Csv("  columns: [a, 2]\n") },
        { "a split with float bounds", true, Weather("").Replace("[0, 200000]", "[0.0, 2e5]") },
        { "a split bound as a string", false, Weather("").Replace("[0, 200000]", "[0, \"200000\"]") },
        { "temperatures as strings", false, "model: M\nlayers:\n  - lstm: { units: 8 }\n  - dense: { units: vocab }\ntext: { corpus: embedded }\nsampling: { temperatures: [\"0.5\"] }\n" },
        { "a bare layer that needs options", false, "model: M\ninput: { features: 2 }\nlayers:\n  - dense\n" },
        { "a bare layer", true, "model: M\ninput: { features: 2, time: 3 }\nlayers:\n  - flatten\n  - dense: { units: 1 }\n" },
        { "validation_steps: all", true, Weather("").Replace("validation_steps: 200", "validation_steps: all") },
        { "validation_steps: \"all\"", true, Weather("").Replace("validation_steps: 200", "validation_steps: \"all\"") },
        { "validation_steps: 3e9", false, Weather("").Replace("validation_steps: 200", "validation_steps: 3e9") },
        { "optimizer given by a typo", false, Weather("").Replace("optimizer: rmsprop", "optimizer: rmsprob") },
        { "optimizer with options", true, Weather("").Replace("optimizer: rmsprop", "optimizer: { adam: { learning_rate: 0.01 } }") },
        { "first_last given directly", true, "model: M\nlayers:\n  - dense: { units: labels }\nepisodes:\n  source: synthetic-icu\n  representation: { first_last: 3 }\n  labels:\n    - death: { column: In-hospital_death }\n" },
        { "a tagged string", true, "model: !!str M\ninput: { features: 2 }\nlayers:\n  - dense: { units: !!int 1 }\n" },
        { "a string tagged as units", false, Model("units: !!str 1") },
        { "a sweep of a layer option and a training key", true, Weather(Sweep("    layers.gru_1.units: [16, 32]\n    training.optimizer.learning_rate: [0.001, 0.0005]\n")) },
        { "a sweep of an optimizer option with a digit", true, Weather(Sweep("    training.optimizer.rho: [0.8, 0.9]\n")).Replace("optimizer: rmsprop", "optimizer: adam").Replace("rho", "beta_1") },
        { "a sweep drawn at random", true, Weather(Sweep("    training.seed: [1, 2, 3]\n") + "  strategy: { random: { count: 2, seed: 7 } }\n") },
        { "a sweep drawn at random without a count", false, Weather(Sweep("    training.seed: [1, 2, 3]\n") + "  strategy: random\n") },
        { "a sweep count of 0", false, Weather(Sweep("    training.seed: [1, 2, 3]\n") + "  strategy: { random: { count: 0 } }\n") },
        { "a sweep strategy misspelt", false, Weather(Sweep("    training.seed: [1, 2, 3]\n") + "  strategy: gird\n") },
        { "a sweep without values", false, Weather("sweep:\n  strategy: grid\n") },
        { "a sweep with empty values", false, Weather("sweep:\n  values: {}\n") },
        { "a sweep key outside layers and training", false, Weather(Sweep("    data.window.step: [3, 6]\n")) },
        { "a sweep key with a layer index", false, Weather(Sweep("    layers.0.units: [3, 6]\n")) },
        { "a sweep value that is not a list", false, Weather(Sweep("    training.seed: 3\n")) },
        { "a sweep value list that is empty", false, Weather(Sweep("    training.seed: []\n")) },
        { "a sweep value that is a list", false, Weather(Sweep("    training.seed: [[1, 2]]\n")) },
        { "a sweep value that is null", false, Weather(Sweep("    training.seed: [1, null]\n")) },
        { "a sweep of a layer the spec lacks (a sweep reference: the build alone refuses it)", true, Weather(Sweep("    layers.gru_9.units: [16]\n")) },
        { "a sweep value of the wrong type for its option (a sweep reference)", true, Weather(Sweep("    layers.gru_1.units: [1.5]\n")) },
        { "a sweep with an unknown key of its own", false, Weather(Sweep("    training.seed: [1]\n") + "  seeds: [1]\n") },
    };

    private static string Sweep(string values) => "sweep:\n  values:\n" + values;

    [Theory]
    [MemberData(nameof(Targeted))]
    public void Targeted_specs_are_accepted_or_rejected_alike(string name, bool accepted, string spec)
    {
        Assert.Null(Disagreement(name, spec));
        Assert.Equal(accepted, SchemaValidator.Errors(spec).Count == 0);
    }

    /// <summary>One mistake in a layer gives one message in the validator's output, not one per layer kind.</summary>
    [Theory]
    [InlineData("unknown layer option", "  - gru: { unitz: 32 }\n")]
    [InlineData("wrong type of a layer option", "  - gru: { units: many }\n")]
    [InlineData("a number that is not whole", "  - gru: { units: 3.5 }\n")]
    [InlineData("unknown layer kind", "  - gruu: { units: 32 }\n")]
    [InlineData("unknown bare layer kind", "  - flaten\n")]
    [InlineData("missing required option", "  - gru: { return_sequences: true }\n")]
    [InlineData("wrong choice", "  - gru: { units: 4, activation: tanhh }\n")]
    [InlineData("a wrapped layer's option", "  - bidirectional: { layer: { gru: { unitz: 4 } } }\n")]
    [InlineData("a size word misspelt", "  - gru: { units: vocabb }\n")]
    public void One_mistake_gives_one_message(string mistake, string layer)
    {
        string spec = "model: M\ninput: { features: 2 }\nlayers:\n" + layer + "  - dense: { units: 1 }\n";
        var errors = SchemaValidator.Errors(spec);
        Assert.True(errors.Count == 1, $"{mistake}: {errors.Count} messages:\n{string.Join("\n", errors)}");
        Assert.NotEmpty(GeneratorHarness.Run(("m.yaml", spec)).Seq);
    }

    [Fact]
    public void One_typo_in_a_section_or_variant_gives_one_message()
    {
        foreach (var (before, after) in new[] { ("optimizer: rmsprop", "optimizer: rmsprob"), ("optimizer: rmsprop", "optimizer: { adam: { learning_rat: 0.1 } }"), ("loss: mae", "loss: maee"), ("epochs: 8", "epocs: 8") })
        {
            var errors = SchemaValidator.Errors(Weather("").Replace(before, after));
            Assert.True(errors.Count == 1, $"{after}: {errors.Count} messages:\n{string.Join("\n", errors)}");
        }
    }

    /// <summary>Null when the validator and the generator agree on the spec; else what each said.</summary>
    private static string? Disagreement(string name, string spec)
    {
        var schemaErrors = SchemaValidator.Errors(spec);
        var build = GeneratorHarness.Run(("spec.yaml", spec)).Seq.Where(d => d.Severity == Microsoft.CodeAnalysis.DiagnosticSeverity.Error).ToList();
        bool buildRejects = build.Any(d => (!s_beyondTheSchema.ContainsKey(d.Id) || IsCatalogConflict(d)) && !IsSweepReference(d));
        if (schemaErrors.Count == 0 && buildRejects)
            return $"{name}: the schema accepts it, the build rejects it:\n{string.Join("\n", build)}\n--- spec ---\n{spec}";
        if (schemaErrors.Count > 0 && build.Count == 0)
            return $"{name}: the build accepts it, the schema rejects it:\n{string.Join("\n", schemaErrors)}\n--- spec ---\n{spec}";
        return null;
    }

    private static bool IsCatalogConflict(Microsoft.CodeAnalysis.Diagnostic diagnostic)
        => diagnostic.Properties.ContainsKey(Diagnostics.DiagnosticInfo.CatalogConflictProperty);

    /// <summary>
    /// A sweep key or value checked against the spec itself (<see cref="Diagnostics.DiagnosticInfo.SweepReferenceProperty"/>):
    /// whether 'layers.gru_1.units' names a layer of this spec and an option of its kind, whether a training key exists for
    /// the spec's optimizer, and what type and range each value needs. The schema states the keys' pattern and lists of
    /// scalars only; the option a path reaches depends on the spec's own layer names.
    /// </summary>
    private static bool IsSweepReference(Microsoft.CodeAnalysis.Diagnostic diagnostic)
        => diagnostic.Properties.ContainsKey(Diagnostics.DiagnosticInfo.SweepReferenceProperty);

    private const string Hash = "f18de3ad269cef59bb07b5438d79bb3042d3be49bdeecf01c1cd6d29695ee066";
    private const string Layers = "model: M\nlayers:\n  - flatten\n  - dense: { units: 1 }\n";
    private const string EttSpec = Layers + "data:\n  source: ett\n  columns: [OT]\n  target: OT\n  window: { lookback: 4 }\n  splits: { train: [0, 100] }\n";
    private const string SyntheticSpec = Layers + "data:\n  source: synthetic-climate\n  target: T (degC)\n  window: { lookback: 4 }\n  splits: { train: [0, 100] }\n";
    private const string CsvSpec = Layers + "data:\n  source: csv\n  path: a.csv\n  columns: [a]\n  target: a\n  window: { lookback: 4 }\n  splits: { train: [0, 100] }\n";
    private const string CsvUrlSpec = Layers + "data:\n  source: csv\n  url: https://example.org/a.csv\n  columns: [a]\n  target: a\n  window: { lookback: 4 }\n  splits: { train: [0, 100] }\n";
    private const string TextSpec = "model: M\nlayers:\n  - lstm: { units: 8 }\n  - dense: { units: vocab }\n";
    private const string EpisodesLayers = "model: M\nlayers:\n  - lstm: { units: 8 }\n  - dense: { units: labels }\n";
    private const string SyntheticIcu = EpisodesLayers + "episodes:\n  source: synthetic-icu\n  labels:\n    - death: { column: in_hospital_death }\n";
    private const string PhysioNet = EpisodesLayers + "episodes:\n  source: physionet-2012\n  path: set-a.tar.gz\n  outcomes: Outcomes-a.txt\n  labels:\n    - death: { column: In-hospital_death }\n";
    private const string LongCsv = EpisodesLayers + "episodes:\n  source: long-csv\n  path: obs.csv\n  outcomes: labels.csv\n  variables: [HR]\n  labels:\n    - death: { column: died }\n";

    /// <summary>
    /// For each conflict of the catalog, a spec that both sides accept and the same spec with the conflicting key: both
    /// reject it, the build with one catalog conflict at the key, the editor with one message at the key that says the same.
    /// </summary>
    public static TheoryData<string, string, string> Conflicts() => new()
    {
        { "channels: independent with text", TextSpec + "text: {}\nchannels: mixed\n", TextSpec + "text: {}\nchannels: independent\n" },
        { "channels: independent with episodes", SyntheticIcu + "channels: mixed\n", SyntheticIcu + "channels: independent\n" },
        { "text with data", SyntheticSpec, SyntheticSpec + "text: {}\n" },
        { "episodes with data", SyntheticIcu, SyntheticIcu + SyntheticSpec.Substring(Layers.Length) },
        { "episodes with text", SyntheticIcu, SyntheticIcu + "text: {}\n" },
        { "episodes with sampling", SyntheticIcu, SyntheticIcu + "sampling: { length: 10 }\n" },
        { "episodes with baseline", SyntheticIcu, SyntheticIcu + "baseline: naive\n" },
        { "features with dtype int64", "model: M\ninput: { dtype: int64, time: 4 }\nlayers:\n  - embedding: { input_dim: 10, output_dim: 4 }\n  - gru: { units: 4 }\n",
            "model: M\ninput: { dtype: int64, time: 4, features: 3 }\nlayers:\n  - embedding: { input_dim: 10, output_dim: 4 }\n  - gru: { units: 4 }\n" },
        { "path with ett", EttSpec, EttSpec + "  path: a.csv\n" },
        { "url with ett", EttSpec, EttSpec + "  url: https://example.org/a.csv\n" },
        { "date_column with ett", EttSpec, EttSpec + "  date_column: date\n" },
        { "date_format with ett", EttSpec, EttSpec + "  date_format: yyyy-MM-dd\n" },
        { "sha256 with synthetic-climate", SyntheticSpec, SyntheticSpec + "  sha256: " + Hash + "\n" },
        { "rows with ett", EttSpec, EttSpec + "  rows: 1000\n" },
        { "series with csv", CsvUrlSpec, CsvUrlSpec + "  series: ETTh2\n" },
        { "csv url with path", CsvUrlSpec, CsvUrlSpec + "  path: a.csv\n" },
        { "csv sha256 without url", CsvSpec, CsvSpec + "  sha256: " + Hash + "\n" },
        { "text url with corpus", TextSpec + "text: { url: https://example.org/b.txt }\n", TextSpec + "text: { url: https://example.org/b.txt, corpus: book.txt }\n" },
        { "text sha256 without a download", TextSpec + "text: { corpus: nietzsche, sha256: " + Hash + " }\n", TextSpec + "text: { corpus: book.txt, sha256: " + Hash + " }\n" },
        { "records with physionet-2012", PhysioNet, PhysioNet + "  records: 10\n" },
        { "seed with long-csv", LongCsv, LongCsv + "  seed: 3\n" },
        { "path with synthetic-icu", SyntheticIcu, SyntheticIcu + "  path: x.csv\n" },
        { "outcomes with synthetic-icu", SyntheticIcu, SyntheticIcu + "  outcomes: y.csv\n" },
        { "test_path with synthetic-icu", SyntheticIcu, SyntheticIcu + "  splits: { test_path: b.tar.gz }\n" },
        { "test_outcomes with synthetic-icu", SyntheticIcu, SyntheticIcu + "  splits: { test_outcomes: b.txt }\n" },
        { "columns with physionet-2012", PhysioNet, PhysioNet + "  columns: { time: t }\n" },
        { "variables with physionet-2012", PhysioNet, PhysioNet + "  variables: [HR]\n" },
        { "statics with synthetic-icu", SyntheticIcu, SyntheticIcu + "  statics: [Age]\n" },
        { "missing_sentinel with physionet-2012", PhysioNet, PhysioNet + "  missing_sentinel: -1\n" },
        { "test_outcomes without test_path", PhysioNet + "  splits: { test_path: b.tar.gz, test_outcomes: b.txt }\n", PhysioNet + "  splits: { test_outcomes: b.txt }\n" },
        { "loss with episodes", SyntheticIcu + "training: { epochs: 2 }\n", SyntheticIcu + "training: { epochs: 2, loss: mse }\n" },
        { "steps_per_epoch with episodes", SyntheticIcu + "training: { epochs: 2 }\n", SyntheticIcu + "training: { epochs: 2, steps_per_epoch: 5 }\n" },
        { "validation_steps with episodes", SyntheticIcu + "training: { epochs: 2 }\n", SyntheticIcu + "training: { epochs: 2, validation_steps: all }\n" },
    };

    [Theory]
    [MemberData(nameof(Conflicts))]
    public void A_conflict_is_one_message_on_both_sides(string name, string accepted, string conflicting)
    {
        Assert.Null(Disagreement(name + " (without the key)", accepted));
        Assert.Empty(SchemaValidator.Errors(accepted));
        Assert.Empty(GeneratorHarness.Run(("spec.yaml", accepted)).Seq);

        var builds = GeneratorHarness.Run(("spec.yaml", conflicting)).Seq.ToList();
        Assert.True(builds.Count == 1, $"{name}: the build gives {builds.Count} messages:\n{string.Join("\n", builds)}");
        var build = builds[0];
        Assert.Equal("SEQ2012", build.Id);
        Assert.True(IsCatalogConflict(build), $"{name}: not marked as a catalog conflict: {build}");
        var conflict = SpecCatalog.Conflicts.Single(c => build.GetMessage(System.Globalization.CultureInfo.InvariantCulture).StartsWith(c.Message, StringComparison.Ordinal));
        // The build reports at the key; its line holds the key's name.
        int line = build.Location.GetLineSpan().StartLinePosition.Line;
        Assert.Contains(conflict.Key + ":", conflicting.Split('\n')[line], StringComparison.Ordinal);

        var editor = SchemaValidator.Errors(conflicting);
        Assert.True(editor.Count == 1, $"{name}: the editor gives {editor.Count} messages:\n{string.Join("\n", editor)}");
        Assert.Equal($"/{conflict.Path.Replace('.', '/')}: {conflict.Message} (not)", editor[0]);
    }

    [Fact]
    public void Every_catalog_conflict_has_a_case()
    {
        var messages = Conflicts().Select(row => (string)row[2])
            .SelectMany(spec => GeneratorHarness.Run(("spec.yaml", spec)).Seq)
            .Select(d => d.GetMessage(System.Globalization.CultureInfo.InvariantCulture)).ToList();
        Assert.All(SpecCatalog.Conflicts, conflict =>
            Assert.True(messages.Any(m => m.StartsWith(conflict.Message, StringComparison.Ordinal)), $"no case for the conflict of '{conflict.Path}': {conflict.Message}"));
    }

    private static string Model(string options, string kind = "dense")
        => $"model: M\ninput: {{ features: 2 }}\nlayers:\n  - {kind}: {{ {options} }}\n  - dense: {{ units: 1 }}\n";

    private static string Weather(string input)
        => File.ReadAllText(Path.Combine(Repo.Root, "examples", "Weather", "weather_gru.yaml")) + input;

    private static string Csv(string columns)
        => "model: M\nlayers:\n  - dense: { units: 1 }\ndata:\n  source: csv\n  path: x.csv\n" + columns
           + "  target: a\n  window: { lookback: 4 }\n  splits: { train: [0, 100] }\n";
}
