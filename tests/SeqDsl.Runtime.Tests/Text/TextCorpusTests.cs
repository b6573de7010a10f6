using SeqDsl.Runtime.Text;

namespace SeqDsl.Runtime.Tests.Text;

public sealed class TextCorpusTests : IDisposable
{
    private readonly string directory = Directory.CreateTempSubdirectory("seqdsl-corpus-").FullName;

    public void Dispose() => Directory.Delete(directory, recursive: true);

    [Fact]
    public void From_text_lowercases_normalizes_line_ends_and_builds_the_vocabulary()
    {
        var corpus = TextCorpus.FromText("Hello,\r\nWORLD\r\nÉté", "greeting");

        Assert.Equal("hello,\nworld\nété", corpus.Text);
        Assert.Equal("greeting", corpus.SourceName);
        Assert.Equal("\n,dehlortwé", new string(corpus.Vocabulary.Chars.ToArray()));
    }

    [Fact]
    public void Lowercase_can_be_turned_off()
    {
        var corpus = TextCorpus.FromText("AbC\r\n", "raw", new TextCorpusOptions { Lowercase = false });
        Assert.Equal("AbC\n", corpus.Text);
        Assert.True(corpus.Vocabulary.Contains('A'));
    }

    [Theory]
    [InlineData(100, 0.05, 95)]
    [InlineData(100, 0.1, 90)]
    [InlineData(100, 0.0, 100)]
    [InlineData(99, 0.25, 75)]      // 24.75 held out rounds down to 24
    [InlineData(600_893, 0.05, 570_849)]
    public void The_last_fraction_of_the_text_is_held_out(int length, double fraction, int trainLength)
    {
        var corpus = TextCorpus.FromText(new string('a', length), "a", new TextCorpusOptions { ValidationFraction = fraction });
        Assert.Equal(trainLength, corpus.TrainLength);
    }

    [Fact]
    public void Default_options_hold_out_five_percent()
    {
        Assert.True(new TextCorpusOptions().Lowercase);
        Assert.Equal(0.05, new TextCorpusOptions().ValidationFraction);
        Assert.Equal(190, TextCorpus.FromText(new string('x', 200), "x").TrainLength);
    }

    [Fact]
    public void Vocabulary_covers_characters_that_only_the_validation_part_has()
    {
        var text = new string('a', 90) + "xyz\nqqqqqq";
        var corpus = TextCorpus.FromText(text, "tail", new TextCorpusOptions { ValidationFraction = 0.1 });

        Assert.Equal(90, corpus.TrainLength);
        var validation = corpus.Text[corpus.TrainLength..];
        Assert.Equal("xyz\nqqqqqq", validation);
        Assert.Equal(validation, corpus.Vocabulary.Decode(corpus.Vocabulary.Encode(validation)));
        Assert.DoesNotContain('x', corpus.Text[..corpus.TrainLength]);
    }

    [Theory]
    [InlineData(1.0)]
    [InlineData(-0.01)]
    [InlineData(double.NaN)]
    public void Validation_fraction_outside_zero_to_one_is_rejected(double fraction)
    {
        var error = Assert.Throws<ArgumentException>(
            () => TextCorpus.FromText("abc", "abc", new TextCorpusOptions { ValidationFraction = fraction }));
        Assert.Contains("ValidationFraction", error.Message);
    }

    [Fact]
    public void Empty_text_is_rejected_naming_the_source()
    {
        var error = Assert.Throws<ArgumentException>(() => TextCorpus.FromText("", "empty.txt"));
        Assert.Contains("empty.txt", error.Message);
    }

    [Fact]
    public void Load_reads_utf8_skips_the_byte_order_mark_and_normalizes_line_ends()
    {
        var path = Path.Combine(directory, "book.txt");
        File.WriteAllText(path, "Über\r\nAlles\r\n", new System.Text.UTF8Encoding(encoderShouldEmitUTF8Identifier: true));

        var corpus = TextCorpus.Load(path, new TextCorpusOptions { ValidationFraction = 0 });

        Assert.Equal("über\nalles\n", corpus.Text);
        Assert.Equal(path, corpus.SourceName);
        Assert.Equal(corpus.Text.Length, corpus.TrainLength);
    }

    [Fact]
    public void Load_of_a_missing_file_names_the_path()
    {
        var path = Path.Combine(directory, "nowhere.txt");
        var error = Assert.Throws<FileNotFoundException>(() => TextCorpus.Load(path));
        Assert.Contains(path, error.Message);
        Assert.Equal(path, error.FileName);
    }
}
