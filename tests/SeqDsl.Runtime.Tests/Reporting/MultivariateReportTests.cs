using System.Text.Json;
using SeqDsl.Runtime.Reporting;

namespace SeqDsl.Runtime.Tests.Reporting;

/// <summary>metrics.json and the console table of a multivariate forecast: averaged figures, each target's own, no target unit.</summary>
public sealed class MultivariateReportTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("seqdsl-mv-metrics-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private static MetricsReport Multivariate() => new()
    {
        Experiment = "EttLinearM",
        Target = "HUFL, OT",
        TargetUnit = null,
        TargetStd = null,
        NaiveValMae = 0.6,
        BestValMae = 0.45,
        BestValMse = 0.5,
        BestEpoch = 3,
        TestMae = 0.4,
        TestMse = 0.375,
        NaiveTestMae = 0.55,
        Epochs = 5,
        TrainSeconds = 12,
        Channels =
        [
            new ChannelMetrics("HUFL") { ValMae = 0.5, ValMse = 0.6, TestMae = 0.45, TestMse = 0.5, NaiveValMae = 0.7, NaiveTestMae = 0.6, NaiveTestMse = 0.8 },
            new ChannelMetrics("OT") { ValMae = 0.4, ValMse = 0.4, TestMae = 0.35, TestMse = 0.25, NaiveValMae = 0.5, NaiveTestMae = 0.5, NaiveTestMse = 0.6 },
        ],
        Extra = new() { ["naive_test_mse"] = 0.7 },
    };

    [Fact]
    public void Round_trips_the_channels_and_writes_no_target_units()
    {
        string path = Path.Combine(_directory, "metrics.json");
        var report = Multivariate() with { AllChannels = new ChannelMetrics("all 7 columns") { TestMae = 0.41, TestMse = 0.38 } };
        report.Write(path);
        var read = MetricsReport.Read(path);

        Assert.Equal(report.Channels, read.Channels);
        Assert.Equal(report.AllChannels, read.AllChannels);
        Assert.Equal(report with { Extra = read.Extra, Channels = read.Channels }, read);
        using var json = JsonDocument.Parse(File.ReadAllText(path));
        var root = json.RootElement;
        Assert.False(root.TryGetProperty("target_unit", out _));
        Assert.False(root.TryGetProperty("target_std", out _));
        Assert.DoesNotContain("_target_units", File.ReadAllText(path));
        Assert.Equal(0.5, root.GetProperty("best_val_mse").GetDouble());
        Assert.Equal("OT", root.GetProperty("channels")[1].GetProperty("channel").GetString());
        Assert.Equal(0.25, root.GetProperty("channels")[1].GetProperty("test_mse").GetDouble());
        Assert.Equal(0.41, root.GetProperty("all_channels").GetProperty("test_mae").GetDouble());
    }

    [Fact]
    public void The_table_has_mae_and_mse_and_each_targets_test_figures()
    {
        string[] lines = ResultsTable.Render(Multivariate()).Split('\n', StringSplitOptions.RemoveEmptyEntries);

        Assert.Contains("(targets HUFL, OT; normalized units, averaged over horizon and targets)", lines[0]);
        Assert.DoesNotContain(lines, l => l.Contains("°C") || l.Contains("units of"));
        Assert.Matches(@"^model on test +0\.4000 +0\.3750$", lines.Single(l => l.StartsWith("model on test")));
        Assert.Matches(@"^naive baseline on test +0\.5500 +0\.7000$", lines.Single(l => l.StartsWith("naive baseline on test")));
        Assert.Contains("on test, model beats the naive baseline by 27.3%", lines);
        Assert.Matches(@"^OT +0\.4000 +0\.3500 +0\.2500 +0\.5000$", lines.Single(l => l.StartsWith("OT ")));
    }

    [Fact]
    public void One_target_of_a_channel_independent_model_keeps_its_unit_and_adds_the_all_columns_average()
    {
        var report = new MetricsReport
        {
            Experiment = "ci", Target = "OT", TargetUnit = "units of OT", TargetStd = 2, BestValMae = 0.2, TestMae = 0.25, Epochs = 1,
            AllChannels = new ChannelMetrics("all 7 columns") { ValMae = 0.4, ValMse = 0.35, TestMae = 0.42, TestMse = 0.4, NaiveTestMae = 0.5 },
        };
        string[] lines = ResultsTable.Render(report).Split('\n', StringSplitOptions.RemoveEmptyEntries);

        Assert.Matches(@"^model on test +0\.2500 +0\.50$", lines.Single(l => l.StartsWith("model on test")));
        Assert.Contains("Averaged over all 7 columns (the series the model is trained on; normalized):", lines);
        Assert.Matches(@"^model +0\.4000 +0\.3500 +0\.4200 +0\.4000$", lines.Single(l => l.StartsWith("model ") && !l.StartsWith("model (") && !l.StartsWith("model on")));
    }
}
