using System.Globalization;
using SeqDsl.Generator.Catalog;
using SeqDsl.Generator.Layers;
using SeqDsl.Runtime.Data;
using SeqDsl.Runtime.Episodes;
using SeqDsl.Runtime.Experiments;

namespace SeqDsl.Generator.Tests;

/// <summary>Facts that both the generator and the runtime hold: they must be the same.</summary>
public class SharedFactsTests
{
    [Fact]
    public void Catalog_climate_columns_are_the_synthetic_sources_columns()
        => Assert.Equal(SyntheticClimate.Columns, SpecCatalog.ClimateColumns);

    [Fact]
    public void Every_layer_kind_names_a_runtime_module_and_a_unique_key()
    {
        var runtime = typeof(SyntheticClimate).Assembly;
        Assert.Equal(SpecCatalog.Layers.Count, SpecCatalog.Layers.Select(l => l.Kind).Distinct().Count());
        foreach (var layer in SpecCatalog.Layers)
            Assert.NotNull(runtime.GetType("SeqDsl.Runtime.Layers." + layer.RuntimeClass));
    }

    [Fact]
    public void Layers_that_take_lengths_are_length_aware_at_run_time()
    {
        var runtime = typeof(SyntheticClimate).Assembly;
        foreach (var layer in SpecCatalog.Layers)
        {
            bool lengthAware = typeof(SeqDsl.Runtime.Layers.ILengthAwareModule).IsAssignableFrom(runtime.GetType("SeqDsl.Runtime.Layers." + layer.RuntimeClass));
            Assert.True(lengthAware == (layer.PaddedInput == PaddedInput.LengthAware), $"{layer.Kind}: PaddedInput {layer.PaddedInput}, runtime class length-aware: {lengthAware}");
        }
    }

    /// <summary>
    /// The episodes section's defaults are declared in the catalog (schema, docs, binding) and in the runtime's records
    /// (EpisodesSpec, EpisodePreprocessingOptions, LongCsvEpisodeOptions): they must say the same.
    /// </summary>
    [Fact]
    public void Catalog_episodes_defaults_are_the_runtimes()
    {
        var spec = new EpisodesSpec(EpisodeSourceKind.SyntheticIcu) { Labels = Array.Empty<LabelDefinition>() };
        var preprocessing = new EpisodePreprocessingOptions();
        var csv = new LongCsvEpisodeOptions();
        string Word<TEnum>(TEnum value) where TEnum : struct, Enum => value.ToString();
        var expected = new (string Path, string Runtime)[]
        {
            ("records", spec.Records.ToString(CultureInfo.InvariantCulture)),
            ("seed", spec.SourceSeed.ToString(CultureInfo.InvariantCulture)),
            ("unknown_variables", Word(spec.UnknownVariables)),
            ("columns.record", csv.RecordColumn),
            ("columns.time", csv.TimeColumn),
            ("columns.variable", csv.VariableColumn),
            ("columns.value", csv.ValueColumn),
            ("preprocessing.interval_minutes", preprocessing.IntervalMinutes.ToString(CultureInfo.InvariantCulture)),
            ("preprocessing.aggregate", Word(preprocessing.Aggregate)),
            ("preprocessing.imputation", preprocessing.Imputation == Imputation.ForwardFillThenMedian ? "ForwardFill" : Word(preprocessing.Imputation)),
            ("preprocessing.missing_indicators", preprocessing.MissingIndicators ? "True" : "False"),
            ("preprocessing.time_since_observed", preprocessing.TimeSinceObserved ? "True" : "False"),
            ("preprocessing.scaling", Word(preprocessing.Scaling)),
            ("preprocessing.static_inputs", preprocessing.StaticInputs ? "True" : "False"),
            ("preprocessing.empty_episodes", Word(preprocessing.EmptyEpisodes)),
            ("representation", Word(spec.Representation)),
            ("splits.train", spec.TrainFraction.ToString(CultureInfo.InvariantCulture)),
            ("splits.val", spec.ValidationFraction.ToString(CultureInfo.InvariantCulture)),
            ("splits.seed", spec.SplitSeed.ToString(CultureInfo.InvariantCulture)),
            ("batch_size", spec.BatchSize.ToString(CultureInfo.InvariantCulture)),
            ("target_replication", spec.TargetReplication.ToString(CultureInfo.InvariantCulture)),
            ("auxiliary_weight", spec.AuxiliaryWeight.ToString(CultureInfo.InvariantCulture)),
            ("positive_weight", Word(spec.PositiveWeighting)),
            ("monitor", "Val" + (spec.Monitor == EpisodeMonitor.FirstLabelAuroc ? "FirstAuroc" : Word(spec.Monitor))),
            ("precision_at", spec.PrecisionAt.ToString(CultureInfo.InvariantCulture)),
        };
        foreach (var (path, runtime) in expected)
        {
            string catalog = SpecCatalog.FindByPath("episodes." + path)?.Default ?? throw new InvalidOperationException($"episodes.{path} has no default in the catalog");
            // Words compare as the binder maps them (min_max → MinMax); numbers and column names as written.
            Assert.True(Helpers.Text.ToPascalCase(catalog) == Helpers.Text.ToPascalCase(runtime), $"episodes.{path}: the catalog's default is '{catalog}', the runtime's {runtime}");
        }
        Assert.Equal(spec.FirstLastSteps.ToString(CultureInfo.InvariantCulture), SpecCatalog.FindByPath("episodes.representation.steps", _ => "first_last")!.Default);
        // Left out in a spec, these are null at run time too.
        Assert.Equal((null, null, null, null), (preprocessing.HorizonMinutes, preprocessing.MaxSteps, preprocessing.Include, csv.MissingSentinel));
        Assert.Empty(preprocessing.Exclude);
    }
}
