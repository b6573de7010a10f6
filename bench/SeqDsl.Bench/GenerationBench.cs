using SeqDsl.Runtime.Generation;
using SeqDsl.Runtime.Sampling;
using SeqDsl.Runtime.Text;
using static TorchSharp.torch;

namespace SeqDsl.Bench;

/// <summary>
/// Characters per second of <see cref="TextGenerator"/> with CharLstmModel(57) (random weights) in window mode
/// (the lecture's: the whole 60-character window per character) and stateful mode (one LSTM step per character,
/// in managed code on the CPU).
/// </summary>
internal static class GenerationBench
{
    // 57 symbols, as the lower-cased Nietzsche corpus has.
    private const string Symbols = "\n !\"'(),-.0123456789:;=?[]_abcdefghijklmnopqrstuvwxyzäæéë";

    public static int Run(Options options)
    {
        int threads = Program.Configure(options);
        int windowChars = Math.Max(1, options.Int("window-chars", 400));
        int statefulChars = Math.Max(1, options.Int("stateful-chars", 2000));
        int rounds = Math.Max(1, options.Int("rounds", 3));
        // Stateful generation stepping with TorchSharp tensors (the path other devices take), for comparison.
        int tensorChars = Math.Max(1, statefulChars / 4);
        var vocabulary = new CharVocabulary(Symbols.ToCharArray());
        if (vocabulary.Size != 57) throw new InvalidOperationException($"the benchmark vocabulary has {vocabulary.Size} symbols, not 57");
        const string seed = "the preference for a lie that is simple over truth that is c";   // 60 characters
        manual_seed(42);
        using var model = new CharLstmModel(vocabulary.Size);
        var generator = new TextGenerator(model, vocabulary, maxLen: 60);
        var sampling = new SamplingOptions { Temperature = 1.0 };

        // Warm-up of both paths (libtorch's first calls; enough calls for tiered JIT to promote the per-character
        // code), then a pause so that the background tier-1 compilation finishes before timing.
        generator.Generate(seed, 50, new Sampler(sampling, 1), GenerationMode.Window);
        generator.Generate(seed, 500, new Sampler(sampling, 1), GenerationMode.Stateful);
        generator.UseManagedStatefulStep = false;
        generator.Generate(seed, 100, new Sampler(sampling, 1), GenerationMode.Stateful);
        generator.UseManagedStatefulStep = true;
        Thread.Sleep(300);

        // Alternating rounds [window, stateful]: the machine's noise hits both modes alike; medians and ranges are reported.
        var windowCps = new List<double>();
        var statefulCps = new List<double>();
        var tensorCps = new List<double>();
        var perRound = new List<double>();
        for (int round = 0; round < rounds; round++)
        {
            var window = generator.Generate(seed, windowChars, new Sampler(sampling, 7 + round), GenerationMode.Window);
            var stateful = generator.Generate(seed, statefulChars, new Sampler(sampling, 7 + round), GenerationMode.Stateful);
            generator.UseManagedStatefulStep = false;
            var tensorStep = generator.Generate(seed, tensorChars, new Sampler(sampling, 7 + round), GenerationMode.Stateful);
            generator.UseManagedStatefulStep = true;
            tensorCps.Add(tensorStep.CharactersPerSecond);
            windowCps.Add(window.CharactersPerSecond);
            statefulCps.Add(stateful.CharactersPerSecond);
            perRound.Add(stateful.CharactersPerSecond / window.CharactersPerSecond);
            Console.WriteLine($"  round {round + 1}: window {window.Generated.Length} chars in {window.Seconds:F2} s = {window.CharactersPerSecond:F0} chars/s; " +
                $"stateful {stateful.Generated.Length} chars in {stateful.Seconds:F3} s = {stateful.CharactersPerSecond:F0} chars/s ({perRound[^1]:F1}x); " +
                $"stateful with the tensor step {tensorCps[^1]:F0} chars/s");
        }
        double windowMedian = Program.Median(windowCps), statefulMedian = Program.Median(statefulCps);
        double speedup = statefulMedian / windowMedian;
        Console.WriteLine($"seqdsl TextGenerator CharLstm(57), seed of {seed.Length} chars, {threads} threads, {rounds} round(s): " +
            $"window {windowMedian:F0} chars/s, stateful {statefulMedian:F0} chars/s (medians; {speedup:F1}x)");
        Program.Result(new()
        {
            ["kind"] = "generate",
            ["rounds"] = rounds,
            ["window_chars"] = windowChars,
            ["window_cps"] = windowMedian,
            ["window_cps_all"] = windowCps,
            ["stateful_chars"] = statefulChars,
            ["stateful_cps"] = statefulMedian,
            ["stateful_cps_all"] = statefulCps,
            ["speedup"] = speedup,
            ["tensor_step_chars"] = tensorChars,
            ["tensor_step_cps"] = Program.Median(tensorCps),
            ["tensor_step_cps_all"] = tensorCps,
            ["speedup_per_round"] = perRound,
            ["threads"] = threads,
        });
        return 0;
    }
}
