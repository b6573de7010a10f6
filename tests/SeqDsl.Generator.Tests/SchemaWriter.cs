using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using SeqDsl.Generator.Catalog;

namespace SeqDsl.Generator.Tests;

/// <summary>
/// Writes the JSON Schema (draft-07, what VS Code's YAML extension reads) of the spec language from the catalog.
/// Alternatives are discriminated with if/then on their key or JSON type instead of oneOf, so that one mistake
/// gives an editor one message: a layer entry is checked against the one layer its key names, a variant against
/// the one variant it names, and a value that may be a number or a word against one of the two.
/// </summary>
internal static class SchemaWriter
{
    /// <summary>
    /// Every JSON number is finite; YAML's .inf is not. An editor compares .inf with this maximum and refuses it,
    /// as the build does.
    /// </summary>
    private const double LargestNumber = double.MaxValue;

    public static string Write()
    {
        var definitions = new JsonObject();
        foreach (var layer in SpecCatalog.Layers)
        {
            var required = layer.Options.Where(o => o.Required).Select(o => (JsonNode)o.Name).ToArray();
            var body = new JsonObject
            {
                ["type"] = required.Length > 0 ? "object" : new JsonArray("object", "null"),
                ["description"] = layer.Description,
                ["additionalProperties"] = false,
                ["properties"] = Properties(layer.Options),
            };
            // As the build does, a required option is asked for only once the keys given are all known:
            // a misspelt 'unitz' is one message (unknown key), not two.
            if (required.Length > 0)
            {
                body["if"] = new JsonObject { ["propertyNames"] = Enum(layer.Options.Select(o => o.Name)) };
                body["then"] = new JsonObject { ["required"] = new JsonArray(required) };
            }
            definitions[layer.Kind] = new JsonObject
            {
                ["type"] = "object",
                ["description"] = $"{layer.KerasName}: {layer.Description}",
                ["properties"] = new JsonObject { [layer.Kind] = body },
            };
        }
        var bare = SpecCatalog.Layers.Where(l => !l.Options.Any(o => o.Required)).Select(l => l.Kind);
        definitions["layer"] = KeyedAlternatives(
            "One layer: a mapping from the layer type to its options, e.g. { gru: { units: 32 } }; a type without required options may stand alone (- flatten).",
            SpecCatalog.Layers.Select(l => l.Kind), bare, kind => Ref(kind));
        definitions["recurrentLayer"] = KeyedAlternatives("A recurrent layer: gru, lstm or simple_rnn.",
            SpecCatalog.Layers.Where(l => l.IsRecurrent).Select(l => l.Kind), Array.Empty<string>(), kind => Ref(kind));

        var root = new JsonObject
        {
            ["$schema"] = "http://json-schema.org/draft-07/schema#",
            ["title"] = "SeqDsl spec",
            ["description"] = "A sequence model written as YAML; the SeqDsl source generator compiles it into a typed TorchSharp model class. Generated from the generator's catalog: do not edit by hand.",
            ["type"] = "object",
            ["additionalProperties"] = false,
            ["required"] = new JsonArray(SpecCatalog.RootOptions.Where(o => o.Required).Select(o => (JsonNode)o.Name).ToArray()),
            ["properties"] = Properties(SpecCatalog.RootOptions),
            ["allOf"] = new JsonArray(SpecCatalog.Requirements.Select(r => (JsonNode)new JsonObject
            {
                ["if"] = Condition(r.When),
                ["then"] = Required(r.Path),
            }).Concat(SpecCatalog.Conflicts.Select(c => (JsonNode)new JsonObject
            {
                ["if"] = Condition(c.When),
                ["then"] = Refused(c),
            })).ToArray()),
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

    /// <summary>
    /// A value that is one of several alternatives named by a key: a string naming one that needs no options
    /// (<paramref name="bare"/>), or a one-key mapping checked against the alternative its key names only.
    /// </summary>
    private static JsonObject KeyedAlternatives(string? description, IEnumerable<string> names, IEnumerable<string> bare, Func<string, JsonObject> schemaOf)
    {
        var all = names.ToArray();
        var node = new JsonObject();
        if (description is not null) node["description"] = description;
        var bareNames = bare.ToArray();
        var mapping = new JsonObject
        {
            ["minProperties"] = 1,
            ["maxProperties"] = 1,
            ["propertyNames"] = Enum(all),
            ["allOf"] = new JsonArray(all.Select(name => (JsonNode)new JsonObject
            {
                ["if"] = new JsonObject { ["required"] = new JsonArray(name) },
                ["then"] = schemaOf(name),
            }).ToArray()),
        };
        if (bareNames.Length == 0)
        {
            node["type"] = "object";
            foreach (var pair in mapping.ToArray())
            {
                mapping.Remove(pair.Key);
                node[pair.Key] = pair.Value;
            }
            return node;
        }
        node["type"] = new JsonArray("object", "string");
        node["if"] = new JsonObject { ["type"] = "string" };
        node["then"] = Enum(bareNames);
        node["else"] = mapping;
        return node;
    }

    /// <summary>A catalog condition as a schema that a spec matches exactly when the condition holds for it.</summary>
    private static JsonObject Condition(KeyCondition condition) => condition switch
    {
        PresentCondition present => AtPath(present.Path, null),
        IsCondition word => AtPath(word.Path, word.Words.Count == 1 ? new JsonObject { ["const"] = word.Words[0] } : Enum(word.Words)),
        NotCondition not => new JsonObject { ["not"] = Condition(not.Inner) },
        AnyOfCondition any => new JsonObject { ["anyOf"] = new JsonArray(any.Conditions.Select(c => (JsonNode)Condition(c)).ToArray()) },
        AllOfCondition all => new JsonObject { ["allOf"] = new JsonArray(all.Conditions.Select(c => (JsonNode)Condition(c)).ToArray()) },
        _ => throw new NotSupportedException(condition.GetType().Name),
    };

    /// <summary>The key path is present (in mappings all the way down) and, when given, matches <paramref name="leaf"/>.</summary>
    private static JsonObject AtPath(string path, JsonObject? leaf)
    {
        var keys = path.Split('.');
        JsonObject node = leaf ?? new JsonObject();
        for (int i = keys.Length - 1; i >= 0; i--)
        {
            var outer = new JsonObject { ["required"] = new JsonArray(keys[i]), ["properties"] = new JsonObject { [keys[i]] = node } };
            if (i > 0) outer["type"] = "object";
            node = outer;
        }
        return node;
    }

    /// <summary>The key at the path is required where its parent mapping exists (the build checks it there).</summary>
    private static JsonObject Required(string path)
    {
        var keys = path.Split('.');
        JsonObject node = new() { ["required"] = new JsonArray(keys[^1]) };
        for (int i = keys.Length - 2; i >= 0; i--)
            node = new JsonObject { ["properties"] = new JsonObject { [keys[i]] = node } };
        return node;
    }

    /// <summary>
    /// The conflicting key (or its conflicting word) refused where its parent mapping exists: one 'not' at the key's
    /// value, whose errorMessage (shown by VS Code's JSON and YAML language servers instead of "Matches a schema that
    /// is not allowed") is the build's message.
    /// </summary>
    private static JsonObject Refused(Conflict conflict)
    {
        var keys = conflict.Path.Split('.');
        JsonObject node = new()
        {
            ["not"] = conflict.Word is { } word ? new JsonObject { ["const"] = word } : new JsonObject(),
            ["errorMessage"] = conflict.Message,
        };
        for (int i = keys.Length - 1; i >= 0; i--)
            node = new JsonObject { ["properties"] = new JsonObject { [keys[i]] = node } };
        return node;
    }

    private static JsonObject Ref(string name) => new() { ["$ref"] = $"#/definitions/{name}" };

    private static JsonObject Enum(IEnumerable<string> values) => new() { ["enum"] = new JsonArray(values.Select(v => (JsonNode)v).ToArray()) };

    private static JsonObject Properties(IEnumerable<OptionDef> options)
    {
        var properties = new JsonObject();
        foreach (var option in options)
            properties[option.Name] = Property(option);
        return properties;
    }

    /// <summary>An integer within the option's range and <see cref="Parsing.SpecLimits.MaxInteger"/>.</summary>
    private static JsonObject Integer(OptionDef option)
    {
        var node = new JsonObject { ["type"] = "integer" };
        Range(node, option);
        node["maximum"] ??= Parsing.SpecLimits.MaxInteger;
        return node;
    }

    /// <summary>A value that is a number (<paramref name="number"/>) or one of some words.</summary>
    private static JsonObject NumberOrWord(JsonObject number, params string[] words)
    {
        string type = (string)number["type"]!;
        number.Remove("type");
        return new JsonObject
        {
            ["type"] = new JsonArray(type, "string"),
            ["if"] = new JsonObject { ["type"] = "string" },
            ["then"] = Enum(words),
            ["else"] = number,
        };
    }

    private static JsonObject Property(OptionDef option)
    {
        var node = new JsonObject();
        switch (option.Type)
        {
            case OptionType.Integer when option.AllowsVocab:
                node = option.AllowsLabels
                    ? NumberOrWord(Integer(option), "vocab", Model.NamedSizes.LabelsWord)
                    : NumberOrWord(Integer(option), "vocab");
                break;
            case OptionType.Integer:
                node = Integer(option);
                if (option.Nullable) node["type"] = new JsonArray("integer", "null");
                break;
            case OptionType.NumberList:
                var item = new JsonObject { ["type"] = "number" };
                Range(item, option);
                item["maximum"] ??= LargestNumber;
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
                node["maximum"] ??= LargestNumber;
                break;
            case OptionType.Boolean:
                node["type"] = "boolean";
                break;
            case OptionType.Choice:
                node = Enum(option.Choices);
                break;
            case OptionType.Identifier:
                // Letters as .NET's char.IsLetter and IsLetterOrDigit count them (what the build accepts), in ECMA 262 with the u flag.
                const string Name = @"[\p{L}_][\p{L}\p{Nd}_]*";
                node["type"] = "string";
                node["pattern"] = option.Name == "namespace" ? $"^{Name}(\\.{Name})*$" : $"^{Name}$";
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
            case OptionType.Columns:
                // One column name, the word 'all' (a string too), or a list of names; array keywords apply to arrays only.
                node["type"] = new JsonArray("string", "array");
                node["items"] = new JsonObject { ["type"] = "string" };
                node["minItems"] = 1;
                break;
            case OptionType.Split:
                var start = new OptionDef("start", OptionType.Integer, "") { Minimum = 0 };
                var end = new OptionDef("end", OptionType.Integer, "") { Minimum = 1 };
                node["type"] = "array";
                node["items"] = new JsonArray(Integer(start), NumberOrWord(Integer(end), "end"));
                node["minItems"] = 2;
                node["maxItems"] = 2;
                break;
            case OptionType.IntegerOrAll:
                node = NumberOrWord(Integer(option), "all");
                break;
            case OptionType.SweepValues:
                // The schema states the keys' form and that each lists scalars; which layers and options exist, and what each
                // value must be, only the spec tells (the build reports those as sweep references).
                node["type"] = "object";
                node["minProperties"] = 1;
                node["propertyNames"] = new JsonObject { ["pattern"] = SpecCatalog.SweepKeyPattern };
                node["additionalProperties"] = new JsonObject
                {
                    ["type"] = "array",
                    ["minItems"] = 1,
                    ["items"] = new JsonObject { ["type"] = new JsonArray("number", "string", "boolean") },
                };
                break;
            case OptionType.Section:
                node["type"] = "object";
                node["additionalProperties"] = false;
                node["properties"] = Properties(option.Children);
                if (option.Children.Any(c => c.Required))
                    node["required"] = new JsonArray(option.Children.Where(c => c.Required).Select(c => (JsonNode)c.Name).ToArray());
                break;
            case OptionType.Variant:
                // A variant with a required option cannot stand alone.
                node = KeyedAlternatives(null, option.Variants.Select(v => v.Name), option.Variants.Where(v => !v.Options.Any(o => o.Required)).Select(v => v.Name), name =>
                {
                    var variant = option.Variants.First(v => v.Name == name);
                    var required = variant.Options.Where(o => o.Required).Select(o => (JsonNode)o.Name).ToArray();
                    var body = new JsonObject { ["type"] = required.Length > 0 ? "object" : new JsonArray("object", "null"), ["description"] = variant.Description, ["additionalProperties"] = false, ["properties"] = Properties(variant.Options) };
                    if (required.Length > 0) body["required"] = new JsonArray(required);
                    // A variant with one option may give its value directly: { first_last: 6 }.
                    if (variant.Options.Count == 1)
                    {
                        body.Remove("type");
                        body = new JsonObject { ["if"] = new JsonObject { ["type"] = new JsonArray("object", "null") }, ["then"] = body, ["else"] = Property(variant.Options[0]) };
                    }
                    return new JsonObject { ["properties"] = new JsonObject { [name] = body } };
                });
                node["description"] = option.Description + " " + string.Join("; ", option.Variants.Select(v => $"{v.Name}: {v.Description}"));
                break;
        }
        node["description"] ??= option.Description;
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

    private static void Range(JsonObject node, OptionDef option)
    {
        if (option.Minimum is double min) node[option.MinimumExclusive ? "exclusiveMinimum" : "minimum"] = min;
        if (option.Maximum is double max) node[option.MaximumExclusive ? "exclusiveMaximum" : "maximum"] = max;
    }
}
