using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json;
using SeqDsl.Runtime.IO;

namespace SeqDsl.Runtime.Text;

/// <summary>
/// The characters a character-level model knows, each with a fixed index: the lecture's
/// <c>chars = sorted(list(set(text)))</c> and <c>char_indices</c>.
/// </summary>
/// <remarks>Characters are UTF-16 code units, so a character outside the Basic Multilingual Plane takes two entries.</remarks>
public sealed class CharVocabulary
{
    // Unknown characters and vocabulary characters listed in an Encode error before the message is cut short.
    private const int MaxUnknownListed = 20;
    private const int MaxVocabularyListed = 120;

    private readonly char[] chars;
    private readonly int[] indexOf;   // indexOf[c] = index of c, -1 when absent; sized to the largest character + 1

    /// <summary>Creates a vocabulary whose index <c>i</c> is <c>chars[i]</c>.</summary>
    /// <param name="chars">The characters in index order; at least one, no duplicates.</param>
    /// <exception cref="ArgumentException">The list is empty or holds a character twice; the message names it.</exception>
    public CharVocabulary(IReadOnlyList<char> chars)
    {
        ArgumentNullException.ThrowIfNull(chars);
        if (chars.Count == 0)
            throw new ArgumentException("A vocabulary needs at least one character.", nameof(chars));
        this.chars = chars.ToArray();
        indexOf = new int[this.chars.Max() + 1];
        Array.Fill(indexOf, -1);
        for (int i = 0; i < this.chars.Length; i++)
        {
            char c = this.chars[i];
            if (indexOf[c] >= 0)
                throw new ArgumentException(
                    $"Character {Describe(c)} appears twice in the vocabulary, at indices {indexOf[c]} and {i}.", nameof(chars));
            indexOf[c] = i;
        }
        Chars = Array.AsReadOnly(this.chars);
    }

