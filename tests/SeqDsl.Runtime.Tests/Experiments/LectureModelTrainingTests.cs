using System.Globalization;
using SeqDsl.Runtime.Data;
using SeqDsl.Runtime.Experiments;
using SeqDsl.Runtime.Reporting;
using SeqDsl.Runtime.Training;

namespace SeqDsl.Runtime.Tests.Experiments;

/// <summary>
/// Every example experiment trains a few steps on a small series through the real runner: the generated
/// model, its spec's window and optimizer, the baseline and every output file.
/// </summary>
public sealed class LectureModelTrainingTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "seqdsl-lecture-" + Guid.NewGuid().ToString("N"));

    public static TheoryData<string> Experiments()
    {
        var data = new TheoryData<string>();
        foreach (var spec in AllExperiments().Where(e => e.Data is not null)) data.Add(spec.Name);
        return data;
    }

    private static IEnumerable<ExperimentSpec> AllExperiments()
        => SeqDslExperiments.All.OrderBy(e => e.Name, StringComparer.Ordinal);

    [Fact]
    public void The_lecture_experiments_are_all_there()
    {
        var names = AllExperiments().Select(e => e.Name).ToHashSet();
        foreach (var expected in new[] { "WeatherMlp", "WeatherGru", "WeatherGruDropout", "WeatherStackedGru", "WeatherBidirectionalGru", "WeatherConv1D", "WeatherConv1DGru", "WeatherReversedGru", "EttLinear" })
            Assert.Contains(expected, names);
    }

    [Theory]
    [MemberData(nameof(Experiments))]
    public void Trains_a_few_steps_on_a_small_series(string name)
    {
        var spec = AllExperiments().Single(e => e.Name == name);
        var data = spec.Data!;
        var window = data.Window with { BatchSize = 8 };
        int lookback = window.Lookback, reach = window.Delay + window.Horizon;
        // Three splits just long enough for a handful of windows each, in the spec's own window geometry.
        int trainEnd = lookback + 64, valEnd = trainEnd + lookback + 40, rows = valEnd + lookback + 40 + reach;
        string? csv = data.Source is DataSourceKind.Csv or DataSourceKind.Ett ? WriteCsv(data, rows) : null; // a downloaded series is replaced by a local one: tests never use the network
        var small = spec with
        {
            Data = data with
            {
                Rows = rows,
                Window = window,
                Train = new SplitRange(0, trainEnd),
                Validation = new SplitRange(trainEnd - lookback, valEnd),
                Test = new SplitRange(valEnd - lookback, null),
            },
            Training = spec.Training with { Epochs = 1, StepsPerEpoch = 2, ValidationSteps = 2, EarlyStoppingPatience = null },
        };
        var output = new StringWriter();
        var runner = new ExperimentRunner(small, new RunOptions { OutputDirectory = Path.Combine(_folder, name), DataPath = csv, Device = DeviceChoice.Cpu }, output, NullProgress.Instance);

        var report = runner.Train();

        var history = TrainingHistory.ReadJson(Path.Combine(_folder, name, "history.json"));
        Assert.Single(history.Epochs);
        Assert.True(double.IsFinite(history.Epochs[0].Loss), output.ToString());
        Assert.True(report.TestMae is > 0 and < 10, output.ToString());
        Assert.NotNull(report.NaiveValMae);
        Assert.True(File.Exists(Path.Combine(_folder, name, "loss.png")));
    }

    /// <summary>A small univariate CSV in the ETT layout (date, columns) for the CSV experiments.</summary>
    private string WriteCsv(DataSpec data, int rows)
    {
        Directory.CreateDirectory(_folder);
        string path = Path.Combine(_folder, "series.csv");
        var columns = data.Columns ?? data.Targets;
        var climate = SyntheticClimate.Generate(rows, seed: 3);
        using var writer = new StreamWriter(path);
        writer.WriteLine(string.Join(",", new[] { data.DateColumn ?? "date" }.Concat(columns)));
        var start = new DateTime(2016, 7, 1, 0, 0, 0, DateTimeKind.Unspecified);
        for (int r = 0; r < rows; r++)
            writer.WriteLine(start.AddHours(r).ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) + "," +
                             string.Join(",", columns.Select((_, c) => climate[r, c % climate.ColumnCount].ToString(CultureInfo.InvariantCulture))));
        return path;
    }

    public void Dispose()
    {
        try { Directory.Delete(_folder, recursive: true); } catch (DirectoryNotFoundException) { }
    }
}
