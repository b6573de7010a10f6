using System;
using System.Collections.Generic;
using System.IO;
using System.Text.Json;
using SeqDsl.Runtime.IO;

namespace SeqDsl.Runtime.Reporting;

/// <summary>
/// The metrics of one training run, written as <c>metrics.json</c>. Metrics are kept in normalized units (what the model
/// sees); <see cref="Write"/> also writes each one converted to the target's own unit, so readers need not know the std.
/// </summary>
public sealed record MetricsReport
{
    /// <summary>Experiment (spec) name.</summary>
    public required string Experiment { get; init; }

    /// <summary>The predicted column, e.g. <c>T (degC)</c>.</summary>
    public required string Target { get; init; }

    /// <summary>Unit of the target column, e.g. <c>degC</c>.</summary>
    public required string TargetUnit { get; init; }

    /// <summary>Standard deviation of the target over the training split: a normalized error times this is an error in <see cref="TargetUnit"/>.</summary>
    public required double TargetStd { get; init; }

    /// <summary>MAE of the naive (last value) baseline on the validation split, normalized.</summary>
    public double? NaiveValMae { get; init; }

    /// <summary>Validation MAE of the model at its best epoch, normalized.</summary>
    public double? BestValMae { get; init; }

    /// <summary>The 1-based epoch with the lowest validation loss.</summary>
    public int? BestEpoch { get; init; }

    /// <summary>Test MAE of the model, normalized.</summary>
    public double? TestMae { get; init; }

    /// <summary>Test MSE of the model, normalized.</summary>
    public double? TestMse { get; init; }

    /// <summary>MAE of the naive baseline on the test split, normalized.</summary>
    public double? NaiveTestMae { get; init; }

    /// <summary>Epochs actually trained (fewer than configured when stopped early).</summary>
    public int Epochs { get; init; }

    /// <summary>Wall-clock training time in seconds.</summary>
    public double TrainSeconds { get; init; }

    /// <summary>Further named values, written unchanged under <c>extra</c>.</summary>
    public Dictionary<string, double> Extra { get; init; } = new();

    private static readonly JsonWriterOptions WriterOptions = new() { Indented = true };

    /// <summary>
    /// Writes the report as indented JSON with snake_case keys, atomically. Each metric appears normalized and with a
    /// <c>_target_units</c> twin (MAE × std; MSE × std², i.e. in the unit squared); absent metrics are omitted.
    /// Non-finite values (a diverged run) are written as the strings <c>"NaN"</c>, <c>"Infinity"</c>, <c>"-Infinity"</c>.
    /// </summary>
    public void Write(string path)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, WriterOptions))
        {
            json.WriteStartObject();
            json.WriteString("experiment", Experiment);
            json.WriteString("target", Target);
            json.WriteString("target_unit", TargetUnit);
            WriteNumber(json, "target_std", TargetStd);
            WriteMetric(json, "naive_val_mae", NaiveValMae, TargetStd);
            WriteMetric(json, "best_val_mae", BestValMae, TargetStd);
            if (BestEpoch is int best)
                json.WriteNumber("best_epoch", best);
            WriteMetric(json, "test_mae", TestMae, TargetStd);
            WriteMetric(json, "test_mse", TestMse, TargetStd * TargetStd);
            WriteMetric(json, "naive_test_mae", NaiveTestMae, TargetStd);
            json.WriteNumber("epochs", Epochs);
            WriteNumber(json, "train_seconds", TrainSeconds);
            if (Extra.Count > 0)
            {
                json.WriteStartObject("extra");
                foreach (var (key, value) in Extra)
                    WriteNumber(json, key, value);
                json.WriteEndObject();
            }
            json.WriteEndObject();
        }
        buffer.WriteByte((byte)'\n');
        AtomicFile.Write(path, stream => buffer.WriteTo(stream));
    }

    /// <summary>Reads a report written by <see cref="Write"/>; the derived <c>_target_units</c> values are ignored.</summary>
    /// <exception cref="InvalidDataException">A required key is missing or a value has the wrong type.</exception>
    public static MetricsReport Read(string path)
    {
        using var stream = File.OpenRead(path);
        using var document = JsonDocument.Parse(stream);
        var root = document.RootElement;
        if (root.ValueKind != JsonValueKind.Object)
            throw new InvalidDataException($"{path}: expected a JSON object.");

        var extra = new Dictionary<string, double>();
        if (root.TryGetProperty("extra", out var extraElement) && extraElement.ValueKind == JsonValueKind.Object)
        {
            foreach (var property in extraElement.EnumerateObject())
                extra[property.Name] = ReadDouble(path, property.Name, property.Value);
        }

        return new MetricsReport
        {
            Experiment = RequiredString(path, root, "experiment"),
            Target = RequiredString(path, root, "target"),
            TargetUnit = RequiredString(path, root, "target_unit"),
            TargetStd = OptionalDouble(path, root, "target_std") ?? throw Missing(path, "target_std"),
            NaiveValMae = OptionalDouble(path, root, "naive_val_mae"),
            BestValMae = OptionalDouble(path, root, "best_val_mae"),
            BestEpoch = OptionalInt(path, root, "best_epoch"),
            TestMae = OptionalDouble(path, root, "test_mae"),
            TestMse = OptionalDouble(path, root, "test_mse"),
            NaiveTestMae = OptionalDouble(path, root, "naive_test_mae"),
            Epochs = OptionalInt(path, root, "epochs") ?? 0,
            TrainSeconds = OptionalDouble(path, root, "train_seconds") ?? 0,
            Extra = extra,
        };
    }

    private static void WriteMetric(Utf8JsonWriter json, string key, double? normalized, double scale)
    {
        if (normalized is not double value)
            return;
        WriteNumber(json, key, value);
        WriteNumber(json, key + "_target_units", value * scale);
    }

    private static void WriteNumber(Utf8JsonWriter json, string key, double value)
    {
        // Utf8JsonWriter throws on NaN and infinities; a diverged run must still leave its metrics behind.
        if (double.IsFinite(value))
            json.WriteNumber(key, value);
        else
            json.WriteString(key, double.IsNaN(value) ? "NaN" : value > 0 ? "Infinity" : "-Infinity");
    }

    private static string RequiredString(string path, JsonElement root, string key)
    {
        if (!root.TryGetProperty(key, out var element))
            throw Missing(path, key);
        return element.ValueKind == JsonValueKind.String
            ? element.GetString()!
            : throw new InvalidDataException($"{path}: \"{key}\" must be a string.");
    }

    private static double? OptionalDouble(string path, JsonElement root, string key)
        => root.TryGetProperty(key, out var element) && element.ValueKind != JsonValueKind.Null ? ReadDouble(path, key, element) : null;

    private static int? OptionalInt(string path, JsonElement root, string key)
    {
        if (!root.TryGetProperty(key, out var element) || element.ValueKind == JsonValueKind.Null)
            return null;
        return element.ValueKind == JsonValueKind.Number && element.TryGetInt32(out int value)
            ? value
            : throw new InvalidDataException($"{path}: \"{key}\" must be an integer.");
    }

    private static double ReadDouble(string path, string key, JsonElement element)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Number:
                return element.GetDouble();
            case JsonValueKind.String:
                switch (element.GetString())
                {
                    case "NaN": return double.NaN;
                    case "Infinity": return double.PositiveInfinity;
                    case "-Infinity": return double.NegativeInfinity;
                }
                break;
        }
        throw new InvalidDataException($"{path}: \"{key}\" must be a number.");
    }

    private static InvalidDataException Missing(string path, string key) => new($"{path}: missing \"{key}\".");
}
