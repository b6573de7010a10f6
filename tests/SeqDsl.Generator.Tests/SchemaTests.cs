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
        var optimizers = schema["properties"]!["training"]!["properties"]!["optimizer"]!["oneOf"]!.AsArray();
        Assert.Equal(new[] { "rmsprop", "adam", "sgd" }, optimizers.Select(o => (string)o!["oneOf"]![0]!["const"]!));
    }

    [Fact]
    public void Every_example_names_the_schema_in_its_modeline()
    {
        foreach (var (_, path) in Repo.ExampleSpecs())
            Assert.StartsWith("# yaml-language-server: $schema=../../schemas/seqdsl.schema.json", File.ReadAllText(path));
    }
}

/// <summary>Writes the JSON Schema (draft-07, what VS Code's YAML extension reads) of the spec language.</summary>
internal static class SchemaWriter
{
    public static string Write()
    {
        var definitions = new JsonObject();
        foreach (var layer in SpecCatalog.Layers)
        {
            bool anyRequired = layer.Options.Any(o => o.Required);
            var body = new JsonObject
            {
                ["type"] = anyRequired ? "object" : new JsonArray("object", "null"),
                ["description"] = layer.Description,
                ["additionalProperties"] = false,
                ["properties"] = Properties(layer.Options),
            };
            if (anyRequired) body["required"] = new JsonArray(layer.Options.Where(o => o.Required).Select(o => (JsonNode)o.Name).ToArray());
            definitions[layer.Kind] = new JsonObject
            {
                ["type"] = "object",
                ["description"] = $"{layer.KerasName}: {layer.Description}",
                ["additionalProperties"] = false,
                ["required"] = new JsonArray(layer.Kind),
                ["properties"] = new JsonObject { [layer.Kind] = body },
            };
        }
        var bare = SpecCatalog.Layers.Where(l => !l.Options.Any(o => o.Required)).Select(l => (JsonNode)l.Kind).ToArray();
        definitions["layer"] = new JsonObject
        {
            ["description"] = "One layer: a mapping from the layer type to its options, e.g. { gru: { units: 32 } }; a type without required options may stand alone (- flatten).",
            ["oneOf"] = new JsonArray(SpecCatalog.Layers.Select(l => (JsonNode)Ref(l.Kind))
                .Append(new JsonObject { ["enum"] = new JsonArray(bare) }).ToArray()),
        };
        definitions["recurrentLayer"] = new JsonObject
        {
            ["description"] = "A recurrent layer: gru, lstm or simple_rnn.",
            ["oneOf"] = new JsonArray(SpecCatalog.Layers.Where(l => l.IsRecurrent).Select(l => (JsonNode)Ref(l.Kind)).ToArray()),
        };

        var root = new JsonObject
        {
            ["$schema"] = "http://json-schema.org/draft-07/schema#",
            ["title"] = "SeqDsl spec",
            ["description"] = "A sequence model written as YAML; the SeqDsl source generator compiles it into a typed TorchSharp model class. Generated from the generator's catalog: do not edit by hand.",
            ["type"] = "object",
            ["additionalProperties"] = false,
            ["required"] = new JsonArray(SpecCatalog.RootOptions.Where(o => o.Required).Select(o => (JsonNode)o.Name).ToArray()),
            ["properties"] = Properties(SpecCatalog.RootOptions),
            ["definitions"] = definitions,
        };
        root["properties"]!["input"] = new JsonObject
        {
            ["type"] = "object",
            ["description"] = SpecCatalog.RootOptions.First(o => o.Name == "input").Description,
            ["additionalProperties"] = false,
            ["properties"] = Properties(SpecCatalog.InputOptions),
        };
        root["properties"]!["layers"] = new JsonObject
        {
            ["type"] = "array",
            ["description"] = SpecCatalog.RootOptions.First(o => o.Name == "layers").Description,
            ["minItems"] = 1,
            ["items"] = Ref("layer"),
        };
        return root.ToJsonString(new JsonSerializerOptions { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }).Replace("\r\n", "\n") + "\n";
    }

    private static JsonObject Ref(string name) => new() { ["$ref"] = $"#/definitions/{name}" };

    private static JsonObject Properties(IEnumerable<OptionDef> options)
    {
        var properties = new JsonObject();
        foreach (var option in options)
            properties[option.Name] = Property(option);
        return properties;
    }

