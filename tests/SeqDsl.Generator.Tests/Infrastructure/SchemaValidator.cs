using System.Globalization;
using System.Numerics;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Json.Schema;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace SeqDsl.Generator.Tests.Infrastructure;

/// <summary>
/// What an editor does with a spec: YAML → JSON as the YAML language server reads it (YAML 1.2 core schema), then
/// the JSON Schema of schemas/ checked by a real validator (JsonSchema.Net 8). The YAML-to-JSON step is written
/// here from the YAML 1.2.2 specification, not taken from the generator, so it checks the generator's reading.
/// </summary>
internal static class SchemaValidator
{
    private static readonly Lazy<JsonSchema> s_shipped = new(() => Load(Path.Combine(Repo.Root, "schemas", "seqdsl.schema.json")));

    private static readonly Lazy<JsonNode?> s_shippedText = new(() => JsonNode.Parse(File.ReadAllText(Path.Combine(Repo.Root, "schemas", "seqdsl.schema.json"))));

    public static JsonSchema Shipped => s_shipped.Value;

    public static JsonSchema Load(string path) => JsonSchema.FromText(File.ReadAllText(path));

    /// <summary>
    /// The validator's messages for a spec (each "location: message (keyword)"), empty when it is valid: the errors of
    /// the subschemas that made it fail, as an editor lists them (an 'if' that does not match and a branch of a
    /// passing 'anyOf' are no errors). A spec that is not YAML gives the YAML error, as an editor shows it.
    /// </summary>
    public static IReadOnlyList<string> Errors(string yaml, JsonSchema? schema = null)
    {
        string json;
        try
        {
            json = YamlToJson(yaml);
        }
        catch (Exception e) when (e is YamlException or InvalidOperationException or ArgumentException)
        {
            // YamlDotNet reports some malformed documents (an unclosed flow mapping) without a YamlException.
            return new[] { "YAML: " + e.Message };
        }
        using var document = JsonDocument.Parse(json);
        var results = (schema ?? Shipped).Evaluate(document.RootElement, new EvaluationOptions { OutputFormat = OutputFormat.Hierarchical });
        var errors = new List<string>();
        Collect(results, errors, schema is null ? s_shippedText.Value : null);
        return errors;
    }

    private static void Collect(EvaluationResults node, List<string> errors, JsonNode? schemaText)
    {
        // An 'if' that does not match only chooses 'else'; it is never an error itself.
        if (node.IsValid || node.EvaluationPath.ToString().EndsWith("/if", StringComparison.Ordinal)) return;
        string location = node.InstanceLocation.ToString() is { Length: > 0 } at ? at : "/";
        if (node.Errors is { } messages)
            foreach (var (keyword, message) in messages)
                errors.Add($"{location}: {message} ({keyword})");
        // JsonSchema.Net gives a failed 'not' no message; an editor says its errorMessage (else "Matches a schema that is not allowed.").
        else if (node.Details?.Any(child => child.IsValid && child.EvaluationPath.ToString().EndsWith("/not", StringComparison.Ordinal)) == true)
            errors.Add($"{location}: {ErrorMessage(schemaText, node) ?? "Matches a schema that is not allowed."} (not)");
        foreach (var child in node.Details ?? Enumerable.Empty<EvaluationResults>()) Collect(child, errors, schemaText);
    }

    /// <summary>
    /// The errorMessage of the subschema whose 'not' failed, which VS Code's JSON and YAML language servers show in place
    /// of their own text; null when it has none. Found by the evaluation path, which for the root's own subschemas (no
    /// $ref on the way) is a path into the schema's text.
    /// </summary>
    private static string? ErrorMessage(JsonNode? schemaText, EvaluationResults node)
    {
        JsonNode? at = schemaText;
        foreach (var segment in node.EvaluationPath.ToString().Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            string key = segment.Replace("~1", "/").Replace("~0", "~");
            at = at switch
            {
                JsonObject obj => obj[key],
                JsonArray array when int.TryParse(key, out int i) && i < array.Count => array[i],
                _ => null,
            };
            if (at is null) return null;
        }
        return at is JsonObject { } subschema && subschema["errorMessage"] is JsonValue text ? (string?)text : null;
    }

