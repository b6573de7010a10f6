using SeqDsl.Runtime.Text;

namespace SeqDsl.Runtime.Tests.Text;

public class EmbeddedCorpusTests
{
    [Fact]
    public void Embedded_corpus_is_long_english_prose_with_a_small_vocabulary()
    {
        var text = TextCorpus.Embedded;
        var corpus = TextCorpus.FromText(text, "embedded");

        Assert.True(text.Length >= 200_000, $"only {text.Length} characters");
        Assert.InRange(corpus.Vocabulary.Size, 30, 80);
        Assert.DoesNotContain('\r', text);
        Assert.All("abcdefghijklmnopqrstuvwxyz .,\n".ToCharArray(), c => Assert.True(corpus.Vocabulary.Contains(c), $"missing {c}"));
        // Prose, not a word list: sentences of several words.
        var sentences = corpus.Text.Split('.', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(sentences.Length > 2_000);
        Assert.InRange(corpus.Text.Count(c => c == ' ') / (double)sentences.Length, 5, 30);
    }

    [Fact]
    public void Embedded_corpus_is_the_same_every_time()
    {
        Assert.Same(TextCorpus.Embedded, TextCorpus.Embedded);
        Assert.StartsWith("CHAPTER I. PREJUDICES\n\n\n1. ", TextCorpus.Embedded);
        // Pinned: the generator must give the same text on every machine and culture, and a change to it (which
        // changes every model trained on it) must be deliberate.
        Assert.Equal(250_000, EmbeddedCorpus.TargetLength);
        Assert.Equal(250_356, TextCorpus.Embedded.Length);
        var hash = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(TextCorpus.Embedded)));
        Assert.Equal("a34fdb0051949a631b30a8451b65bd1ab68b791ee3ed950d6dd24f8ca154f21a", hash);
    }

    [Fact]
    public void Embedded_corpus_feeds_the_lectures_windows_in_both_parts()
    {
        var corpus = TextCorpus.FromText(TextCorpus.Embedded, "embedded");
        using var train = new CharWindowSource(corpus, validation: false, new CharWindowOptions());
        using var validation = new CharWindowSource(corpus, validation: true, new CharWindowOptions());

        Assert.True(train.WindowCount > 75_000);
        Assert.True(validation.StepsPerPass >= 20);
    }
}
