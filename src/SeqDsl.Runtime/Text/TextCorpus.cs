using System;
using System.IO;
using System.Text;
using SeqDsl.Runtime.IO;

namespace SeqDsl.Runtime.Text;

/// <summary>How a <see cref="TextCorpus"/> is prepared.</summary>
public sealed record TextCorpusOptions
{
    /// <summary>Whether the text is lower-cased (invariant culture), as the lecture's <c>.lower()</c>.</summary>
    public bool Lowercase { get; init; } = true;

    /// <summary>Fraction of the text, taken from its end, held out for validation; 0 holds out nothing.</summary>
    public double ValidationFraction { get; init; } = 0.05;
}

/// <summary>
/// A text prepared for character-level training: normalized line ends, optionally lower-cased, its vocabulary,
/// and a split into a training part (the beginning) and a validation part (the end).
/// </summary>
public sealed class TextCorpus
{
    private TextCorpus(string text, string sourceName, CharVocabulary vocabulary, int trainLength)
    {
        Text = text;
        SourceName = sourceName;
        Vocabulary = vocabulary;
        TrainLength = trainLength;
    }

    /// <summary>The text after line-end normalization and lower-casing.</summary>
    public string Text { get; }

    /// <summary>Where the text came from (a path, or the name given to <see cref="FromText"/>), for messages and reports.</summary>
    public string SourceName { get; }

    /// <summary>
    /// The vocabulary of the whole text, validation part included, so that encoding the validation part never meets
    /// an unknown character.
    /// </summary>
    public CharVocabulary Vocabulary { get; }

    /// <summary>Characters <c>[0, TrainLength)</c> are for training, <c>[TrainLength, Text.Length)</c> for validation.</summary>
    public int TrainLength { get; }

    /// <summary>
    /// A built-in English corpus of about 250,000 characters for offline runs: synthetic essay-style prose from
    /// <see cref="EmbeddedCorpus"/>'s fixed grammar and seed, written for this project and dedicated to the public domain.
    /// </summary>
    /// <remarks>Generated on first use (a few tens of milliseconds) and identical on every machine and run.</remarks>
    public static string Embedded => EmbeddedCorpus.Text;

    /// <summary>
    /// Reads a UTF-8 text file (a byte order mark is skipped) and prepares it; <c>\r\n</c> becomes <c>\n</c>.
    /// A file that is not valid UTF-8 is read as Latin-1 instead (one character per byte), so that no byte is
    /// silently replaced; <see cref="FileEncoding"/> says which was used.
    /// </summary>
    /// <param name="path">The text file; it is also the corpus' <see cref="SourceName"/>.</param>
    /// <param name="options">Preparation; null for the defaults.</param>
    /// <exception cref="FileNotFoundException">The file does not exist; the message names the path.</exception>
    /// <exception cref="InvalidDataException">The path is not a regular file with data, or the file is too large (see <see cref="InputFile"/>).</exception>
    /// <exception cref="ArgumentException">The options are out of range.</exception>
    public static TextCorpus Load(string path, TextCorpusOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var bytes = InputFile.ReadAllBytes(path, "Text corpus");
        int start = bytes.Length >= 3 && bytes[0] == 0xEF && bytes[1] == 0xBB && bytes[2] == 0xBF ? 3 : 0;
        string text;
        string encoding = "utf-8";
        try
        {
            text = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true).GetString(bytes, start, bytes.Length - start);
        }
        catch (DecoderFallbackException)
        {
            text = System.Text.Encoding.Latin1.GetString(bytes, start, bytes.Length - start);
            encoding = "latin-1 (not valid UTF-8)";
        }
        var corpus = FromText(text, path, options);
        corpus.FileEncoding = encoding;
        return corpus;
    }

    /// <summary>How the file was decoded: "utf-8", or Latin-1 when it was not valid UTF-8.</summary>
    public string FileEncoding { get; private set; } = "utf-8";

    /// <summary>Prepares <paramref name="text"/>; <c>\r\n</c> becomes <c>\n</c>, as when loading a file.</summary>
    /// <param name="text">The raw text; not empty.</param>
    /// <param name="sourceName">Where the text came from, for messages and reports.</param>
    /// <param name="options">Preparation; null for the defaults.</param>
    /// <exception cref="ArgumentException">The text is empty or the options are out of range.</exception>
    public static TextCorpus FromText(string text, string sourceName, TextCorpusOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(sourceName);
        options ??= new TextCorpusOptions();
        double fraction = options.ValidationFraction;
        if (!(fraction >= 0 && fraction < 1))
            throw new ArgumentException(
                $"ValidationFraction must be in [0, 1), got {fraction}.", nameof(options));
        if (text.Length == 0)
            throw new ArgumentException($"Text corpus '{sourceName}' is empty.", nameof(text));

        // A file saved on Windows would otherwise teach the model a '\r' before every line break.
        text = text.Replace("\r\n", "\n", StringComparison.Ordinal);
        if (options.Lowercase)
            text = text.ToLowerInvariant();
        // Floor of the held-out length: a fraction never takes more than it asks for.
        int validationLength = (int)(text.Length * fraction);
        return new TextCorpus(text, sourceName, CharVocabulary.Build(text), text.Length - validationLength);
    }
}
