using SeqDsl.Runtime.Generation;
using SeqDsl.Runtime.Sampling;
using SeqDsl.Runtime.Text;
using static TorchSharp.torch;

namespace SeqDsl.Bench;

/// <summary>
/// Characters per second of <see cref="TextGenerator"/> with CharLstmModel(57) (random weights) in window mode
/// (the lecture's: the whole 60-character window per character) and stateful mode (one LSTM step per character).
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
        Thread.Sleep(300);

        var window = generator.Generate(seed, windowChars, new Sampler(sampling, 7), GenerationMode.Window);
        var stateful = generator.Generate(seed, statefulChars, new Sampler(sampling, 7), GenerationMode.Stateful);
        double speedup = stateful.CharactersPerSecond / window.CharactersPerSecond;
        Console.WriteLine($"seqdsl TextGenerator CharLstm(57), seed of {seed.Length} chars, {threads} threads:");
        Console.WriteLine($"  window:   {window.Generated.Length} chars in {window.Seconds:F2} s = {window.CharactersPerSecond:F0} chars/s");
        Console.WriteLine($"  stateful: {stateful.Generated.Length} chars in {stateful.Seconds:F2} s = {stateful.CharactersPerSecond:F0} chars/s ({speedup:F1}x)");
        Program.Result(new()
        {
            ["kind"] = "generate",
            ["window_chars"] = window.Generated.Length,
            ["window_s"] = window.Seconds,
            ["window_cps"] = window.CharactersPerSecond,
            ["stateful_chars"] = stateful.Generated.Length,
            ["stateful_s"] = stateful.Seconds,
            ["stateful_cps"] = stateful.CharactersPerSecond,
            ["speedup"] = speedup,
            ["threads"] = threads,
        });
        return 0;
    }
}
