using SeqDsl.Generator.Catalog;
using SeqDsl.Runtime.Data;

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
}
