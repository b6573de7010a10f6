using System.Text.Json;
using SeqDsl.Runtime.Text;

namespace SeqDsl.Runtime.Tests.Text;

public sealed class CharVocabularyTests : IDisposable
{
    private readonly string directory = Directory.CreateTempSubdirectory("seqdsl-vocab-").FullName;

    public void Dispose() => Directory.Delete(directory, recursive: true);

    [Fact]
    public void Build_gives_the_sorted_distinct_characters_in_ordinal_order()
    {
        var vocabulary = CharVocabulary.Build("the cat\nsat é Z!");

        // sorted(set(text)) in Python: code-point order, so '\n' < ' ' < '!' < 'Z' < 'a' < 'é'.
        Assert.Equal("\n !Zacehsté", new string(vocabulary.Chars.ToArray()));
        Assert.Equal(11, vocabulary.Size);
        Assert.Equal(0, vocabulary.IndexOf('\n'));
        Assert.Equal(10, vocabulary.IndexOf('é'));
        Assert.Equal(-1, vocabulary.IndexOf('q'));
        Assert.Equal(-1, vocabulary.IndexOf('\uFFFF'));
        Assert.True(vocabulary.Contains('Z'));
        Assert.False(vocabulary.Contains('z'));
    }

    [Fact]
    public void Constructor_keeps_the_given_order_and_rejects_duplicates_and_empty_lists()
    {
        var vocabulary = new CharVocabulary(['z', 'a', 'm']);
        Assert.Equal(new[] { 'z', 'a', 'm' }, vocabulary.Chars);
        Assert.Equal(1, vocabulary.IndexOf('a'));

        var duplicate = Assert.Throws<ArgumentException>(() => new CharVocabulary(['a', 'b', 'a']));
        Assert.Contains("'a' appears twice", duplicate.Message);
        Assert.Contains("indices 0 and 2", duplicate.Message);
        Assert.Throws<ArgumentException>(() => new CharVocabulary([]));
        Assert.Throws<ArgumentException>(() => CharVocabulary.Build(""));
    }

    [Fact]
    public void Encode_and_decode_round_trip()
    {
        const string text = "to be, or not to be:\nthat is the question.";
        var vocabulary = CharVocabulary.Build(text);

        var indices = vocabulary.Encode(text);

        Assert.Equal(text.Length, indices.Length);
        Assert.All(indices, i => Assert.InRange(i, 0, vocabulary.Size - 1));
        Assert.Equal(vocabulary.IndexOf('q'), indices[text.IndexOf('q')]);
        Assert.Equal(text, vocabulary.Decode(indices));
        Assert.Equal("", vocabulary.Decode(vocabulary.Encode("")));
    }

    [Fact]
    public void Decode_rejects_indices_outside_the_vocabulary()
    {
        var vocabulary = CharVocabulary.Build("abc");
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => vocabulary.Decode([0, 1, 3]));
        Assert.Contains("Index 3 at position 2", error.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => vocabulary.Decode([-1]));
    }

    [Fact]
    public void Encode_names_each_unknown_character_escaped_with_its_first_position_and_the_vocabulary()
    {
        var vocabulary = CharVocabulary.Build("cab");

        var error = Assert.Throws<ArgumentException>(() => vocabulary.Encode("ab\ncé\u00A0a\né"));

        Assert.Equal("text", error.ParamName);
        Assert.Contains("3 distinct characters outside the vocabulary", error.Message);
        Assert.Contains("'\\n' (first at position 2)", error.Message);
        Assert.Contains("'é' (first at position 4)", error.Message);
        Assert.Contains("U+00A0 (first at position 5)", error.Message);
        Assert.DoesNotContain("position 7", error.Message);   // only the first occurrence of '\n'
        Assert.Contains("The vocabulary has 3 characters: 'a' 'b' 'c'", error.Message);
    }

    [Fact]
    public void Encode_message_of_a_single_unknown_character()
    {
        var error = Assert.Throws<ArgumentException>(() => CharVocabulary.Build("ab").Encode("a\\"));
        Assert.Contains("1 character outside the vocabulary: '\\\\' (first at position 1)", error.Message);
    }

    [Fact]
    public void Save_and_load_round_trip_escapes_and_non_ascii_characters()
    {
        // Includes both halves of an emoji, which sort apart (lone surrogates in the saved string).
        var vocabulary = CharVocabulary.Build("a\n\"\\\t\r é€ü/😀🎉Z\u00A0\u0001");
        var path = Path.Combine(directory, "sub", "vocab.json");

        vocabulary.Save(path);
        var loaded = CharVocabulary.Load(path);

        Assert.Equal(vocabulary.Chars, loaded.Chars);
        var saved = File.ReadAllText(path);
        Assert.StartsWith("{\"chars\": \"", saved);
        Assert.Contains("\\n", saved);
        Assert.Contains("\\\"", saved);
        Assert.Contains("\\\\", saved);
        Assert.Contains("\\u00e9", saved);
        Assert.Equal(new[] { "vocab.json" }, Directory.GetFiles(Path.GetDirectoryName(path)!).Select(Path.GetFileName));
    }

    [Fact]
    public void Saved_file_is_standard_json_and_save_overwrites()
    {
        var path = Path.Combine(directory, "vocab.json");
        CharVocabulary.Build("old").Save(path);
        CharVocabulary.Build("new \"text\"\n").Save(path);

        using var document = JsonDocument.Parse(File.ReadAllText(path));
        Assert.Equal("\n \"entwx", document.RootElement.GetProperty("chars").GetString());
        Assert.Equal("\n \"entwx", new string(CharVocabulary.Load(path).Chars.ToArray()));
    }

    [Fact]
    public void Load_accepts_plain_json_written_elsewhere()
    {
        var path = Path.Combine(directory, "hand.json");
        File.WriteAllText(path, "{ \"version\": [1, {\"x\": 2}], \"chars\": \"xy\\u00e9\\/\" }", new System.Text.UTF8Encoding(true));

        Assert.Equal(new[] { 'x', 'y', 'é', '/' }, CharVocabulary.Load(path).Chars);
    }

    [Theory]
    [InlineData("{not json", "not valid JSON")]
    [InlineData("", "is empty or is not a regular file")]
    [InlineData("{\"chars\": \"ab\"} trailing", "not valid JSON")]
    [InlineData("{\"letters\": \"ab\"}", "no \"chars\" property")]
    [InlineData("{\"chars\": 12}", "must be a string")]
    [InlineData("[\"ab\"]", "expected a JSON object")]
    [InlineData("{\"chars\": \"aba\"}", "appears twice")]
    [InlineData("{\"chars\": \"\"}", "at least one character")]
    public void Load_of_a_corrupt_file_names_the_path_and_the_problem(string content, string problem)
    {
        var path = Path.Combine(directory, "corrupt.json");
        File.WriteAllText(path, content);

        var error = Assert.Throws<InvalidDataException>(() => CharVocabulary.Load(path));

        Assert.Contains(path, error.Message);
        Assert.Contains(problem, error.Message);
    }

    [Fact]
    public void Load_of_a_missing_file_names_the_path()
    {
        var path = Path.Combine(directory, "missing.json");
        var error = Assert.Throws<FileNotFoundException>(() => CharVocabulary.Load(path));
        Assert.Contains(path, error.Message);
        Assert.Equal(path, error.FileName);
    }
}
