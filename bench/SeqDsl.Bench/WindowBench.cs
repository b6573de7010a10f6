using System.Diagnostics;
using SeqDsl.Runtime.Data;
using static TorchSharp.torch;

namespace SeqDsl.Bench;

/// <summary>
/// Batch assembly with <see cref="WindowGenerator"/> as the lecture's training generator uses it: 128 shuffled
/// windows of 240x14 (lookback 1440, step 6, delay 144) from rows [0, 200000) of a 420,551x14 float32 series.
/// </summary>
internal static class WindowBench
{
    public const int Rows = 420551, Features = 14;

    public static int Run(Options options)
    {
        int threads = Program.Configure(options);
        int batches = Math.Max(1, options.Int("batches", 200)), warmup = options.Int("warmup", 50);
        manual_seed(0);
        using var data = rand(Rows, Features);
        var window = new WindowOptions(Lookback: 1440, Step: 6, Delay: 144, BatchSize: 128);
        using var generator = new WindowGenerator(data, targetColumn: 1, window, minIndex: 0, maxIndex: 200000, shuffle: true, seed: 1);
        for (int i = 0; i < warmup; i++)
        {
            using var scope = NewDisposeScope();
            generator.Next();
        }
        Thread.Sleep(300);   // lets tiered JIT finish compiling the warmed-up code in the background
        long[] shape = Array.Empty<long>();
        var times = new double[batches];
        var clock = Stopwatch.StartNew();
        for (int i = 0; i < batches; i++)
        {
            long start = Stopwatch.GetTimestamp();
            using (var scope = NewDisposeScope())
            {
                var (inputs, _) = generator.Next();
                if (i == 0) shape = inputs.shape;
            }
            times[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        }
        double seconds = clock.Elapsed.TotalSeconds;
        double perSecond = batches / seconds;
        Console.WriteLine($"seqdsl WindowGenerator: {batches} batches of ({string.Join(", ", shape)}) in {seconds * 1000:F1} ms = {perSecond:F1} batches/s (median {Program.Median(times):F3} ms/batch, {threads} threads)");
        Program.Result(new()
        {
            ["kind"] = "windows",
            ["impl"] = "seqdsl",
            ["round"] = options.Int("round", 1),
            ["batches"] = batches,
            ["seconds"] = seconds,
            ["batches_per_s"] = perSecond,
            ["median_ms"] = Program.Median(times),
            ["shape"] = shape,
            ["threads"] = threads,
        });
        return 0;
    }
}
