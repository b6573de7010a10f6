using SeqDsl.Runtime.Text;
using TorchSharp;
using static TorchSharp.torch;

namespace SeqDsl.Runtime.Tests.Text;

public class CharWindowSourceTests
{
    private static CharWindowOptions Sequential(int maxLen, int step, int batch, TextEncoding encoding = TextEncoding.OneHot) =>
        new(maxLen, step, batch) { Shuffle = false, Encoding = encoding };

    private static TextCorpus Corpus(string text, double validationFraction) =>
        TextCorpus.FromText(text, "tiny", new TextCorpusOptions { ValidationFraction = validationFraction });

    /// <summary>Decodes a batch back to (window text, target) pairs, checking shapes, dtypes and one-hot validity on the way.</summary>
    private static List<(string Window, char Target)> DecodeBatch(Tensor inputs, Tensor targets, CharVocabulary vocabulary, int maxLen, TextEncoding encoding)
    {
        long batch = targets.shape[0];
        Assert.Equal(ScalarType.Int64, targets.dtype);
        Assert.Equal(new[] { batch }, targets.shape);
        Tensor indices;
        if (encoding == TextEncoding.OneHot)
        {
            Assert.Equal(ScalarType.Float32, inputs.dtype);
            Assert.Equal(new long[] { batch, maxLen, vocabulary.Size }, inputs.shape);
            // Exactly one 1 per position, everything else 0.
            Assert.Equal(batch * maxLen, inputs.sum().item<float>());
            Assert.True(inputs.eq(0).logical_or(inputs.eq(1)).all().item<bool>());
            indices = inputs.argmax(2);
        }
        else
        {
            Assert.Equal(ScalarType.Int64, inputs.dtype);
            Assert.Equal(new long[] { batch, maxLen }, inputs.shape);
            indices = inputs;
        }
        var flat = indices.data<long>().ToArray().Select(i => (int)i).ToArray();
        var targetChars = vocabulary.Decode(targets.data<long>().ToArray().Select(i => (int)i).ToArray());
        var result = new List<(string, char)>();
        for (int b = 0; b < batch; b++)
            result.Add((vocabulary.Decode(flat.AsSpan(b * maxLen, maxLen)), targetChars[b]));
        return result;
    }

    public static TheoryData<int, int, int, double, bool, TextEncoding> Combos => new()
    {
        // maxLen, step, batch, validation fraction, validation part, encoding
        { 7, 3, 5, 0.25, false, TextEncoding.OneHot },
        { 7, 3, 5, 0.25, true, TextEncoding.OneHot },
        { 1, 1, 4, 0.1, false, TextEncoding.Indices },
        { 1, 1, 4, 0.1, true, TextEncoding.OneHot },
        { 10, 1, 16, 0.2, false, TextEncoding.Indices },
        { 10, 1, 16, 0.2, true, TextEncoding.Indices },
        { 5, 7, 3, 0.3, true, TextEncoding.OneHot },
        { 60, 3, 8, 0.0, false, TextEncoding.OneHot },
        { 12, 4, 64, 0.5, true, TextEncoding.OneHot },    // fewer windows than a batch
    };

    [Theory]
    [MemberData(nameof(Combos))]
    public void Sequential_batches_follow_the_lectures_loop_with_wrap_around(
        int maxLen, int step, int batch, double fraction, bool validation, TextEncoding encoding)
    {
        using var scope = NewDisposeScope();
        var corpus = Corpus(LectureWindowsOracle.Text(300), fraction);
        var part = validation ? corpus.Text[corpus.TrainLength..] : corpus.Text[..corpus.TrainLength];
        var (sentences, nextChars) = LectureWindowsOracle.Windows(part, maxLen, step);
        using var source = new CharWindowSource(corpus, validation, Sequential(maxLen, step, batch, encoding));

        Assert.Equal(sentences.Count, source.WindowCount);
        Assert.Equal(Math.Max(1, sentences.Count / batch), source.StepsPerPass);

        // The expected order: consecutive full batches, back to window 0 when the next would run past the end.
        int size = Math.Min(batch, sentences.Count);
        int next = 0, wraps = 0;
        for (int n = 0; n < 3 * source.StepsPerPass + 3; n++)
        {
            using var batchScope = NewDisposeScope();
            if (next + size > sentences.Count)
            {
                next = 0;
                wraps++;
            }
            var (inputs, targets) = source.Next();
            var actual = DecodeBatch(inputs, targets, corpus.Vocabulary, maxLen, encoding);
            var expected = Enumerable.Range(next, size).Select(k => (sentences[k], nextChars[k])).ToList();
            Assert.Equal(expected, actual);
            Assert.Equal(Enumerable.Range(next, size).Select(k => (long)k), source.LastWindows);
            next += size;
        }
        Assert.True(wraps >= 2);
    }

