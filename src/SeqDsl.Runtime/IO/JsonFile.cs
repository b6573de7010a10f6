using System.IO;
using System.Text.Json;

namespace SeqDsl.Runtime.IO;

/// <summary>Reads the JSON files the runtime writes beside a run (preprocessing, flat features, metrics) with one kind of message for a broken file.</summary>
internal static class JsonFile
{
    /// <summary>
    /// Reads <paramref name="path"/> (a regular file of bounded size) as a <typeparamref name="T"/>; the caller checks
    /// the fields. <paramref name="the"/> names the file in <see cref="InputFile"/>'s messages ("the preprocessing
    /// file"), <paramref name="a"/> in this one's ("a preprocessing file").
    /// </summary>
    /// <exception cref="InvalidDataException">Not such JSON, or null; the message names the file.</exception>
    public static T Read<T>(string path, string the, string a, JsonSerializerOptions options) where T : class
    {
        string text = InputFile.ReadAllText(path, the);
        try
        {
            return JsonSerializer.Deserialize<T>(text, options) ?? throw new InvalidDataException($"{path}: not {a} (null).");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}: not {a}: {e.Message}", e);
        }
    }
}
