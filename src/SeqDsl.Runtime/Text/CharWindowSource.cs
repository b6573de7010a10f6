using System;
using SeqDsl.Runtime.Data;
using static TorchSharp.torch;

namespace SeqDsl.Runtime.Text;

/// <summary>
/// Cuts a corpus' training or validation part into (window, next character) batches with the semantics of the
/// lecture's <c>for i in range(0, len(text) - maxlen, step): sentences.append(text[i: i + maxlen]);
/// next_chars.append(text[i + maxlen])</c>, applied to the part.
/// </summary>
/// <remarks>
/// Window <c>k</c> starts at <c>begin + k * Step</c>; windows continue while <c>start + MaxLen &lt; end</c>, so every
/// target lies inside the part. The encoded part lives once on the device as an int64 tensor and batches are
/// gathered from it with index_select; shuffled batches draw window indices with a seeded CPU generator.
/// </remarks>
public sealed class CharWindowSource : IBatchSource, IDisposable
{
    private readonly Tensor encoded;   // (end - begin) int64: the part's character indices
    private readonly Tensor offsets;   // (MaxLen + 1) int64: 0 … MaxLen; the last column is the target
    private readonly Generator? random;
    private readonly int vocabularySize;
    private long nextWindow;
    private long[] lastWindows = [];
    private bool disposed;

    /// <summary>Creates the source.</summary>
    /// <param name="corpus">The corpus; its vocabulary gives the one-hot width.</param>
    /// <param name="validation">Cut the validation part <c>[TrainLength, Text.Length)</c> instead of the training part <c>[0, TrainLength)</c>.</param>
    /// <param name="options">Window shape, batch size, order and encoding.</param>
    /// <param name="seed">Seed of the window sampler when shuffling; the same seed gives the same batches.</param>
    /// <param name="device">Where the corpus and the batches live; null for the CPU.</param>
    /// <exception cref="ArgumentException">An option is out of range; the message names it.</exception>
    /// <remarks>A part too short for one window gives a source with <see cref="WindowCount"/> 0, whose <see cref="Next"/> throws.</remarks>
    public CharWindowSource(TextCorpus corpus, bool validation, CharWindowOptions options, long seed = 0, Device? device = null)
    {
        ArgumentNullException.ThrowIfNull(corpus);
        ArgumentNullException.ThrowIfNull(options);
        // Re-checked here because a `with` expression can bypass CharWindowOptions' constructor.
        if (options.MaxLen < 1)
            throw new ArgumentException($"MaxLen must be at least 1, got {options.MaxLen}.", nameof(options));
        if (options.Step < 1)
            throw new ArgumentException($"Step must be at least 1, got {options.Step}.", nameof(options));
        if (options.BatchSize < 1)
            throw new ArgumentException($"BatchSize must be at least 1, got {options.BatchSize}.", nameof(options));
        if (!Enum.IsDefined(options.Encoding))
            throw new ArgumentException($"Encoding {(int)options.Encoding} is not a TextEncoding.", nameof(options));

        Corpus = corpus;
        Validation = validation;
        Options = options;
        Begin = validation ? corpus.TrainLength : 0;
        End = validation ? corpus.Text.Length : corpus.TrainLength;
        WindowCount = CountWindows(End - Begin, options.MaxLen, options.Step);
        vocabularySize = corpus.Vocabulary.Size;
        device ??= CPU;

        // Cached for every batch; detached so that a caller's dispose scope around the constructor cannot free them.
        using (var scope = NewDisposeScope())
        {
            var indices = corpus.Vocabulary.Encode(corpus.Text.Substring(Begin, End - Begin));
            encoded = tensor(indices, dtype: ScalarType.Int64, device: device).DetachFromDisposeScope();
            offsets = arange(0, options.MaxLen + 1, dtype: ScalarType.Int64, device: device).DetachFromDisposeScope();
        }
        if (options.Shuffle)
        {
            // A CPU generator: the same seed gives the same windows whatever device the corpus is on.
            random = new Generator(unchecked((ulong)seed));
        }
    }

