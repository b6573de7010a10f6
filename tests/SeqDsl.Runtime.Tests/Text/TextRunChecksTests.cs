using SeqDsl.Runtime.Experiments;
using SeqDsl.Runtime.Generation;
using SeqDsl.Runtime.Sampling;
using SeqDsl.Runtime.Text;
using SeqDsl.Runtime.Training;

namespace SeqDsl.Runtime.Tests.Text;

/// <summary>A text run checks its corpus before the first step and leaves the folder's files alone when it fails; generation streams.</summary>
public sealed class TextRunChecksTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "seqdsl-textchecks-" + Guid.NewGuid().ToString("N"));

    public TextRunChecksTests() => Directory.CreateDirectory(_folder);

    [Theory]
    [InlineData(40, "its 38 training characters hold no window of maxlen 60")]
    [InlineData(200, "the held-out 10 characters (validation_fraction 0.05) hold no window of maxlen 60")]
    public void A_corpus_too_short_for_its_windows_fails_before_training_and_keeps_the_folders_vocabulary(int length, string message)
    {
        string corpus = Path.Combine(_folder, "short.txt");
        File.WriteAllText(corpus, string.Concat(Enumerable.Range(0, length).Select(i => (char)('a' + i % 26))));
        string vocabulary = Path.Combine(_folder, "vocabulary.json");
        File.WriteAllText(vocabulary, "{\"chars\": \"xyz\"}\n");
        var output = new StringWriter();
        var runner = new TextExperimentRunner(CharLstmModel.Experiment, new RunOptions { OutputDirectory = _folder, DataPath = corpus, Device = DeviceChoice.Cpu },
            output, NullProgress.Instance);

        var error = Assert.Throws<ExperimentException>(() => runner.Train());

        Assert.StartsWith(corpus + ":", error.Message);
        Assert.Contains(message, error.Message);
        Assert.Equal("{\"chars\": \"xyz\"}\n", File.ReadAllText(vocabulary));
        Assert.False(File.Exists(Path.Combine(_folder, "last.pt")));
    }

    [Fact]
    public void Generated_text_is_streamed_in_chunks_as_it_comes()
    {
        var vocabulary = new CharVocabulary("abcdefgh ".ToCharArray());
        var generator = new TextGenerator(new CharLstmModel(vocabulary.Size), vocabulary, maxLen: 8);
        var stream = new FlushCountingWriter();

        var result = generator.Generate("abc", 3 * TextGenerator.StreamChunk + 5, new Sampler(new SamplingOptions(), 1), GenerationMode.Stateful, stream);

        Assert.Equal(result.Generated, stream.ToString());
        // One flush per full chunk while generating, one for the rest at the end.
        Assert.Equal(4, stream.Flushes);
        Assert.Equal(TextGenerator.StreamChunk, stream.LengthAtFirstFlush);
    }

    private sealed class FlushCountingWriter : StringWriter
    {
        public int Flushes { get; private set; }

        public int LengthAtFirstFlush { get; private set; } = -1;

        public override void Flush()
        {
            if (Flushes++ == 0) LengthAtFirstFlush = GetStringBuilder().Length;
            base.Flush();
        }
    }

    public void Dispose()
    {
        try { Directory.Delete(_folder, recursive: true); } catch (DirectoryNotFoundException) { }
    }
}