    private static JsonObject Property(OptionDef option)
    {
        var node = new JsonObject();
        switch (option.Type)
        {
            case OptionType.Integer when option.AllowsVocab:
                var number = new JsonObject { ["type"] = "integer" };
                Range(number, option);
                number["maximum"] ??= Parsing.SpecLimits.MaxInteger;
                node["oneOf"] = option.AllowsLabels
                    ? new JsonArray(number, new JsonObject { ["const"] = "vocab" }, new JsonObject { ["const"] = Model.NamedSizes.LabelsWord })
                    : new JsonArray(number, new JsonObject { ["const"] = "vocab" });
                break;
            case OptionType.Integer:
                node["type"] = option.Nullable ? new JsonArray("integer", "null") : "integer";
                Range(node, option);
                node["maximum"] ??= Parsing.SpecLimits.MaxInteger;
                break;
            case OptionType.NumberList:
                var item = new JsonObject { ["type"] = "number" };
                Range(item, option);
                node["type"] = "array";
                node["items"] = item;
                node["minItems"] = 1;
                break;
            case OptionType.EntryList:
                var entry = new JsonObject
                {
                    ["type"] = "object",
                    ["additionalProperties"] = false,
                    ["required"] = new JsonArray(option.Children.Where(c => c.Required).Select(c => (JsonNode)c.Name).ToArray()),
                    ["properties"] = Properties(option.Children),
                };
                node["type"] = "array";
                node["minItems"] = 1;
                node["items"] = new JsonObject
                {
                    ["type"] = "object",
                    ["description"] = "One entry: its name mapped to its options.",
                    ["minProperties"] = 1,
                    ["maxProperties"] = 1,
                    ["additionalProperties"] = entry,
                };
                break;
            case OptionType.Number:
                node["type"] = "number";
                Range(node, option);
                break;
            case OptionType.Boolean:
                node["type"] = "boolean";
                break;
            case OptionType.Choice:
                node["enum"] = new JsonArray(option.Choices.Select(c => (JsonNode)c).ToArray());
                break;
            case OptionType.Identifier:
                node["type"] = "string";
                node["pattern"] = option.Name == "namespace" ? "^[A-Za-z_][A-Za-z0-9_]*(\\.[A-Za-z_][A-Za-z0-9_]*)*$" : "^[A-Za-z_][A-Za-z0-9_]*$";
                break;
            case OptionType.Text:
                node["type"] = "string";
                break;
            case OptionType.Layer:
                node.Add("$ref", "#/definitions/recurrentLayer");
                break;
            case OptionType.LayerList:
                node["type"] = "array";
                node["items"] = Ref("layer");
                break;
            case OptionType.LayerLists:
                node["type"] = "array";
                node["minItems"] = 2;
                node["items"] = new JsonObject { ["type"] = "array", ["items"] = Ref("layer") };
                break;
            case OptionType.TextList:
                node["type"] = "array";
                node["items"] = new JsonObject { ["type"] = "string" };
                node["minItems"] = 1;
                break;
            case OptionType.Split:
                node["type"] = "array";
                node["items"] = new JsonArray(
                    new JsonObject { ["type"] = "integer", ["minimum"] = 0 },
                    new JsonObject { ["oneOf"] = new JsonArray(new JsonObject { ["type"] = "integer", ["minimum"] = 1 }, new JsonObject { ["const"] = "end" }) });
                node["minItems"] = 2;
                node["maxItems"] = 2;
                break;
            case OptionType.IntegerOrAll:
                node["oneOf"] = new JsonArray(new JsonObject { ["type"] = "integer", ["exclusiveMinimum"] = 0 }, new JsonObject { ["const"] = "all" });
                break;
            case OptionType.Section:
                node["type"] = "object";
                node["additionalProperties"] = false;
                node["properties"] = Properties(option.Children);
                if (option.Children.Any(c => c.Required))
                    node["required"] = new JsonArray(option.Children.Where(c => c.Required).Select(c => (JsonNode)c.Name).ToArray());
                break;
            case OptionType.Variant:
                node["oneOf"] = new JsonArray(option.Variants.Select(v => (JsonNode)new JsonObject
                {
                    ["description"] = v.Description,
                    ["oneOf"] = new JsonArray(
                        new JsonObject { ["const"] = v.Name },
                        new JsonObject
                        {
                            ["type"] = "object",
                            ["additionalProperties"] = false,
                            ["required"] = new JsonArray(v.Name),
                            ["properties"] = new JsonObject
                            {
                                // A variant with one option may give its value directly: { first_last: 6 }.
                                [v.Name] = v.Options.Count == 1
                                    ? new JsonObject { ["oneOf"] = new JsonArray(VariantBody(v), Property(v.Options[0])) }
                                    : VariantBody(v),
                            },
                        }),
                }).ToArray());
                break;
        }
        node["description"] = option.Description;
        if (option.Default is { } list && option.Type == OptionType.NumberList)
            node["default"] = new JsonArray(list.Split(',').Select(v => (JsonNode)JsonValue.Create(double.Parse(v, CultureInfo.InvariantCulture))).ToArray());
        else if (option.Default is { } value)
        {
            node["default"] = value == "null" ? null : option.Type switch
            {
                OptionType.Integer => JsonValue.Create(long.Parse(value, CultureInfo.InvariantCulture)),
                OptionType.IntegerOrAll when value != "all" => JsonValue.Create(long.Parse(value, CultureInfo.InvariantCulture)),
                OptionType.Number => JsonValue.Create(double.Parse(value, CultureInfo.InvariantCulture)),
                OptionType.Boolean => JsonValue.Create(value == "true"),
                _ => JsonValue.Create(value),
            };
        }
        return node;
    }

    private static JsonObject VariantBody(VariantDef variant)
        => new() { ["type"] = new JsonArray("object", "null"), ["additionalProperties"] = false, ["properties"] = Properties(variant.Options) };

    private static void Range(JsonObject node, OptionDef option)
    {
        if (option.Minimum is double min) node[option.MinimumExclusive ? "exclusiveMinimum" : "minimum"] = min;
        if (option.Maximum is double max) node[option.MaximumExclusive ? "exclusiveMaximum" : "maximum"] = max;
    }
}
