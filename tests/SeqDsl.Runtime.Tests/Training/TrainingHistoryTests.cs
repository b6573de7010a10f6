using SeqDsl.Runtime.Training;

namespace SeqDsl.Runtime.Tests.Training;

public class TrainingHistoryTests
{
    private static TrainingHistory Sample()
    {
        var history = new TrainingHistory();
        history.Epochs.Add(new EpochRecord(1, 0.5, 0.4, 0.4, 0.3, 0.001, 1.25));
        history.Epochs.Add(new EpochRecord(2, double.NaN, double.NaN, 0.2, 0.1, 0.0005, 1.5));
        history.Epochs.Add(new EpochRecord(3, 0.25, 0.3, 0.3, 0.2, 0.00025, 1.0));
        history.Epochs.Add(new EpochRecord(4, 0.2, 0.3, 0.3, 0.2, 0.000125, 1.0));
        return history;
    }

    [Fact]
    public void Best_epoch_has_the_lowest_val_loss_ignoring_nan_and_ties()
    {
        var history = Sample();
        Assert.Equal(3, history.BestEpoch);
        Assert.Equal(0.3, history.BestValLoss);
        Assert.Equal(0, new TrainingHistory().BestEpoch);
        Assert.Null(new TrainingHistory().BestValLoss);
    }

    [Fact]
    public void Json_round_trips_including_nan_and_missing_validation()
    {
        using var directory = new TempDirectory();
        var history = Sample();
        history.Epochs.Add(new EpochRecord(5, 0.1, null, null, null, 0.0001, 0.5));
        var path = directory.File("history.json");

        history.WriteJson(path);
        var read = TrainingHistory.ReadJson(path);

        Assert.Equal(history.Epochs, read.Epochs);
        Assert.Equal(history.BestEpoch, read.BestEpoch);
        Assert.Contains("\"val_loss\"", File.ReadAllText(path));
        Assert.Contains("\"best_epoch\": 3", File.ReadAllText(path));
        Assert.Empty(directory.TempFiles());
    }

    [Fact]
    public void A_named_validation_metric_adds_a_csv_column_and_round_trips_through_json()
    {
        using var directory = new TempDirectory();
        var history = new TrainingHistory();
        history.Epochs.Add(new EpochRecord(1, 0.5, 0.25, null, null, 0.001, 2) { ValMetric = 0.625, ValMetricName = "macro_auroc" });
        history.Epochs.Add(new EpochRecord(2, 0.375, 0.5, null, null, 0.001, 1) { ValMetricName = "macro_auroc" });

        history.WriteCsv(directory.File("history.csv"));
        history.WriteJson(directory.File("history.json"));

        var lines = File.ReadAllLines(directory.File("history.csv"));
        Assert.Equal("epoch,loss,val_loss,val_mae,val_mse,learning_rate,seconds,val_macro_auroc", lines[0]);
        Assert.Equal("1,0.5,0.25,,,0.001,2,0.625", lines[1]);
        Assert.Equal("2,0.375,0.5,,,0.001,1,", lines[2]);
        Assert.Equal(history.Epochs, TrainingHistory.ReadJson(directory.File("history.json")).Epochs);
    }

    [Fact]
    public void Csv_has_one_row_per_epoch_in_invariant_culture()
    {
        using var directory = new TempDirectory();
        var history = new TrainingHistory();
        history.Epochs.Add(new EpochRecord(1, 0.5, 0.25, 0.25, 0.125, 0.001, 2));
        history.Epochs.Add(new EpochRecord(2, 0.375, null, null, null, 0.0005, 1.5));
        var path = directory.File("history.csv");

        var culture = Thread.CurrentThread.CurrentCulture;
        try
        {
            Thread.CurrentThread.CurrentCulture = new System.Globalization.CultureInfo("de-DE");
            history.WriteCsv(path);
        }
        finally
        {
            Thread.CurrentThread.CurrentCulture = culture;
        }

        Assert.Equal(
            new[]
            {
                "epoch,loss,val_loss,val_mae,val_mse,learning_rate,seconds",
                "1,0.5,0.25,0.25,0.125,0.001,2",
                "2,0.375,,,,0.0005,1.5",
            },
            File.ReadAllLines(path));
    }

    [Fact]
    public void Reading_a_missing_or_invalid_file_names_the_path()
    {
        using var directory = new TempDirectory();
        var missing = directory.File("missing.json");
        Assert.Contains(missing, Assert.Throws<FileNotFoundException>(() => TrainingHistory.ReadJson(missing)).Message);
        var invalid = directory.File("invalid.json");
        File.WriteAllText(invalid, "{ \"epochs\": [ 1, ");
        Assert.Contains(invalid, Assert.Throws<InvalidDataException>(() => TrainingHistory.ReadJson(invalid)).Message);
    }
}
