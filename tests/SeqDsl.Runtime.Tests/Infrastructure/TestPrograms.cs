using System.Diagnostics;
using System.Reflection;

namespace SeqDsl.Runtime.Tests.Infrastructure;

/// <summary>
/// The programs the sweep tests start as real processes under <c>dotnet</c>, as a user would: each is built before this
/// project (a ProjectReference without its assembly), its path recorded in an assembly attribute (see the project file).
/// </summary>
internal static class TestPrograms
{
    /// <summary>tests/SeqDsl.SweepApp: tiny dense specs.</summary>
    public const string SweepApp = "SeqDsl.SweepApp";

    /// <summary>examples/Weather: the lecture's models.</summary>
    public const string Weather = "SeqDsl.Examples.Weather";

    /// <summary>The assembly of the program recorded as <paramref name="key"/>.</summary>
    public static string PathOf(string key) =>
        typeof(TestPrograms).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == key).Value!;

    /// <summary>
    /// Runs the program <paramref name="key"/> in <paramref name="directory"/> with <paramref name="environment"/> added to
    /// this process's; returns its exit code and its output and errors together.
    /// </summary>
    public static (int Code, string Output) Run(string key, string directory, IReadOnlyDictionary<string, string>? environment, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(PathOf(key));
        foreach (string argument in args) start.ArgumentList.Add(argument);
        foreach (var (name, value) in environment ?? new Dictionary<string, string>()) start.Environment[name] = value;
        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEndAsync();
        string output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, output + error.Result);
    }
}
