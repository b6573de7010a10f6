using System;
using System.Collections.Generic;
using System.IO;
using System.Text.Json;
using SeqDsl.Runtime.IO;

namespace SeqDsl.Runtime.Reporting;

/// <summary>
/// The metrics of one training run, written as <c>metrics.json</c>. Metrics are kept in normalized units (what the model
/// sees); with one target <see cref="Write"/> also writes each one converted to the target's own unit, so readers need not
/// know the std. With several targets (a multivariate forecast) each metric is averaged over the horizon and the targets,
/// each target normalized with its own training statistics, and <see cref="Channels"/> holds each target's own.
/// </summary>
public sealed record MetricsReport
{
    /// <summary>Experiment (spec) name.</summary>
    public required string Experiment { get; init; }

    /// <summary>The predicted column, e.g. <c>T (degC)</c>; several are listed as <c>HUFL, HULL, OT</c>.</summary>
    public required string Target { get; init; }

    /// <summary>Unit of the target column, e.g. <c>degC</c>; null with several targets, which share no unit.</summary>
    public required string? TargetUnit { get; init; }

    /// <summary>Standard deviation of the target over the training split: a normalized error times this is an error in <see cref="TargetUnit"/>; null with several targets.</summary>
    public required double? TargetStd { get; init; }

    /// <summary>MAE of the naive (last value) baseline on the validation split, normalized.</summary>
    public double? NaiveValMae { get; init; }

    /// <summary>Validation MAE of the model at its best epoch, normalized.</summary>
    public double? BestValMae { get; init; }

    /// <summary>Validation MSE of the model at its best epoch, normalized.</summary>
    public double? BestValMse { get; init; }

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

    /// <summary>Each target's own metrics, in the targets' order, when the model forecasts several columns; empty otherwise.</summary>
    public IReadOnlyList<ChannelMetrics> Channels { get; init; } = Array.Empty<ChannelMetrics>();

    /// <summary>
    /// The metrics averaged over every column a channel-independent model forecasts (and is trained on), when these are
    /// more than its targets; null otherwise.
    /// </summary>
    public ChannelMetrics? AllChannels { get; init; }

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
            if (TargetUnit is not null)
                json.WriteString("target_unit", TargetUnit);
            if (TargetStd is double std)
                WriteNumber(json, "target_std", std);
            WriteMetric(json, "naive_val_mae", NaiveValMae, TargetStd);
            WriteMetric(json, "best_val_mae", BestValMae, TargetStd);
            WriteMetric(json, "best_val_mse", BestValMse, TargetStd * TargetStd);
            if (BestEpoch is int best)
                json.WriteNumber("best_epoch", best);
            WriteMetric(json, "test_mae", TestMae, TargetStd);
            WriteMetric(json, "test_mse", TestMse, TargetStd * TargetStd);
            WriteMetric(json, "naive_test_mae", NaiveTestMae, TargetStd);
            json.WriteNumber("epochs", Epochs);
            WriteNumber(json, "train_seconds", TrainSeconds);
            if (Channels.Count > 0)
            {
                json.WriteStartArray("channels");
                foreach (var channel in Channels)
                    WriteChannel(json, null, channel);
                json.WriteEndArray();
            }
            if (AllChannels is { } all)
                WriteChannel(json, "all_channels", all);
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

        var channels = new List<ChannelMetrics>();
        if (root.TryGetProperty("channels", out var channelsElement) && channelsElement.ValueKind == JsonValueKind.Array)
        {
            foreach (var channel in channelsElement.EnumerateArray())
                channels.Add(ReadChannel(path, channel));
        }

