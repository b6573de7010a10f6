using System.Text.Json;
using SeqDsl.Runtime.Reporting;

namespace SeqDsl.Runtime.Tests.Reporting;

public sealed class MetricsReportTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("seqdsl-metrics-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private static MetricsReport Sample() => new()
    {
        Experiment = "jena_gru",
        Target = "T (degC)",
        TargetUnit = "degC",
        TargetStd = 8.85,
        NaiveValMae = 0.29,
        BestValMae = 0.265,
        BestEpoch = 7,
        TestMae = 0.27,
        TestMse = 0.125,
        NaiveTestMae = 0.31,
        Epochs = 10,
        TrainSeconds = 482.5,
        Extra = new() { ["params"] = 12345 },
    };

    [Fact]
    public void Round_trips_every_field()
    {
        string path = Path.Combine(_directory, "metrics.json");
        var report = Sample();
        report.Write(path);
        var read = MetricsReport.Read(path);

        Assert.Equal(report with { Extra = read.Extra }, read);
        Assert.Equal(report.Extra, read.Extra);
    }

    [Fact]
    public void Uses_snake_case_keys_with_target_unit_twins()
    {
        string path = Path.Combine(_directory, "metrics.json");
        Sample().Write(path);
        using var json = JsonDocument.Parse(File.ReadAllText(path));
        var root = json.RootElement;

        string[] expected =
        [
            "experiment", "target", "target_unit", "target_std",
            "naive_val_mae", "naive_val_mae_target_units", "best_val_mae", "best_val_mae_target_units", "best_epoch",
            "test_mae", "test_mae_target_units", "test_mse", "test_mse_target_units", "naive_test_mae", "naive_test_mae_target_units",
            "epochs", "train_seconds", "extra",
        ];
        Assert.Equal(expected, root.EnumerateObject().Select(p => p.Name).ToArray());
        Assert.Equal("jena_gru", root.GetProperty("experiment").GetString());
        Assert.Equal("degC", root.GetProperty("target_unit").GetString());
        Assert.Equal(0.29, root.GetProperty("naive_val_mae").GetDouble());
        Assert.Equal(0.29 * 8.85, root.GetProperty("naive_val_mae_target_units").GetDouble(), 12);
        Assert.Equal(0.265 * 8.85, root.GetProperty("best_val_mae_target_units").GetDouble(), 12);
        Assert.Equal(0.27 * 8.85, root.GetProperty("test_mae_target_units").GetDouble(), 12);
        Assert.Equal(0.125 * 8.85 * 8.85, root.GetProperty("test_mse_target_units").GetDouble(), 12);
        Assert.Equal(7, root.GetProperty("best_epoch").GetInt32());
        Assert.Equal(10, root.GetProperty("epochs").GetInt32());
        Assert.Equal(482.5, root.GetProperty("train_seconds").GetDouble());
        Assert.Equal(12345, root.GetProperty("extra").GetProperty("params").GetDouble());
        Assert.Contains("\n  \"target\": \"T (degC)\"", File.ReadAllText(path)); // indented
    }

    [Fact]
    public void Leaves_out_absent_metrics()
    {
        string path = Path.Combine(_directory, "metrics.json");
        new MetricsReport { Experiment = "e", Target = "t", TargetUnit = "", TargetStd = 1, NaiveValMae = 0.5, Epochs = 1 }.Write(path);
        using var json = JsonDocument.Parse(File.ReadAllText(path));

        Assert.Equal(
            ["experiment", "target", "target_unit", "target_std", "naive_val_mae", "naive_val_mae_target_units", "epochs", "train_seconds"],
            json.RootElement.EnumerateObject().Select(p => p.Name).ToArray());
        var read = MetricsReport.Read(path);
        Assert.Null(read.BestValMae);
        Assert.Null(read.BestEpoch);
        Assert.Null(read.TestMse);
        Assert.Empty(read.Extra);
    }

    [Fact]
    public void A_diverged_run_still_writes_its_metrics()
    {
        string path = Path.Combine(_directory, "metrics.json");
        (Sample() with { BestValMae = double.NaN, TestMse = double.PositiveInfinity }).Write(path);
        var read = MetricsReport.Read(path);

        Assert.True(double.IsNaN(read.BestValMae!.Value));
        Assert.Equal(double.PositiveInfinity, read.TestMse);
    }

    [Fact]
    public void Overwrites_atomically_and_leaves_no_temp_files()
    {
        string path = Path.Combine(_directory, "run", "metrics.json");
        Sample().Write(path);
        (Sample() with { Epochs = 11 }).Write(path);

        Assert.Equal(11, MetricsReport.Read(path).Epochs);
        Assert.Equal(["metrics.json"], Directory.GetFiles(Path.GetDirectoryName(path)!).Select(f => Path.GetFileName(f)!).ToArray());
    }

    [Fact]
    public void Reading_a_file_without_a_required_key_names_it()
    {
        string path = Path.Combine(_directory, "metrics.json");
        File.WriteAllText(path, """{ "experiment": "e", "target": "t", "target_unit": "u" }""");
        var error = Assert.Throws<InvalidDataException>(() => MetricsReport.Read(path));
        Assert.Contains("target_std", error.Message);
    }
}