    /// <summary>The spec as JSON text: mappings become objects (keys as their text), sequences arrays, scalars by the core schema.</summary>
    public static string YamlToJson(string yaml)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(yaml));
        var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            if (stream.Documents.Count == 0) writer.WriteNullValue();
            else Write(writer, stream.Documents[0].RootNode);
        }
        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    private static void Write(Utf8JsonWriter writer, YamlNode node)
    {
        switch (node)
        {
            case YamlMappingNode mapping:
                writer.WriteStartObject();
                foreach (var pair in mapping.Children)
                {
                    writer.WritePropertyName(pair.Key is YamlScalarNode key ? key.Value ?? "" : pair.Key.ToString());
                    Write(writer, pair.Value);
                }
                writer.WriteEndObject();
                break;
            case YamlSequenceNode sequence:
                writer.WriteStartArray();
                foreach (var item in sequence.Children) Write(writer, item);
                writer.WriteEndArray();
                break;
            case YamlScalarNode scalar:
                WriteScalar(writer, scalar);
                break;
            default:
                throw new NotSupportedException(node.GetType().Name);
        }
    }

    // YAML 1.2.2, 10.3.2 (the core schema's tag resolution); the yaml package that the YAML language server uses follows it.
    private static readonly Regex s_null = new("^(~|null|Null|NULL|)$");
    private static readonly Regex s_bool = new("^(true|True|TRUE|false|False|FALSE)$");
    private static readonly Regex s_int10 = new("^[-+]?[0-9]+$");
    private static readonly Regex s_int8 = new("^0o[0-7]+$");
    private static readonly Regex s_int16 = new("^0x[0-9a-fA-F]+$");
    private static readonly Regex s_float = new(@"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$");
    private static readonly Regex s_inf = new(@"^[-+]?\.(inf|Inf|INF)$");

    private static void WriteScalar(Utf8JsonWriter writer, YamlScalarNode scalar)
    {
        string text = scalar.Value ?? "";
        string tag = scalar.Tag.IsEmpty ? "" : scalar.Tag.Value;
        bool plain = scalar.Style is ScalarStyle.Plain or ScalarStyle.Any;
        // Quoted and block scalars are strings; so is any tag other than the core ones (editors fall back to a string).
        bool resolve = tag switch
        {
            "" => plain,
            "tag:yaml.org,2002:null" or "tag:yaml.org,2002:bool" or "tag:yaml.org,2002:int" or "tag:yaml.org,2002:float" => true,
            _ => false,
        };
        if (!resolve) { writer.WriteStringValue(text); return; }
        if (s_null.IsMatch(text)) writer.WriteNullValue();
        else if (s_bool.IsMatch(text)) writer.WriteBooleanValue(text[0] is 't' or 'T');
        else if (s_int10.IsMatch(text)) writer.WriteRawValue(BigInteger.Parse(text, CultureInfo.InvariantCulture).ToString(CultureInfo.InvariantCulture));
        else if (s_int8.IsMatch(text) || s_int16.IsMatch(text))
        {
            int radix = text[1] == 'o' ? 8 : 16;
            var value = text.Substring(2).Aggregate(BigInteger.Zero, (v, c) => v * radix + Convert.ToInt32(c.ToString(), 16));
            writer.WriteRawValue(value.ToString(CultureInfo.InvariantCulture));
        }
        else if (s_float.IsMatch(text))
        {
            // JSON takes the literal as YAML wrote it (after making '.5' and '5.' JSON numbers); 1e400 stays a number too large for a double, as in JavaScript (Infinity).
            string json = text.TrimStart('+');
            json = Regex.Replace(json, @"^(-?)\.", "${1}0.");
            json = Regex.Replace(json, @"\.([eE]|$)", ".0$1");
            writer.WriteRawValue(json);
        }
        else if (s_inf.IsMatch(text)) writer.WriteRawValue(text[0] == '-' ? "-1e400" : "1e400");
        else if (text is ".nan" or ".NaN" or ".NAN") throw new NotSupportedException("JSON has no NaN; the JSON Schema cannot speak of .nan (the build refuses it)");
        else writer.WriteStringValue(text);
    }
}
