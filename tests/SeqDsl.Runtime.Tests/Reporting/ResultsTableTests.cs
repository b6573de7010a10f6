using SeqDsl.Runtime.Reporting;

namespace SeqDsl.Runtime.Tests.Reporting;

public class ResultsTableTests
{
    private static MetricsReport Report(double bestValMae, double? testMae = 0.27, double? naiveTestMae = null) => new()
    {
        Experiment = "jena_gru",
        Target = "T (degC)",
        TargetUnit = "degC",
        TargetStd = 8.85,
        NaiveValMae = 0.29,
        BestValMae = bestValMae,
        BestEpoch = 7,
        TestMae = testMae,
        NaiveTestMae = naiveTestMae,
        Epochs = 10,
    };

    private static string[] Lines(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries);

    [Fact]
    public void Has_the_three_rows_in_both_units()
    {
        string[] lines = Lines(ResultsTable.Render(Report(0.266)));

        Assert.Contains(lines, l => l.Contains("MAE (normalized)") && l.Contains("MAE (°C)"));
        Assert.Matches(@"^naive baseline +0\.2900 +2\.57$", lines.Single(l => l.StartsWith("naive baseline")));
        Assert.Matches(@"^model \(best epoch 7\) +0\.2660 +2\.35$", lines.Single(l => l.StartsWith("model (best epoch")));
        Assert.Matches(@"^model on test +0\.2700 +2\.39$", lines.Single(l => l.StartsWith("model on test")));
    }

    [Fact]
    public void Columns_line_up()
    {
        string[] rows = Lines(ResultsTable.Render(Report(0.266))).Where(l => l.StartsWith("naive") || l.StartsWith("model (") || l.StartsWith("model on")).ToArray();
        Assert.Equal(3, rows.Length);
        Assert.Single(rows.Select(r => r.Length).Distinct());
        Assert.Single(rows.Select(r => r.IndexOf('.')).Distinct());
    }

    [Fact]
    public void Says_by_how_much_the_model_beats_the_baseline()
    {
        // (0.29 - 0.2465) / 0.29 = 15%
        Assert.Contains("model beats the naive baseline by 15.0%\n", ResultsTable.Render(Report(0.2465)));
        Assert.Contains("model beats the naive baseline by 8.3%\n", ResultsTable.Render(Report(0.266)));
    }

    [Fact]
    public void Says_when_the_model_does_not_beat_the_baseline()
    {
        string text = ResultsTable.Render(Report(0.319));
        Assert.Contains("model does not beat the naive baseline (10.0% worse)", text);
        Assert.DoesNotContain("model beats", text);
    }

    [Fact]
    public void Compares_test_with_the_naive_baseline_on_test_when_known()
    {
        string text = ResultsTable.Render(Report(0.266, testMae: 0.279, naiveTestMae: 0.32));
        Assert.Matches(@"\nnaive baseline on test +0\.3200 +2\.83\n", text);
        Assert.Contains("on test, model beats the naive baseline by 12.8%", text);
    }

    [Fact]
    public void Shows_missing_metrics_as_not_available()
    {
        string text = ResultsTable.Render(Report(0.266, testMae: null) with { TargetUnit = "kWh" });
        Assert.Contains("MAE (kWh)", text);
        Assert.Matches(@"model on test +n/a +n/a", text);
    }
}
