using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using SeqDsl.Generator.Diagnostics;
using SeqDsl.Generator.Helpers;
using SeqDsl.Generator.Model;

namespace SeqDsl.Generator.Analysis;

/// <summary>What a spec would add to the compilation: its class's full name and its generated file's hint name.</summary>
internal sealed record SpecOutput(string FilePath, string FullClassName, string ModelName, SourceSpan ModelSpan, string HintName);

/// <summary>A generated file that takes another hint name than its spec's own, because another spec's file already has that one.</summary>
internal sealed record HintRename(string FilePath, string HintName);

/// <summary>
/// How the project's specs share one compilation: the specs that emit nothing because an earlier spec
/// (by path) defines the same class, the files renamed to keep hint names unique, and SEQ2010 for each
/// suppressed spec. Usually all empty, so an edit to one spec leaves every other spec's output cached.
/// </summary>
internal sealed record OutputResolution(EquatableArray<string> Suppressed, EquatableArray<HintRename> Renamed, EquatableArray<DiagnosticInfo> Diagnostics)
{
    public bool Emits(string filePath) => !Suppressed.Contains(filePath);

    public string HintNameOf(string filePath, string ownHintName)
    {
        foreach (var rename in Renamed)
            if (rename.FilePath == filePath) return rename.HintName;
        return ownHintName;
    }
}

/// <summary>
/// Decides, before anything is emitted, which spec owns each class name and each generated file name, so
/// the compilation never sees two definitions of one class (CS0101) nor the generator two files of one
/// hint name (which Roslyn rejects).
/// </summary>
internal static class OutputResolver
{
    // Roslyn compares hint names without regard to case.
    private static readonly StringComparer s_hintComparer = StringComparer.OrdinalIgnoreCase;

    public static OutputResolution Resolve(ImmutableArray<SpecOutput> outputs)
    {
        var suppressed = new List<string>();
        var diagnostics = new List<DiagnosticInfo>();
        var owners = new List<SpecOutput>();
        foreach (var group in outputs.OrderBy(o => o.FilePath, StringComparer.Ordinal).GroupBy(o => o.FullClassName, StringComparer.Ordinal))
        {
            var first = group.First();
            owners.Add(first);
            foreach (var duplicate in group.Skip(1))
            {
                suppressed.Add(duplicate.FilePath);
                diagnostics.Add(DiagnosticInfo.Create(SeqDiagnostics.DuplicateModel, duplicate.FilePath, duplicate.ModelSpan,
                    duplicate.ModelName, System.IO.Path.GetFileName(first.FilePath)));
            }
        }

        var taken = new HashSet<string>(s_hintComparer);
        var renamed = new List<HintRename>();
        foreach (var owner in owners.OrderBy(o => o.FilePath, StringComparer.Ordinal))
        {
            string hint = owner.HintName;
            for (int n = 2; !taken.Add(hint); n++)
                hint = owner.HintName.Substring(0, owner.HintName.Length - ".g.cs".Length) + "." + n.ToString(System.Globalization.CultureInfo.InvariantCulture) + ".g.cs";
            if (hint != owner.HintName) renamed.Add(new HintRename(owner.FilePath, hint));
        }
        return new OutputResolution(suppressed.ToEquatableArray(), renamed.ToEquatableArray(), diagnostics.ToEquatableArray());
    }
}