    /// <summary>
    /// Number of windows in a part of <paramref name="length"/> characters: the length of the lecture's
    /// <c>range(0, length - maxLen, step)</c>, 0 when <paramref name="length"/> &lt;= <paramref name="maxLen"/>.
    /// </summary>
    public static int CountWindows(int length, int maxLen, int step)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxLen, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(step, 1);
        long span = (long)length - maxLen;
        return span <= 0 ? 0 : (int)((span + step - 1) / step);
    }

    /// <summary>The corpus the windows are cut from.</summary>
    public TextCorpus Corpus { get; }

    /// <summary>Whether this source cuts the validation part.</summary>
    public bool Validation { get; }

    /// <summary>Window shape, batch size, order and encoding.</summary>
    public CharWindowOptions Options { get; }

    /// <summary>First character of the part (inclusive).</summary>
    public int Begin { get; }

    /// <summary>End of the part (exclusive).</summary>
    public int End { get; }

    /// <summary>Number of windows in the part (the lecture's <c>len(sentences)</c>).</summary>
    public int WindowCount { get; }

    /// <summary>Batches per pass over the part: <c>WindowCount / BatchSize</c>, at least 1 when there is a window.</summary>
    public int StepsPerPass => StepsForOnePass(WindowCount, Options.BatchSize);

    /// <summary>Batches of <paramref name="batchSize"/> in one pass over <paramref name="windows"/> windows: at least 1 when there is a window, else 0.</summary>
    public static int StepsForOnePass(int windows, int batchSize) => windows == 0 ? 0 : Math.Max(1, windows / batchSize);

    /// <summary>Window indices (0-based within the part; window k starts at <c>Begin + k * Step</c>) of the last batch.</summary>
    internal long[] LastWindows => (long[])lastWindows.Clone();

    /// <summary>
    /// Next batch: inputs (B, MaxLen, V) float32 one-hot or (B, MaxLen) int64 indices, and targets (B) int64 class
    /// indices of the character after each window; both on the source's device, owned by the caller.
    /// </summary>
    /// <remarks>
    /// Sequential batches take windows in order and start over at window 0 when the next batch would run past the last
    /// window, so every batch is full unless the part has fewer windows than a batch (then each batch is all of them).
    /// </remarks>
    /// <exception cref="InvalidOperationException">The part holds no window.</exception>
    public (Tensor Inputs, Tensor Targets) Next()
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        if (WindowCount == 0)
            throw new InvalidOperationException(
                $"The {(Validation ? "validation" : "training")} part of '{Corpus.SourceName}' (characters [{Begin}, {End}), " +
                $"{End - Begin} long) holds no window: a window needs MaxLen {Options.MaxLen} characters plus the target.");

        using var scope = NewDisposeScope();
        Tensor windows;
        if (random is not null)
        {
            // Drawn on the CPU (where the sampler lives), then moved.
            windows = randint(0, WindowCount, new long[] { Options.BatchSize }, dtype: ScalarType.Int64, generator: random);
            lastWindows = windows.data<long>().ToArray();
            windows = windows.to(encoded.device);
        }
        else
        {
            long count = Math.Min(Options.BatchSize, WindowCount);
            if (nextWindow + count > WindowCount)
                nextWindow = 0;
            windows = arange(nextWindow, nextWindow + count, dtype: ScalarType.Int64, device: encoded.device);
            lastWindows = new long[count];
            for (int j = 0; j < count; j++)
                lastWindows[j] = nextWindow + j;
            nextWindow += count;
        }

        long batch = windows.shape[0];
        // (B, MaxLen + 1) positions in the part: the window's characters, then its target.
        var positions = windows.mul(Options.Step).unsqueeze(1) + offsets.unsqueeze(0);
        var characters = encoded.index_select(0, positions.view(-1)).view(batch, Options.MaxLen + 1);
        var inputs = characters.narrow(1, 0, Options.MaxLen);
        var targets = characters.select(1, Options.MaxLen).contiguous();
        inputs = Options.Encoding == TextEncoding.OneHot
            ? nn.functional.one_hot(inputs, vocabularySize).to_type(ScalarType.Float32)
            : inputs.contiguous();
        return (inputs.MoveToOuterDisposeScope(), targets.MoveToOuterDisposeScope());
    }

    /// <summary>Releases the encoded corpus, the cached offsets and the sampler.</summary>
    public void Dispose()
    {
        if (disposed)
            return;
        disposed = true;
        encoded.Dispose();
        offsets.Dispose();
        random?.Dispose();
    }
}
