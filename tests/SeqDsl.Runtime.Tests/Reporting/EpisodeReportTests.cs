using System.Buffers.Binary;
using SeqDsl.Runtime.Episodes;
using SeqDsl.Runtime.Reporting;
using SeqDsl.Runtime.Tests.Data;

namespace SeqDsl.Runtime.Tests.Reporting;

public sealed class EpisodeReportTests
{
    private static readonly string[] Names = { "in_hospital_death", "coma" };

    // Four records, row-major (records, labels): death is perfectly ranked (AUROC 1); nobody is in a coma (undefined).
    private static readonly double[] Scores = { 0.9, 0.2, 0.3, 0.1, 0.6, 0.4, 0.2, 0.3 };
    private static readonly float[] Labels = { 1, 0, 0, 0, 1, 0, 0, 0 };
    private static readonly double[] BaseRate = { 0.5, 0, 0.5, 0, 0.5, 0, 0.5, 0 };

    private static EpisodeReport Report()
    {
        var thresholds = MultiLabelMetrics.TuneThresholds(Names.Length, Scores, Labels);
        var model = MultiLabelMetrics.Compute(Names, Scores, Labels, thresholds, k: 1);
        var baseRate = MultiLabelMetrics.Compute(Names, BaseRate, Labels, k: 1);
        return new EpisodeReport
        {
            Experiment = "icu-diagnosis",
            Labels = Names,
            Model = new EpisodeScores("model (best epoch 3)", model, model),
            Baselines = [new EpisodeScores("base rate", baseRate, baseRate)],
            BestEpoch = 3,
            Epochs = 5,
            TrainSeconds = 12.5,
            TestSource = "test split (4 records)",
        };
    }

    [Fact]
    public void Write_and_read_round_trip_keeps_undefined_metrics_as_null()
    {
        using var directory = new TempDirectory();
        var report = Report();
        string path = directory.File("metrics.json");
        report.Write(path);
        string json = File.ReadAllText(path);
        Assert.Contains("\"auroc\": null", json);
        Assert.Contains("\"test_source\": \"test split (4 records)\"", json);
        Assert.DoesNotContain("NaN", json);

        var read = EpisodeReport.Read(path);
        Assert.Equal(report.Experiment, read.Experiment);
        Assert.Equal(Names, read.Labels);
        Assert.Equal(3, read.BestEpoch);
        Assert.Equal(12.5, read.TrainSeconds);
        Assert.Equal("val_macro_auroc", read.Monitor);
        Assert.Equal(report.Model.Test!.Labels, read.Model.Test!.Labels);   // LabelMetrics compare by value, nulls included
        Assert.Null(read.Model.Test.Labels[1].Auroc);
        Assert.Equal(1.0, read.Model.Test.Labels[0].Auroc);
        Assert.Equal("base rate", Assert.Single(read.Baselines).Name);

        // Writing what was read gives the same file: nothing was lost or changed on the way.
        string again = directory.File("again.json");
        read.Write(again);
        Assert.Equal(json, File.ReadAllText(again));
    }

    [Fact]
    public void Render_prints_undefined_as_a_dash_with_a_footnote_and_never_NaN()
    {
        string text = Report().Render();
        Assert.DoesNotContain("NaN", text);
        Assert.Contains("—", text);
        Assert.Contains(EpisodeReport.UndefinedFootnote, text);
        Assert.Contains("in_hospital_death AUROC", text);
        Assert.Contains("in_hospital_death AUPRC", text);
        Assert.Contains("test split (4 records)", text);
        var comaRow = text.Split('\n').Single(line => line.StartsWith("coma ", StringComparison.Ordinal));
        Assert.Equal(new[] { "coma", "4", "0", "—", "—", "—", "—", "—" }, comaRow.Split(' ', StringSplitOptions.RemoveEmptyEntries));
        // The model on test: death ranked perfectly, so micro AUROC and the first label's AUROC print with 3 decimals.
        var modelTest = text.Split('\n').Single(line => line.StartsWith("model (best epoch 3)  test ", StringComparison.Ordinal));
        Assert.Contains("1.000", modelTest);
        // One summary row per model or baseline and split: validation rows first, then test.
        Assert.Equal(new[] { "validation", "validation", "test", "test" },
            text.Split('\n').Where(line => line.StartsWith("model", StringComparison.Ordinal) || line.StartsWith("base rate", StringComparison.Ordinal))
                .Select(line => line.Contains(" validation ") ? "validation" : line.Contains(" test ") ? "test" : line));
    }

    [Fact]
    public void Render_without_undefined_values_has_no_footnote()
    {
        var metrics = MultiLabelMetrics.Compute(new[] { "death" }, new[] { 0.9, 0.1 }, new float[] { 1, 0 });
        var text = new EpisodeReport { Experiment = "x", Labels = ["death"], Model = new EpisodeScores("model", metrics, metrics) }.Render();
        Assert.DoesNotContain("—", text);
        Assert.DoesNotContain(EpisodeReport.UndefinedFootnote, text);
    }

    [Fact]
    public void Reading_a_broken_file_names_it()
    {
        using var directory = new TempDirectory();
        string broken = directory.Write("metrics.json", "{ \"experiment\": ");
        Assert.Contains(broken, Assert.Throws<InvalidDataException>(() => EpisodeReport.Read(broken)).Message);

        string noModel = directory.Write("no-model.json", "{ \"experiment\": \"x\", \"labels\": [\"death\"] }");
        var error = Assert.Throws<InvalidDataException>(() => EpisodeReport.Read(noModel));
        Assert.Contains(noModel, error.Message);
        Assert.Contains("model", error.Message);

        string text = directory.Write("text-metric.json", WrittenWith("\"micro_auroc\": \"high\""));
        Assert.Contains(text, Assert.Throws<InvalidDataException>(() => EpisodeReport.Read(text)).Message);

        string WrittenWith(string replacement)
        {
            string path = directory.File("good.json");
            Report().Write(path);
            string json = File.ReadAllText(path);
            int at = json.IndexOf("\"micro_auroc\"", StringComparison.Ordinal);
            int end = json.IndexOf(',', at);
            return json[..at] + replacement + json[end..];
        }
    }

    [Fact]
    public void Roc_plot_writes_a_png_with_an_undefined_label()
    {
        using var directory = new TempDirectory();
        var curves = RocPlot.Curves(Names, Scores, Labels);
        Assert.True(curves[0].HasCurve);
        Assert.Equal(1.0, curves[0].Auroc);
        Assert.False(curves[1].HasCurve);
        Assert.Null(curves[1].Auroc);

        string path = directory.File("plots/roc.png");
        RocPlot.Write(path, "ROC, test split", curves);
        byte[] png = File.ReadAllBytes(path);
        Assert.True(png.Length > 5000, $"{png.Length} bytes: too small for a drawn figure");
        Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A }, png[..8]);
        Assert.Equal(LossPlot.Width, BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(16, 4)));
        Assert.Equal(LossPlot.Height, BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(20, 4)));
        Assert.Equal(new[] { "roc.png" }, Directory.GetFiles(Path.GetDirectoryName(path)!).Select(Path.GetFileName));
    }
}
