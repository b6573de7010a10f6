using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using SeqDsl.Generator.Diagnostics;
using SeqDsl.Generator.Helpers;
using SeqDsl.Generator.Model;

namespace SeqDsl.Generator.Analysis;

/// <summary>What a spec would add to the compilation: its class's full name and its generated file's hint name.</summary>
internal sealed record SpecOutput(string FilePath, string FullClassName, string ModelName, SourceSpan ModelSpan, string HintName)
{
    /// <summary>The classes of the spec's sweep variants, which its file defines too.</summary>
    public EquatableArray<OutputClass> Variants { get; init; } = EquatableArray<OutputClass>.Empty;

    /// <summary>Where the spec's sweep is, for a variant whose class another spec defines.</summary>
    public SourceSpan SweepSpan { get; init; } = SourceSpan.FileStart;

    /// <summary>Every class the spec's file defines, with the model name and the place a duplicate is reported at.</summary>
    public IEnumerable<(string FullClassName, string ModelName, SourceSpan Span)> Classes
        => new[] { (FullClassName, ModelName, ModelSpan) }.Concat(Variants.Select(v => (v.FullClassName, v.ModelName, SweepSpan)));
}

/// <summary>A class a spec's file defines besides its own: a sweep variant's.</summary>
internal sealed record OutputClass(string FullClassName, string ModelName);

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
        // By path, each spec claims its classes (its own and its sweep variants'); a spec that would define a class an
        // earlier spec already defines emits nothing.
        var classOwners = new Dictionary<string, SpecOutput>(StringComparer.Ordinal);
        foreach (var output in outputs.OrderBy(o => o.FilePath, StringComparer.Ordinal))
        {
            var clash = output.Classes.FirstOrDefault(c => classOwners.ContainsKey(c.FullClassName));
            if (clash.FullClassName is not null)
            {
                suppressed.Add(output.FilePath);
                diagnostics.Add(DiagnosticInfo.Create(SeqDiagnostics.DuplicateModel, output.FilePath, clash.Span,
                    clash.ModelName, System.IO.Path.GetFileName(classOwners[clash.FullClassName].FilePath)));
                continue;
            }
            owners.Add(output);
            foreach (var owned in output.Classes) classOwners[owned.FullClassName] = output;
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
