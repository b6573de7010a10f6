using System;
using System.Collections.Generic;
using System.IO;

namespace SeqDsl.Runtime.IO;

/// <summary>Writes files so that readers see either the old or the complete new content, never a partial file.</summary>
internal static class AtomicFile
{
    /// <summary>Infix of the temporary files, <c>path + ".tmp-" + 32 hex digits</c>.</summary>
    public const string TempInfix = ".tmp-";

    private const int TempSuffixLength = 32;

    /// <summary>
    /// Writes through <paramref name="write"/> into a temporary file beside <paramref name="path"/>, flushes it to disk
    /// and renames it over <paramref name="path"/>. A rename within one directory is atomic on POSIX and NTFS, so a
    /// crash at any point leaves the previous file intact (at worst with a stray temporary file).
    /// </summary>
    public static void Write(string path, Action<FileStream> write)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var full = Path.GetFullPath(path);
        var directory = Path.GetDirectoryName(full);
        if (!string.IsNullOrEmpty(directory)) Directory.CreateDirectory(directory);
        var temp = TemporaryPath(full);
        try
        {
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                write(stream);
                // Without fsync a power loss after the rename could leave the new name pointing at unwritten blocks.
                stream.Flush(flushToDisk: true);
            }
            File.Move(temp, full, overwrite: true);
        }
        catch
        {
            TryDelete(temp);
            throw;
        }
    }

    /// <summary>A fresh temporary name beside <paramref name="path"/>, of the form <see cref="IsTemporary"/> recognizes.</summary>
    public static string TemporaryPath(string path) => path + TempInfix + Guid.NewGuid().ToString("N");

    /// <summary>Writes <paramref name="text"/> (UTF-8) atomically.</summary>
    public static void WriteText(string path, string text) =>
        Write(path, stream =>
        {
            using var writer = new StreamWriter(stream, new System.Text.UTF8Encoding(false), bufferSize: 4096, leaveOpen: true);
            writer.Write(text);
        });

    /// <summary>Whether <paramref name="fileName"/> is a temporary file that <see cref="Write"/> creates (and a killed process leaves behind).</summary>
    public static bool IsTemporary(string fileName)
    {
        int infix = fileName.LastIndexOf(TempInfix, StringComparison.Ordinal);
        if (infix <= 0 || fileName.Length - infix - TempInfix.Length != TempSuffixLength) return false;
        foreach (char c in fileName.AsSpan(infix + TempInfix.Length))
            if (!char.IsAsciiHexDigitLower(c)) return false;
        return true;
    }

    /// <summary>
    /// Deletes the temporary files that writes into <paramref name="directory"/> left when their process was killed,
    /// and returns their names. Call it only while no other process writes there (under the run folder's lock).
    /// </summary>
    public static IReadOnlyList<string> DeleteLeftovers(string directory)
    {
        var deleted = new List<string>();
        if (!Directory.Exists(directory)) return deleted;
        foreach (var path in Directory.EnumerateFiles(directory, "*" + TempInfix + "*"))
        {
            string name = Path.GetFileName(path);
            if (IsTemporary(name) && TryDelete(path)) deleted.Add(name);
        }
        return deleted;
    }

    private static bool TryDelete(string path)
    {
        try
        {
            File.Delete(path);
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The original exception matters more than a leftover temporary file.
            return false;
        }
    }
}
