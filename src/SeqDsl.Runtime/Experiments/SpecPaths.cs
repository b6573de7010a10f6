using System;
using System.Globalization;
using System.IO;

namespace SeqDsl.Runtime.Experiments;

/// <summary>
/// Resolves the files a spec names (<c>data.path</c>, <c>text.corpus</c>, <c>episodes.path</c>, …). A relative path
/// resolves against the spec's folder, so a project runs the same from any current directory:
/// <list type="number">
/// <item>the folder the spec was built from (<see cref="ExperimentSpec.SpecDirectory"/>), when it exists on this machine;</item>
/// <item>otherwise (the built program was copied to another machine) the program's folder, <see cref="AppContext.BaseDirectory"/>,
/// so files published beside the program are found;</item>
/// <item>a spec built without a folder (an <see cref="ExperimentSpec"/> made by hand) resolves against the current directory.</item>
/// </list>
/// There is no search beyond the one folder: a missing file is an error that names the key, the spec, its line and the
/// resolved path. Paths given on the command line (<c>--data</c>, <c>--outcomes</c>) are not resolved here: they are
/// relative to the current directory, as shells expect.
/// </summary>
public static class SpecPaths
{
    /// <summary>The folder relative paths of <paramref name="spec"/> resolve against (see the class remarks for the order).</summary>
    public static string BaseDirectory(ExperimentSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        if (spec.SpecDirectory is not { Length: > 0 } folder) return Directory.GetCurrentDirectory();
        return Directory.Exists(folder) ? folder : AppContext.BaseDirectory;
    }

    /// <summary>The absolute path of <paramref name="value"/>, a path the spec gives.</summary>
    public static string Resolve(ExperimentSpec spec, string value)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(value);
        return Path.GetFullPath(Path.IsPathRooted(value) ? value : Path.Combine(BaseDirectory(spec), value));
    }

    /// <summary>
    /// <see cref="Resolve"/>, failing with an <see cref="ExperimentException"/> when nothing is there: e.g.
    /// <c>data.path 'ETTh1.csv' in ett_linear.yaml (line 11) resolved to /abs/ETTh1.csv: no such file; put the file there, or pass --data PATH</c>.
    /// </summary>
    /// <param name="spec">The spec that names the file.</param>
    /// <param name="key">The key that names it, as the spec writes it ("data.path").</param>
    /// <param name="value">The key's value.</param>
    /// <param name="flag">The command-line option that replaces it ("--data").</param>
    /// <param name="directoryAllowed">Whether a folder is a valid answer (a folder of PhysioNet stays).</param>
    public static string RequireExisting(ExperimentSpec spec, string key, string value, string flag, bool directoryAllowed = false)
    {
        string path = Resolve(spec, value);
        if (File.Exists(path) || directoryAllowed && Directory.Exists(path)) return path;
        string line = spec.KeyLines.TryGetValue(key, out int number) ? $" (line {number.ToString(CultureInfo.InvariantCulture)})" : "";
        string folder = BaseDirectory(spec);
        string why = spec.SpecDirectory is { Length: > 0 } built && !string.Equals(built, folder, StringComparison.Ordinal)
            ? $" (the spec's folder {built} does not exist on this machine, so relative paths resolve against the program's folder)"
            : "";
        string what = Directory.Exists(path) ? "a folder, not a file" : "no such file";
        throw new ExperimentException(
            $"{key} '{value}' in {spec.SpecFile}{line} resolved to {path}{why}: {what}; put the file there, or pass {flag} PATH " +
            "(relative paths in a spec are relative to the spec's folder; on the command line, to the current directory).");
    }
}
