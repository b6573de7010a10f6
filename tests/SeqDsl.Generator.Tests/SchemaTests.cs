using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using SeqDsl.Generator.Catalog;
using SeqDsl.Generator.Tests.Infrastructure;

namespace SeqDsl.Generator.Tests;

/// <summary>
/// schemas/seqdsl.schema.json is generated from the generator's catalog (the one source of truth) and
/// checked in for editors. The test regenerates it and fails on any drift; SEQDSL_ACCEPT=1 rewrites it.
/// </summary>
public class SchemaTests
{
    private static string SchemaPath => Path.Combine(Repo.Root, "schemas", "seqdsl.schema.json");

    [Fact]
    public void Checked_in_schema_equals_the_one_generated_from_the_catalog()
        => Snapshot.Verify(SchemaWriter.Write(), SchemaPath.Replace("seqdsl.schema.json", "seqdsl.schema.verified.json"), SchemaPath);

    [Fact]
    public void Every_catalog_key_is_in_the_schema_with_its_description()
    {
        var schema = JsonNode.Parse(File.ReadAllText(SchemaPath))!;
        foreach (var layer in SpecCatalog.Layers)
        {
            var options = schema["definitions"]![layer.Kind]!["properties"]![layer.Kind]!["properties"]!.AsObject();
            Assert.Equal(layer.Options.Select(o => o.Name).OrderBy(x => x), options.Select(p => p.Key).OrderBy(x => x));
            foreach (var option in layer.Options)
                Assert.Equal(option.Description, (string?)options[option.Name]!["description"]);
        }
        Assert.Equal(SpecCatalog.RootOptions.Select(o => o.Name).OrderBy(x => x), schema["properties"]!.AsObject().Select(p => p.Key).OrderBy(x => x));
        var window = schema["properties"]!["data"]!["properties"]!["window"]!["properties"]!.AsObject();
        Assert.Equal(SpecCatalog.WindowSection.Children.Select(o => o.Name).OrderBy(x => x), window.Select(p => p.Key).OrderBy(x => x));
        var optimizers = schema["properties"]!["training"]!["properties"]!["optimizer"]!["then"]!["enum"]!.AsArray();
        Assert.Equal(new[] { "rmsprop", "adam", "sgd" }, optimizers.Select(o => (string)o!));
    }

    [Fact]
    public void Every_example_names_the_schema_in_its_modeline()
    {
        foreach (var (_, path) in Repo.ExampleSpecs())
            Assert.StartsWith("# yaml-language-server: $schema=../../schemas/seqdsl.schema.json", File.ReadAllText(path));
    }
}