    [Fact]
    public void Alphabet_windows_are_the_lectures_sentences_and_next_chars()
    {
        var corpus = Corpus("abcdefghijklmnopqrstuvwxyz", 0);
        using var source = new CharWindowSource(corpus, false, Sequential(maxLen: 5, step: 3, batch: 7, TextEncoding.Indices));

        var (inputs, targets) = source.Next();
        using (inputs)
        using (targets)
        {
            // range(0, 21, 3): 0, 3, …, 18.
            Assert.Equal(7, source.WindowCount);
            Assert.Equal(
                new[] { ("abcde", 'f'), ("defgh", 'i'), ("ghijk", 'l'), ("jklmn", 'o'), ("mnopq", 'r'), ("pqrst", 'u'), ("stuvw", 'x') },
                DecodeBatch(inputs, targets, corpus.Vocabulary, 5, TextEncoding.Indices));
        }
    }

    [Fact]
    public void One_hot_inputs_put_the_one_at_each_characters_index()
    {
        var corpus = Corpus("abcab", 0);
        using var source = new CharWindowSource(corpus, false, Sequential(maxLen: 3, step: 1, batch: 2));

        var (inputs, targets) = source.Next();
        using (inputs)
        using (targets)
        {
            var expected = new float[]
            {
                1, 0, 0,   0, 1, 0,   0, 0, 1,   // "abc"
                0, 1, 0,   0, 0, 1,   1, 0, 0,   // "bca"
            };
            Assert.Equal(expected, inputs.data<float>().ToArray());
            Assert.Equal(new long[] { 0, 1 }, targets.data<long>().ToArray());   // 'a', 'b'
        }
    }

    [Theory]
    [InlineData(13, 5, new[] { 0, 5, 0, 5, 0 })]             // 10 + 5 > 13: windows 10..12 wait for the next pass
    [InlineData(15, 5, new[] { 0, 5, 10, 0, 5, 10 })]        // a batch may end exactly at the last window
    [InlineData(3, 5, new[] { 0, 0, 0 })]                    // fewer windows than a batch: all of them every time
    public void Sequential_batches_wrap_to_the_first_window(int windows, int batch, int[] firstWindows)
    {
        // maxLen 1, step 1: windows = length - 1.
        var corpus = Corpus(LectureWindowsOracle.Text(windows + 1), 0);
        using var source = new CharWindowSource(corpus, false, Sequential(maxLen: 1, step: 1, batch));

        Assert.Equal(windows, source.WindowCount);
        foreach (int first in firstWindows)
        {
            var (inputs, targets) = source.Next();
            inputs.Dispose();
            targets.Dispose();
            var last = source.LastWindows;
            Assert.Equal(Math.Min(batch, windows), last.Length);
            Assert.Equal(first, last[0]);
            Assert.Equal(Enumerable.Range(first, last.Length).Select(k => (long)k), last);
        }
    }

    [Fact]
    public void Shuffled_batches_are_valid_windows_and_the_same_for_the_same_seed()
    {
        using var scope = NewDisposeScope();
        var corpus = Corpus(LectureWindowsOracle.Text(400), 0.2);
        var part = corpus.Text[corpus.TrainLength..];   // validation: windows start at TrainLength, not 0
        var (sentences, nextChars) = LectureWindowsOracle.Windows(part, 9, 2);
        var valid = sentences.Zip(nextChars).ToHashSet();
        var options = new CharWindowOptions(9, 2, 8);
        using var first = new CharWindowSource(corpus, true, options, seed: 42);
        using var again = new CharWindowSource(corpus, true, options, seed: 42);
        using var other = new CharWindowSource(corpus, true, options, seed: 43);

        var seen = new HashSet<long>();
        bool differs = false;
        for (int n = 0; n < 40; n++)
        {
            using var batchScope = NewDisposeScope();
            var (inputs, targets) = first.Next();
            var (inputs2, targets2) = again.Next();
            var (inputs3, _) = other.Next();
            Assert.True(inputs.eq(inputs2).all().item<bool>());
            Assert.True(targets.eq(targets2).all().item<bool>());
            differs |= !inputs.eq(inputs3).all().item<bool>();
            foreach (var (window, target) in DecodeBatch(inputs, targets, corpus.Vocabulary, 9, TextEncoding.OneHot))
                Assert.Contains((window, target), valid);
            var drawn = first.LastWindows;
            Assert.Equal(8, drawn.Length);
            Assert.All(drawn, k => Assert.InRange(k, 0, sentences.Count - 1));
            for (int b = 0; b < drawn.Length; b++)
                Assert.Equal(sentences[(int)drawn[b]], DecodeBatch(inputs, targets, corpus.Vocabulary, 9, TextEncoding.OneHot)[b].Window);
            seen.UnionWith(drawn);
        }
        Assert.True(differs, "seeds 42 and 43 drew the same batches");
        // 320 uniform draws from 36 windows reach every one of them (this seed does).
        Assert.Equal(sentences.Count, seen.Count);
    }

