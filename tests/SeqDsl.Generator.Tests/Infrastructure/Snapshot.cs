using System.Runtime.CompilerServices;

namespace SeqDsl.Generator.Tests.Infrastructure;

/// <summary>
/// Snapshot testing: compares text with a checked-in <c>*.verified.*</c> file. On a mismatch it writes
/// <c>*.received.*</c> beside it and fails. With SEQDSL_ACCEPT=1 it overwrites the verified file
/// instead, except when CI=true, where a snapshot is never accepted silently.
/// </summary>
internal static class Snapshot
{
    public static bool AcceptChanges =>
        Environment.GetEnvironmentVariable("SEQDSL_ACCEPT") is "1" or "true"
        && !string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    /// <param name="actual">The text produced now.</param>
    /// <param name="verifiedPath">The checked-in expectation (<c>*.verified.*</c>).</param>
    /// <param name="publishedPath">Where the verified text is published under another name (the schema), if anywhere.</param>
    public static void Verify(string actual, string verifiedPath, string? publishedPath = null)
    {
        actual = Normalize(actual);
        string receivedPath = verifiedPath.Replace(".verified.", ".received.");
        if (publishedPath is not null) verifiedPath = publishedPath;
        string? expected = File.Exists(verifiedPath) ? Normalize(File.ReadAllText(verifiedPath)) : null;
        if (expected == actual)
        {
            if (File.Exists(receivedPath)) File.Delete(receivedPath);
            return;
        }
        if (AcceptChanges)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(verifiedPath)!);
            File.WriteAllText(verifiedPath, actual);
            if (File.Exists(receivedPath)) File.Delete(receivedPath);
            return;
        }
        Directory.CreateDirectory(Path.GetDirectoryName(receivedPath)!);
        File.WriteAllText(receivedPath, actual);
        string what = expected is null ? "No verified snapshot exists" : $"The output differs from the snapshot at line {FirstDifference(expected, actual)}";
        Assert.Fail($"{what}: {verifiedPath}\nReceived: {receivedPath}\nReview the difference, then accept it with SEQDSL_ACCEPT=1 (or copy received over verified).");
    }

    /// <summary>The snapshot path for a name, in the Snapshots folder beside the calling test's source file.</summary>
    public static string PathFor(string name, string extension = "cs", [CallerFilePath] string caller = "")
        => Path.Combine(Path.GetDirectoryName(caller)!, "Snapshots", $"{name}.verified.{extension}");

    private static string Normalize(string text) => text.Replace("\r\n", "\n").TrimStart('\uFEFF');

    private static int FirstDifference(string a, string b)
    {
        var left = a.Split('\n');
        var right = b.Split('\n');
        for (int i = 0; i < Math.Min(left.Length, right.Length); i++)
            if (left[i] != right[i]) return i + 1;
        return Math.Min(left.Length, right.Length) + 1;
    }
}