    /// <summary>The vocabulary of <paramref name="text"/>: its distinct characters in ordinal order, as Python's <c>sorted(set(text))</c>.</summary>
    /// <exception cref="ArgumentException">The text is empty.</exception>
    public static CharVocabulary Build(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text.Length == 0)
            throw new ArgumentException("Cannot build a vocabulary from an empty text.", nameof(text));
        var seen = new bool[char.MaxValue + 1];
        foreach (char c in text)
            seen[c] = true;
        var distinct = new List<char>();
        for (int c = 0; c <= char.MaxValue; c++)
        {
            if (seen[c])
                distinct.Add((char)c);
        }
        return new CharVocabulary(distinct);
    }

    /// <summary>The characters in index order.</summary>
    public IReadOnlyList<char> Chars { get; }

    /// <summary>Number of characters (the one-hot width).</summary>
    public int Size => chars.Length;

    /// <summary>Whether <paramref name="c"/> has an index.</summary>
    public bool Contains(char c) => IndexOf(c) >= 0;

    /// <summary>Index of <paramref name="c"/>, or -1 when the vocabulary does not have it.</summary>
    public int IndexOf(char c) => c < indexOf.Length ? indexOf[c] : -1;

    /// <summary>The index of every character of <paramref name="text"/>.</summary>
    /// <exception cref="ArgumentException">
    /// The text has characters outside the vocabulary; the message lists each (escaped) with its first position and
    /// lists the vocabulary's characters.
    /// </exception>
    public int[] Encode(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var result = new int[text.Length];
        List<(char Char, int Position)>? unknown = null;
        HashSet<char>? reported = null;
        for (int i = 0; i < text.Length; i++)
        {
            int index = IndexOf(text[i]);
            if (index < 0)
            {
                unknown ??= new List<(char, int)>();
                reported ??= new HashSet<char>();
                // Only the first position of each character: one stray character repeated thousands of times is one problem.
                if (reported.Add(text[i]))
                    unknown.Add((text[i], i));
            }
            result[i] = index;
        }
        if (unknown is not null)
            throw new ArgumentException(UnknownMessage(unknown), nameof(text));
        return result;
    }

    /// <summary>The characters at <paramref name="indices"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">An index is outside <c>[0, Size)</c>; the message gives its position.</exception>
    public string Decode(ReadOnlySpan<int> indices)
    {
        var builder = new StringBuilder(indices.Length);
        for (int i = 0; i < indices.Length; i++)
        {
            int index = indices[i];
            if ((uint)index >= (uint)chars.Length)
                throw new ArgumentOutOfRangeException(nameof(indices), index,
                    $"Index {index} at position {i} is outside the vocabulary's {chars.Length} characters [0, {chars.Length}).");
            builder.Append(chars[index]);
        }
        return builder.ToString();
    }

    /// <summary>
    /// Writes the vocabulary as JSON <c>{"chars": "..."}</c> (one string, characters in index order) to
    /// <paramref name="path"/>, through a temporary file renamed over it, so a reader never sees a partial file.
    /// </summary>
    public void Save(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var json = new StringBuilder("{\"chars\": \"");
        foreach (char c in chars)
            AppendJsonEscaped(json, c);
        json.Append("\"}\n");
        AtomicFile.WriteText(path, json.ToString());
    }

    /// <summary>Reads a vocabulary written by <see cref="Save"/>.</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The file is not such a vocabulary; the message names the path and the problem.</exception>
    public static CharVocabulary Load(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        byte[] bytes = InputFile.ReadAllBytes(path, "Vocabulary file");
        string chars;
        try
        {
            chars = ReadChars(bytes);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException(
                $"Vocabulary file '{path}' is not valid JSON (line {e.LineNumber + 1}, byte {e.BytePositionInLine + 1}): {e.Message}", e);
        }
        catch (FormatException e)
        {
            throw new InvalidDataException($"Vocabulary file '{path}' is not a vocabulary: {e.Message}", e);
        }
        try
        {
            return new CharVocabulary(chars.ToCharArray());
        }
        catch (ArgumentException e)
        {
            throw new InvalidDataException($"Vocabulary file '{path}' is not a valid vocabulary: {e.Message}", e);
        }
    }

    /// <summary>
    /// <paramref name="c"/> as messages show it: quoted when printable, as a C escape for <c>\n</c>, <c>\r</c>,
    /// <c>\t</c>, <c>\\</c> and <c>\'</c>, and as <c>U+XXXX</c> for other invisible or unprintable characters.
    /// </summary>
    internal static string Describe(char c)
    {
        switch (c)
        {
            case '\n': return "'\\n'";
            case '\r': return "'\\r'";
            case '\t': return "'\\t'";
            case '\\': return "'\\\\'";
            case '\'': return "'\\''";
            case ' ': return "' '";
        }
        var category = char.GetUnicodeCategory(c);
        bool invisible = category is UnicodeCategory.Control or UnicodeCategory.Format or UnicodeCategory.SpaceSeparator
            or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator or UnicodeCategory.Surrogate
            or UnicodeCategory.PrivateUse or UnicodeCategory.OtherNotAssigned or UnicodeCategory.NonSpacingMark
            or UnicodeCategory.EnclosingMark;
        // Invisible characters (a no-break space looks like a space) would make the message misleading when quoted.
        return invisible ? $"U+{(int)c:X4}" : $"'{c}'";
    }

    private string UnknownMessage(List<(char Char, int Position)> unknown)
    {
        var message = new StringBuilder();
        message.Append(unknown.Count == 1
            ? "The text has 1 character outside the vocabulary: "
            : $"The text has {unknown.Count} distinct characters outside the vocabulary: ");
        message.AppendJoin(", ", unknown.Take(MaxUnknownListed).Select(u => $"{Describe(u.Char)} (first at position {u.Position})"));
        if (unknown.Count > MaxUnknownListed)
            message.Append($", and {unknown.Count - MaxUnknownListed} more");
        message.Append($". The vocabulary has {chars.Length} characters: ");
        message.AppendJoin(" ", chars.Take(MaxVocabularyListed).Select(Describe));
        if (chars.Length > MaxVocabularyListed)
            message.Append($" … and {chars.Length - MaxVocabularyListed} more");
        message.Append('.');
        return message.ToString();
    }

    private static void AppendJsonEscaped(StringBuilder json, char c)
    {
        switch (c)
        {
            case '"': json.Append("\\\""); return;
            case '\\': json.Append("\\\\"); return;
            case '\n': json.Append("\\n"); return;
            case '\r': json.Append("\\r"); return;
            case '\t': json.Append("\\t"); return;
        }
        // Everything outside printable ASCII as \uXXXX: the file stays ASCII, and a lone surrogate (half of an emoji
        // sorted apart from its partner) survives, which raw UTF-8 could not encode.
        if (c < 0x20 || c > 0x7E)
            json.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
        else
            json.Append(c);
    }

    // Reads {"chars": "..."} and unescapes the string itself: System.Text.Json refuses escaped lone surrogates,
    // which a vocabulary of a text with emoji legitimately has.
    private static string ReadChars(byte[] bytes)
    {
        ReadOnlySpan<byte> json = bytes;
        // A byte order mark (from an editor) is not JSON, but it is harmless.
        if (json.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]))
            json = json[3..];
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Skip });
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            throw new FormatException("expected a JSON object {\"chars\": \"...\"}.");
        string? chars = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            bool isChars = reader.ValueTextEquals("chars");
            reader.Read();
            if (isChars)
            {
                if (reader.TokenType != JsonTokenType.String)
                    throw new FormatException($"property \"chars\" must be a string, got {reader.TokenType}.");
                chars = Unescape(reader.ValueSpan.ToArray());   // one contiguous buffer: never a value sequence
            }
            else
            {
                // Unknown properties are allowed (a later version may add some); their values are skipped whole.
                reader.Skip();
            }
        }
        if (reader.TokenType != JsonTokenType.EndObject)
            throw new FormatException("expected a JSON object {\"chars\": \"...\"}.");
        // Reading on makes the reader reject anything after the object.
        while (reader.Read())
        {
        }
        return chars ?? throw new FormatException("the JSON object has no \"chars\" property.");
    }

    private static string Unescape(byte[] raw)
    {
        // The reader has already checked the escapes' syntax; raw is the UTF-8 between the quotes.
        string text = Encoding.UTF8.GetString(raw);
        if (text.IndexOf('\\') < 0)
            return text;
        var builder = new StringBuilder(text.Length);
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            if (c != '\\')
            {
                builder.Append(c);
                continue;
            }
            char kind = text[++i];
            switch (kind)
            {
                case 'n': builder.Append('\n'); break;
                case 'r': builder.Append('\r'); break;
                case 't': builder.Append('\t'); break;
                case 'b': builder.Append('\b'); break;
                case 'f': builder.Append('\f'); break;
                case 'u':
                    builder.Append((char)int.Parse(text.AsSpan(i + 1, 4), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture));
                    i += 4;
                    break;
                default: builder.Append(kind); break;   // \" \\ \/
            }
        }
        return builder.ToString();
    }
}
