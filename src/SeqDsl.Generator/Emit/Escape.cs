using System.Collections.Generic;
using System.Globalization;
using System.Text;

namespace SeqDsl.Generator.Emit;

/// <summary>
/// The only ways text from a spec (or its file name) enters generated source: one function per context.
/// C# ends a line at \r, \n, U+0085, U+2028 and U+2029, so none of them may reach a comment or a literal
/// as is: a line break in a comment would turn the rest of the text into code. Control and format
/// characters (bidirectional overrides among them), unassigned code points and lone surrogates are written
/// as visible \uXXXX escapes, so the generated file reads as what it does.
/// </summary>
internal static class Escape
{
    /// <summary>A C# regular string literal whose value is exactly <paramref name="value"/>.</summary>
    public static string StringLiteral(string value)
        => "\"" + Replace(value, c => c switch
        {
            '"' => "\\\"",
            '\\' => "\\\\",
            '\n' => "\\n",
            '\r' => "\\r",
            '\t' => "\\t",
            _ => null,
        }) + "\"";

    /// <summary>Text inside one line of an XML doc comment (<c>/// …</c>): markup characters as entities, hidden characters as escapes.</summary>
    public static string XmlDocText(string text)
        => Replace(text, c => c switch
        {
            '&' => "&amp;",
            '<' => "&lt;",
            '>' => "&gt;",
            _ => null,
        });

    /// <summary>Text inside one line comment (<c>// …</c>).</summary>
    public static string LineComment(string text) => Replace(text, _ => null);

    /// <summary>Writes each character as the context's replacement for it, else as \uXXXX when hidden, else as itself.</summary>
    private static string Replace(string text, System.Func<char, string?> contextReplacement)
    {
        var builder = new StringBuilder(text.Length);
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            if (contextReplacement(c) is { } replacement) builder.Append(replacement);
            else if (IsHidden(text, i)) builder.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
            else builder.Append(c);
        }
        return builder.ToString();
    }

    /// <summary>The lines of a multi-line text, split at every line break C# recognizes (\r\n counts once).</summary>
    public static IReadOnlyList<string> Lines(string text)
    {
        var lines = new List<string>();
        int start = 0;
        for (int i = 0; i < text.Length; i++)
        {
            if (!IsLineBreak(text[i])) continue;
            lines.Add(text.Substring(start, i - start));
            if (text[i] == '\r' && i + 1 < text.Length && text[i + 1] == '\n') i++;
            start = i + 1;
        }
        lines.Add(text.Substring(start));
        return lines;
    }

    /// <summary>Characters that end a line in C# source (C# specification, "Line terminators").</summary>
    public static bool IsLineBreak(char c) => c is '\r' or '\n' or '\u0085' or '\u2028' or '\u2029';

    /// <summary>
    /// Whether the code unit at <paramref name="index"/> must not appear as itself in generated source:
    /// line breaks, control and format characters, unassigned code points, and surrogates that are not
    /// part of a pair. Pairs (emoji, CJK extensions) stay readable.
    /// </summary>
    private static bool IsHidden(string text, int index)
    {
        char c = text[index];
        if (char.IsHighSurrogate(c)) return index + 1 >= text.Length || !char.IsLowSurrogate(text[index + 1]);
        if (char.IsLowSurrogate(c)) return index == 0 || !char.IsHighSurrogate(text[index - 1]);
        if (c == '\uFEFF') return true;
        return CharUnicodeInfo.GetUnicodeCategory(c) switch
        {
            UnicodeCategory.Control or UnicodeCategory.Format or UnicodeCategory.LineSeparator
                or UnicodeCategory.ParagraphSeparator or UnicodeCategory.OtherNotAssigned => true,
            _ => false,
        };
    }
}
