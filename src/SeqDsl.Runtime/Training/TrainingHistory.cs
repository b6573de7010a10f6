using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using SeqDsl.Runtime.IO;

namespace SeqDsl.Runtime.Training;

/// <summary>Results of one epoch, in normalized units.</summary>
/// <param name="Epoch">1-based epoch number.</param>
/// <param name="Loss">Mean training loss over the epoch's steps.</param>
/// <param name="ValLoss">Validation loss, or null without validation.</param>
/// <param name="ValMae">Validation mean absolute error, or null without validation.</param>
/// <param name="ValMse">Validation mean squared error, or null without validation.</param>
/// <param name="LearningRate">Learning rate used during the epoch.</param>
/// <param name="Seconds">Wall-clock time of the epoch, validation included.</param>
public sealed record EpochRecord(int Epoch, double Loss, double? ValLoss, double? ValMae, double? ValMse, double LearningRate, double Seconds)
{
    /// <summary>A named validation metric beside the loss (an episodes run's monitored AUROC); null when there is none or it is undefined.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public double? ValMetric { get; init; }

    /// <summary>The name of <see cref="ValMetric"/>, shown after <c>val_</c> in the console and as a history column (<c>macro_auroc</c>).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? ValMetricName { get; init; }
}

/// <summary>Per-epoch results of a training run, with CSV and JSON export.</summary>
public sealed class TrainingHistory
{
    /// <summary>Creates an empty history.</summary>
    public TrainingHistory()
    {
    }

    /// <summary>One record per completed epoch, in order.</summary>
    public List<EpochRecord> Epochs { get; } = new();

    /// <summary>
    /// Epoch with the lowest val_loss (the lowest training loss when no epoch was validated); the first one on ties;
    /// 0 when empty. This is the epoch whose weights the best checkpoint holds.
    /// </summary>
    public int BestEpoch
    {
        get
        {
            var validated = Epochs.Any(e => e.ValLoss.HasValue);
            var bestEpoch = 0;
            var bestValue = double.NaN;
            foreach (var e in Epochs)
            {
                // NaN (a diverged epoch) never counts as best, matching the trainer's strict "lower" test.
                if ((validated ? e.ValLoss : e.Loss) is double v && !double.IsNaN(v) && (bestEpoch == 0 || v < bestValue))
                {
                    bestEpoch = e.Epoch;
                    bestValue = v;
                }
            }
            return bestEpoch;
        }
    }

    /// <summary>Lowest val_loss of any epoch, or null without validation.</summary>
    public double? BestValLoss => Epochs.Where(e => e.ValLoss.HasValue && !double.IsNaN(e.ValLoss.Value)).Min(e => e.ValLoss);

    /// <summary>Whether early stopping ended the run before the last epoch.</summary>
    public bool StoppedEarly { get; internal set; }

    /// <summary>
    /// Writes <c>epoch,loss,val_loss,val_mae,val_mse,learning_rate,seconds</c> rows (invariant culture, empty fields
    /// for missing validation), then a <c>val_&lt;name&gt;</c> column when epochs carry a <see cref="EpochRecord.ValMetric"/>, atomically.
    /// </summary>
    /// <param name="path">Destination file.</param>
    public void WriteCsv(string path)
    {
        string? metric = Epochs.Select(e => e.ValMetricName).FirstOrDefault(n => n is not null);
        var csv = new StringBuilder("epoch,loss,val_loss,val_mae,val_mse,learning_rate,seconds");
        csv.Append(metric is null ? "\n" : $",val_{metric}\n");
        foreach (var e in Epochs)
        {
            csv.Append(e.Epoch.ToString(CultureInfo.InvariantCulture)).Append(',')
                .Append(Format(e.Loss)).Append(',')
                .Append(Format(e.ValLoss)).Append(',')
                .Append(Format(e.ValMae)).Append(',')
                .Append(Format(e.ValMse)).Append(',')
                .Append(Format(e.LearningRate)).Append(',')
                .Append(Format(e.Seconds));
            if (metric is not null) csv.Append(',').Append(Format(e.ValMetric));
            csv.Append('\n');
        }
        AtomicFile.WriteText(path, csv.ToString());
    }

    /// <summary>Writes the history as JSON (snake_case names, as the CSV), atomically.</summary>
    /// <param name="path">Destination file.</param>
    public void WriteJson(string path) => AtomicFile.WriteText(path, JsonSerializer.Serialize(ToDocument(), TrainingJson.Options));

    /// <summary>Reads a history written by <see cref="WriteJson"/>.</summary>
    /// <param name="path">Source file.</param>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The file is not a valid history; the message names the path.</exception>
    public static TrainingHistory ReadJson(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (!File.Exists(path)) throw new FileNotFoundException($"Training history '{path}' does not exist.", path);
        HistoryDocument? document;
        try
        {
            document = JsonSerializer.Deserialize<HistoryDocument>(File.ReadAllText(path), TrainingJson.Options);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"Training history '{path}' is not valid JSON: {e.Message}", e);
        }
        if (document?.Epochs is null) throw new InvalidDataException($"Training history '{path}' has no 'epochs' array.");
        return FromDocument(document);
    }

    internal HistoryDocument ToDocument() => new()
    {
        Epochs = Epochs.ToList(),
        BestEpoch = BestEpoch,
        BestValLoss = BestValLoss,
        StoppedEarly = StoppedEarly,
    };

    internal static TrainingHistory FromDocument(HistoryDocument document)
    {
        var history = new TrainingHistory { StoppedEarly = document.StoppedEarly };
        history.Epochs.AddRange(document.Epochs);
        return history;
    }

    private static string Format(double? value) => value is double v ? v.ToString("R", CultureInfo.InvariantCulture) : "";
}

/// <summary>JSON shape of a <see cref="TrainingHistory"/>; the best-epoch fields are for other readers and recomputed on load.</summary>
internal sealed class HistoryDocument
{
    public List<EpochRecord> Epochs { get; set; } = new();

    public int BestEpoch { get; set; }

    public double? BestValLoss { get; set; }

    public bool StoppedEarly { get; set; }
}

/// <summary>Serializer settings shared by the history and the resume state.</summary>
internal static class TrainingJson
{
    public static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        // A diverged run has NaN or infinite losses, which plain JSON numbers cannot hold.
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        WriteIndented = true,
    };
}