        string? unit = root.TryGetProperty("target_unit", out _) ? RequiredString(path, root, "target_unit") : null;
        return new MetricsReport
        {
            Experiment = RequiredString(path, root, "experiment"),
            Target = RequiredString(path, root, "target"),
            TargetUnit = unit,
            // One target has a unit and a std; several have neither.
            TargetStd = OptionalDouble(path, root, "target_std") ?? (unit is null ? null : throw Missing(path, "target_std")),
            NaiveValMae = OptionalDouble(path, root, "naive_val_mae"),
            BestValMae = OptionalDouble(path, root, "best_val_mae"),
            BestValMse = OptionalDouble(path, root, "best_val_mse"),
            BestEpoch = OptionalInt(path, root, "best_epoch"),
            TestMae = OptionalDouble(path, root, "test_mae"),
            TestMse = OptionalDouble(path, root, "test_mse"),
            NaiveTestMae = OptionalDouble(path, root, "naive_test_mae"),
            Epochs = OptionalInt(path, root, "epochs") ?? 0,
            TrainSeconds = OptionalDouble(path, root, "train_seconds") ?? 0,
            Channels = channels.Count > 0 ? channels.ToArray() : Array.Empty<ChannelMetrics>(),
            AllChannels = root.TryGetProperty("all_channels", out var all) && all.ValueKind == JsonValueKind.Object ? ReadChannel(path, all) : null,
            Extra = extra,
        };
    }

    private static readonly string[] ChannelKeys = ["val_mae", "val_mse", "test_mae", "test_mse", "naive_val_mae", "naive_test_mae", "naive_test_mse"];

    private static double?[] ChannelValues(ChannelMetrics c) => [c.ValMae, c.ValMse, c.TestMae, c.TestMse, c.NaiveValMae, c.NaiveTestMae, c.NaiveTestMse];

    /// <summary>One channel's metrics as an object (named <paramref name="key"/>, or an array element when null); normalized units only.</summary>
    private static void WriteChannel(Utf8JsonWriter json, string? key, ChannelMetrics channel)
    {
        if (key is null) json.WriteStartObject(); else json.WriteStartObject(key);
        json.WriteString("channel", channel.Channel);
        var values = ChannelValues(channel);
        for (int i = 0; i < ChannelKeys.Length; i++)
            WriteMetric(json, ChannelKeys[i], values[i], null);
        json.WriteEndObject();
    }

    private static ChannelMetrics ReadChannel(string path, JsonElement element)
    {
        if (element.ValueKind != JsonValueKind.Object)
            throw new InvalidDataException($"{path}: a channel's metrics must be an object.");
        double? Value(string key) => OptionalDouble(path, element, key);
        return new ChannelMetrics(RequiredString(path, element, "channel"))
        {
            ValMae = Value("val_mae"), ValMse = Value("val_mse"), TestMae = Value("test_mae"), TestMse = Value("test_mse"),
            NaiveValMae = Value("naive_val_mae"), NaiveTestMae = Value("naive_test_mae"), NaiveTestMse = Value("naive_test_mse"),
        };
    }

    private static void WriteMetric(Utf8JsonWriter json, string key, double? normalized, double? scale)
    {
        if (normalized is not double value)
            return;
        WriteNumber(json, key, value);
        if (scale is double factor)
            WriteNumber(json, key + "_target_units", value * factor);
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

/// <summary>One forecast channel's metrics (or an average over channels), in normalized units.</summary>
/// <param name="Channel">The column, or what the average covers ("all 7 columns").</param>
public sealed record ChannelMetrics(string Channel)
{
    /// <summary>Validation MAE with the best weights.</summary>
    public double? ValMae { get; init; }
    /// <summary>Validation MSE with the best weights.</summary>
    public double? ValMse { get; init; }
    /// <summary>Test MAE.</summary>
    public double? TestMae { get; init; }
    /// <summary>Test MSE.</summary>
    public double? TestMse { get; init; }
    /// <summary>The baseline's validation MAE.</summary>
    public double? NaiveValMae { get; init; }
    /// <summary>The baseline's test MAE.</summary>
    public double? NaiveTestMae { get; init; }
    /// <summary>The baseline's test MSE.</summary>
    public double? NaiveTestMse { get; init; }
}
