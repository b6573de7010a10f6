using System;
using System.IO;

namespace SeqDsl.Runtime.IO;

/// <summary>
/// Reads data files (CSV series, text corpora, vocabularies, checkpoints) so that no path can make a run read
/// forever or exhaust memory: only regular files with data are read, and only up to a size limit.
/// </summary>
/// <remarks>
/// .NET reports devices, pipes and sockets as files of length 0 (it has no file-type query), and reading one to its
/// end never finishes for <c>/dev/zero</c>; so a file that reports no size is refused before it is opened.
/// </remarks>
public static class InputFile
{
    /// <summary>The largest file read: 512 MiB (a text corpus of that size already takes 1 GiB as a string).</summary>
    public const long MaxBytes = 512L * 1024 * 1024;

    /// <summary>
    /// Checks that <paramref name="path"/> is a regular file with data, at most <see cref="MaxBytes"/> long, and returns
    /// its length.
    /// </summary>
    /// <param name="path">The file.</param>
    /// <param name="what">What the file is for, as messages name it ("the CSV file", "the text corpus").</param>
    /// <exception cref="FileNotFoundException">Nothing is at the path.</exception>
    /// <exception cref="InvalidDataException">The path is a directory, not a regular file, empty or too large; the message names the path.</exception>
    public static long Check(string path, string what)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (Directory.Exists(path))
            throw new InvalidDataException($"{what} '{path}' is a directory; give the path of a file.");
        var info = new FileInfo(path);
        // A symbolic link's own FileInfo reports the link's length (its target's path), not the file's: read through it.
        if (info.LinkTarget is not null && info.ResolveLinkTarget(returnFinalTarget: true) is FileInfo target) info = target;
        if (!info.Exists)
            throw new FileNotFoundException($"{what} '{path}' does not exist{(info.FullName == Path.GetFullPath(path) ? "" : $" (a symbolic link to '{info.FullName}')")}.", path);
        if (info.Length == 0)
            throw new InvalidDataException($"{what} '{path}' is empty or is not a regular file (a device, pipe or socket); only regular files with data are read.");
        if (info.Length > MaxBytes)
            throw new InvalidDataException($"{what} '{path}' has {info.Length:N0} bytes; the limit is {MaxBytes:N0} bytes ({MaxBytes >> 20} MiB).");
        return info.Length;
    }

    /// <summary>Reads a file that passes <see cref="Check"/>: at most the length it reported when checked.</summary>
    /// <inheritdoc cref="Check" path="/param"/>
    /// <inheritdoc cref="Check" path="/exception"/>
    public static byte[] ReadAllBytes(string path, string what)
    {
        long length = Check(path, what);
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1);
        var bytes = new byte[length];
        int read = 0;
        // A file that shrinks while being read gives what it still has.
        while (read < bytes.Length)
        {
            int n = stream.Read(bytes, read, bytes.Length - read);
            if (n == 0) return bytes[..read];
            read += n;
        }
        return bytes;
    }

    /// <summary>Reads a file that passes <see cref="Check"/> as UTF-8 text.</summary>
    /// <inheritdoc cref="Check" path="/param"/>
    /// <inheritdoc cref="Check" path="/exception"/>
    public static string ReadAllText(string path, string what)
    {
        var bytes = ReadAllBytes(path, what);
        int start = bytes.Length >= 3 && bytes[0] == 0xEF && bytes[1] == 0xBB && bytes[2] == 0xBF ? 3 : 0;
        return System.Text.Encoding.UTF8.GetString(bytes, start, bytes.Length - start);
    }
}
