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
        var (copyPerSecond, copyBytesPerSecond) = CopyLimit(window, shape, batches);
        Console.WriteLine($"single-thread copy of the same bytes (one block per window from random rows of a {Rows:N0}x{Features} array): " +
                          $"{copyPerSecond:F1} batches/s ({copyBytesPerSecond / 1e9:F1} GB/s); assembly runs at {perSecond / copyPerSecond:P0} of it");
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
            ["copy_batches_per_s"] = copyPerSecond,
            ["copy_gb_per_s"] = copyBytesPerSecond / 1e9,
        });
        return 0;
    }

    /// <summary>
    /// The physical limit of batch assembly on this machine: one thread copying a batch's bytes as one contiguous block
    /// per window, from random places in an array the size of the series, into one batch buffer (no tensors, no
    /// bookkeeping). Returns batches/s and bytes/s, the better of three passes.
    /// </summary>
    private static (double BatchesPerSecond, double BytesPerSecond) CopyLimit(WindowOptions window, long[] shape, int batches)
    {
        int windowFloats = (int)(shape[1] * shape[2]), perBatch = window.BatchSize;
        var source = new float[(long)Rows * Features];
        new Random(2).NextBytes(System.Runtime.InteropServices.MemoryMarshal.AsBytes(source.AsSpan()));
        var batch = new float[windowFloats * perBatch];
        var random = new Random(3);
        double best = 0;
        for (int pass = 0; pass < 3; pass++)
        {
            long start = Stopwatch.GetTimestamp();
            for (int b = 0; b < batches; b++)
            {
                for (int w = 0; w < perBatch; w++)
                {
                    int offset = random.Next(source.Length - windowFloats);
                    source.AsSpan(offset, windowFloats).CopyTo(batch.AsSpan(w * windowFloats, windowFloats));
                }
            }
            best = Math.Max(best, batches / Stopwatch.GetElapsedTime(start).TotalSeconds);
        }
        return (best, best * batch.Length * sizeof(float));
    }
}