    [Fact]
    public void Window_count_of_the_lectures_corpus_is_200278()
    {
        // Nietzsche: 600,893 characters, maxlen 60, step 3.
        Assert.Equal(200_278, CharWindowSource.CountWindows(600_893, 60, 3));
        Assert.Equal(0, CharWindowSource.CountWindows(60, 60, 3));
        Assert.Equal(1, CharWindowSource.CountWindows(61, 60, 3));
        Assert.Equal(2, CharWindowSource.CountWindows(64, 60, 3));

        var corpus = TextCorpus.FromText(new string('a', 600_892) + "b", "lecture-sized", new TextCorpusOptions { ValidationFraction = 0 });
        using var source = new CharWindowSource(corpus, false, new CharWindowOptions());
        Assert.Equal(200_278, source.WindowCount);
        Assert.Equal(200_278 / 128, source.StepsPerPass);
    }

    [Fact]
    public void A_part_without_windows_has_count_zero_and_next_explains()
    {
        var corpus = Corpus(LectureWindowsOracle.Text(100), 0.05);   // validation: 5 characters
        using var validation = new CharWindowSource(corpus, true, new CharWindowOptions(MaxLen: 5));
        using var none = new CharWindowSource(Corpus(LectureWindowsOracle.Text(100), 0), true, new CharWindowOptions());

        Assert.Equal(0, validation.WindowCount);
        Assert.Equal(0, validation.StepsPerPass);
        Assert.Equal(0, none.WindowCount);
        var error = Assert.Throws<InvalidOperationException>(() => validation.Next());
        Assert.Contains("validation part of 'tiny'", error.Message);
        Assert.Contains("[95, 100)", error.Message);
    }

    [Fact]
    public void Options_are_validated()
    {
        Assert.Throws<ArgumentException>(() => new CharWindowOptions(MaxLen: 0));
        Assert.Throws<ArgumentException>(() => new CharWindowOptions(Step: 0));
        Assert.Throws<ArgumentException>(() => new CharWindowOptions(BatchSize: -1));
        var defaults = new CharWindowOptions();
        Assert.Equal((60, 3, 128, true, TextEncoding.OneHot),
            (defaults.MaxLen, defaults.Step, defaults.BatchSize, defaults.Shuffle, defaults.Encoding));

        var corpus = Corpus("abcdefgh", 0);
        // `with` skips the record's constructor, so the source checks again.
        var error = Assert.Throws<ArgumentException>(() => new CharWindowSource(corpus, false, defaults with { Step = 0 }));
        Assert.Contains("Step must be at least 1", error.Message);
        Assert.Throws<ArgumentException>(() => new CharWindowSource(corpus, false, defaults with { Encoding = (TextEncoding)7 }));
    }

    [Fact]
    public void Only_the_returned_tensors_survive_and_dispose_stops_the_source()
    {
        var corpus = Corpus(LectureWindowsOracle.Text(200), 0);
        var source = new CharWindowSource(corpus, false, new CharWindowOptions(10, 3, 4));
        using (var scope = NewDisposeScope())
        {
            int before = scope.DisposablesCount;
            var (inputs, targets) = source.Next();
            Assert.Equal(before + 2, scope.DisposablesCount);
            Assert.Equal(DeviceType.CPU, inputs.device_type);
            Assert.Equal(DeviceType.CPU, targets.device_type);
        }
        // The constructor's tensors belong to the source, not to a scope around it.
        using (NewDisposeScope())
        {
            using var scoped = new CharWindowSource(corpus, false, new CharWindowOptions(10, 3, 4));
        }
        source.Dispose();
        source.Dispose();
        Assert.Throws<ObjectDisposedException>(() => source.Next());
    }

    [Fact]
    public void Source_created_inside_a_scope_outlives_it()
    {
        var corpus = Corpus(LectureWindowsOracle.Text(200), 0);
        CharWindowSource source;
        using (NewDisposeScope())
            source = new CharWindowSource(corpus, false, new CharWindowOptions(10, 3, 4) { Shuffle = false });
        using (source)
        {
            var (inputs, targets) = source.Next();
            using (inputs)
            using (targets)
                Assert.Equal(corpus.Text.Substring(0, 10), corpus.Vocabulary.Decode(inputs[0].argmax(1).data<long>().ToArray().Select(i => (int)i).ToArray()));
        }
    }
}
