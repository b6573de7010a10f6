using System.Globalization;
using System.Text.Json;
using SeqDsl.Runtime.Training;

namespace SeqDsl.Bench;

/// <summary>
/// Benchmark commands run by bench/perf.sh. Each prints readable lines and one machine-readable
/// <c>RESULT {json}</c> line that perf.sh collects.
/// </summary>
/// <remarks>
/// <code>
/// step     --model NAME [--warmup 3] [--steps 15] [--threads N] [--round R]  one model's training step
/// memory   [--steps 2000] [--at 100] [--threads N]                           VmRSS of GRU(32) training
/// windows  [--batches 200] [--warmup 50] [--threads N] [--round R]           WindowGenerator batches/s
/// generate [--window-chars 400] [--stateful-chars 2000] [--threads N]        TextGenerator chars/s
/// specgen  [--repeat 5] [--root DIR]                                         SpecGenerator over examples/**/*.yaml
/// episodes [--source physionet2012|synthetic-icu] [--stays F --outcomes F] [--repeat 3]  load and preprocess episodes
/// info     [--threads N]                                                     libtorch version; MKL, oneDNN, OpenMP
/// models                                                                     the step benchmark's model names
/// </code>
/// </remarks>
internal static class Program
{
    private static int Main(string[] args)
    {
        if (args.Length == 0)
        {
            Console.Error.WriteLine("usage: SeqDsl.Bench step|memory|windows|generate|specgen|episodes|info|models [--option value ...]");
            return 2;
        }
        try
        {
            var options = Options.Parse(args.AsSpan(1));
            switch (args[0])
            {
                case "step": return TrainingBench.Step(options);
                case "memory": return TrainingBench.Memory(options);
                case "windows": return WindowBench.Run(options);
                case "generate": return GenerationBench.Run(options);
                case "specgen": return SpecGenBench.Run(options);
                case "episodes": return EpisodesBench.Run(options);
                case "info": return InfoBench.Run(options);
                case "models":
                    foreach (var name in TrainingBench.ModelNames) Console.WriteLine(name);
                    return 0;
                default:
                    Console.Error.WriteLine($"unknown command '{args[0]}'");
                    return 2;
            }
        }
        catch (ArgumentException e)
        {
            Console.Error.WriteLine(e.Message);
            return 2;
        }
    }

    /// <summary>Applies --threads (libtorch's intra-op threads; default: all cores) and flushes denormals, as training does.</summary>
    internal static int Configure(Options options)
    {
        int threads = options.Int("threads", Environment.ProcessorCount);
        TorchSetup.Configure(threads);
        return threads;
    }

    /// <summary>Prints the machine-readable line perf.sh collects.</summary>
    internal static void Result(Dictionary<string, object?> values)
        => Console.WriteLine("RESULT " + JsonSerializer.Serialize(values));

    internal static double Median(IReadOnlyList<double> values)
    {
        if (values.Count == 0) return double.NaN;
        var sorted = values.OrderBy(v => v).ToArray();
        int mid = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }

    internal static string F(double value, int digits = 1) => value.ToString("F" + digits.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
}

/// <summary><c>--name value</c> pairs.</summary>
internal sealed class Options
{
    private readonly Dictionary<string, string> values = new(StringComparer.Ordinal);

    public static Options Parse(ReadOnlySpan<string> args)
    {
        var options = new Options();
        for (int i = 0; i < args.Length; i++)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal) || i + 1 >= args.Length)
                throw new ArgumentException($"expected '--name value', got '{args[i]}'");
            options.values[args[i][2..]] = args[++i];
        }
        return options;
    }

    public string String(string name, string fallback) => values.TryGetValue(name, out var v) ? v : fallback;

    public string Required(string name) => values.TryGetValue(name, out var v) ? v : throw new ArgumentException($"--{name} is required");

    public int Int(string name, int fallback)
    {
        if (!values.TryGetValue(name, out var v)) return fallback;
        return int.TryParse(v, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) && n >= 0
            ? n
            : throw new ArgumentException($"--{name} needs a whole number, got '{v}'");
    }
}
