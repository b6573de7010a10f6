using System.Diagnostics;
using System.Text.Json;
using SeqDsl.Runtime.Sweeps;
using SeqDsl.Runtime.Tests.Infrastructure;
using SeqDsl.Runtime.Training;
using Xunit.Abstractions;

namespace SeqDsl.Runtime.Tests.Sweeps;

/// <summary>
/// The lecture's Weather models (examples/Weather, run as its own program) swept locally two at a time compute the same
/// numbers as each trained alone with the same seed. WeatherMlp and WeatherConv1D are the lecture's fastest specs (about
/// 3 s and 12 s for one epoch of 3 steps on one thread, most of it scoring the whole test split); the GRUs take 30 s and more.
/// </summary>
public sealed class WeatherSweepTests(ITestOutputHelper output) : IDisposable
{
    private static readonly string[] s_models = ["WeatherMlp", "WeatherConv1D"];
    private static readonly string[] s_short = ["--epochs", "1", "--steps-per-epoch", "3", "--validation-steps", "2", "--threads", "1"];

    private readonly string _directory = Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), "seqdsl-weather-sweep-" + Guid.NewGuid().ToString("N"))).FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private (int Code, string Output) Weather(params string[] args)
    {
        var clock = Stopwatch.StartNew();
        var result = TestPrograms.Run(TestPrograms.Weather, _directory, null, args);
        output.WriteLine($"$ Weather {string.Join(' ', args)}  → exit {result.Code} in {clock.Elapsed.TotalSeconds:0.0} s");
        return result;
    }

    [Fact]
    public async Task A_parallel_sweep_of_lecture_models_gives_each_the_metrics_it_has_when_trained_alone()
    {
        string sweep = Path.Combine(_directory, "sweep");
        var (code, swept) = Weather(["sweep", .. s_models.SelectMany(m => new[] { "-e", m }), "--parallel", "2", .. s_short, "--out", sweep]);
        Assert.True(code == 0, swept);
        Assert.Contains("2 to run, 2 at a time with 1 thread each", swept);

        // Alone: the plain train command (no sweep, no --run) with the same settings, the two side by side as in the sweep.
        var alone = await Task.WhenAll(s_models.Select(m => Task.Run(() => Weather(["train", "-e", m, .. s_short, "--out", Path.Combine(_directory, m)]))));
        foreach (var (aloneCode, text) in alone) Assert.True(aloneCode == 0, text);

        // Bit-identical, not within a tolerance: the same program, spec seed, data and thread count on the CPU compute the
        // same sums in the same order, whether the process was started by sweep or by hand and whatever runs beside it.
        for (int i = 0; i < s_models.Length; i++)
        {
            string runFolder = SweepPlan.RunFolder(sweep, i), aloneFolder = Path.Combine(_directory, s_models[i]);
            Assert.Equal(s_models[i], SweepRunRecord.Read(runFolder)!.Experiment);
            using var inSweep = JsonDocument.Parse(File.ReadAllText(Path.Combine(runFolder, "metrics.json")));
            using var single = JsonDocument.Parse(File.ReadAllText(Path.Combine(aloneFolder, "metrics.json")));
            foreach (string key in new[] { "best_val_mae", "best_val_mse", "test_mae", "test_mse", "naive_val_mae", "best_epoch" })
                Assert.Equal(single.RootElement.GetProperty(key).GetRawText(), inSweep.RootElement.GetProperty(key).GetRawText());
            Assert.Equal(
                TrainingHistory.ReadJson(Path.Combine(aloneFolder, "history.json")).Epochs.Select(e => (e.Loss, e.ValLoss, e.ValMae, e.ValMse)),
                TrainingHistory.ReadJson(Path.Combine(runFolder, "history.json")).Epochs.Select(e => (e.Loss, e.ValLoss, e.ValMae, e.ValMse)));
        }
        // The two models differ, so equal figures above are each model's own.
        Assert.NotEqual(File.ReadAllText(Path.Combine(_directory, s_models[0], "metrics.json")), File.ReadAllText(Path.Combine(_directory, s_models[1], "metrics.json")));
    }
}
