using System.Reflection;

namespace SeqDsl.Generator.Tests.Infrastructure;

/// <summary>Paths in the repository this test assembly was built from.</summary>
internal static class Repo
{
    public static string Root { get; } = Path.GetFullPath(
        typeof(Repo).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "RepositoryRoot").Value!);


    /// <summary>Every example spec: (folder name, full path).</summary>
    public static IEnumerable<(string Folder, string Path)> ExampleSpecs()
        => Directory.EnumerateFiles(Path.Combine(Root, "examples"), "*.yaml", SearchOption.AllDirectories)
            .Where(p => !p.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}") && !p.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}"))
            .Where(p => File.ReadAllText(p).Contains("\nmodel:"))
            .OrderBy(p => p, StringComparer.Ordinal)
            .Select(p => (new DirectoryInfo(Path.GetDirectoryName(p)!).Name, p));
}
