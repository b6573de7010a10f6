namespace SeqDsl.Runtime.Tests.Text;

/// <summary>The lecture's window loop, transcribed with plain loops to check the tensor code against.</summary>
internal static class LectureWindowsOracle
{
    /// <summary>
    /// <c>for i in range(0, len(text) - maxlen, step): sentences.append(text[i: i + maxlen]); next_chars.append(text[i + maxlen])</c>.
    /// </summary>
    public static (List<string> Sentences, List<char> NextChars) Windows(string text, int maxLen, int step)
    {
        var sentences = new List<string>();
        var nextChars = new List<char>();
        for (int i = 0; i < text.Length - maxLen; i += step)
        {
            sentences.Add(text.Substring(i, maxLen));
            nextChars.Add(text[i + maxLen]);
        }
        return (sentences, nextChars);
    }

    /// <summary>A text of <paramref name="length"/> characters from a 20-letter alphabet with a fixed pseudo-random order, so windows differ.</summary>
    public static string Text(int length, int seed = 1)
    {
        var random = new Random(seed);
        var chars = new char[length];
        for (int i = 0; i < length; i++)
            chars[i] = (char)('a' + random.Next(20));
        return new string(chars);
    }
}
