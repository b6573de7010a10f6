using Microsoft.CodeAnalysis;
using SeqDsl.Generator.Helpers;

namespace SeqDsl.Generator.Diagnostics;

/// <summary>
/// A diagnostic as plain data: the descriptor id, where, and the message arguments. Pipeline models hold
/// these instead of <see cref="Diagnostic"/> (which holds a <see cref="Location"/> tied to a syntax tree
/// and does not compare by value), so steps stay cacheable.
/// </summary>
internal sealed record DiagnosticInfo(string Id, string FilePath, SourceSpan Span, EquatableArray<string> Arguments)
{
    public static DiagnosticInfo Create(DiagnosticDescriptor descriptor, string filePath, SourceSpan span, params object[] arguments)
    {
        var texts = new string[arguments.Length];
        for (int i = 0; i < arguments.Length; i++)
            texts[i] = System.Convert.ToString(arguments[i], System.Globalization.CultureInfo.InvariantCulture) ?? "";
        return new DiagnosticInfo(descriptor.Id, filePath, span, new EquatableArray<string>(texts));
    }

    /// <summary>The diagnostic property that marks a conflict of <see cref="Catalog.SpecCatalog.Conflicts"/>, one the JSON Schema states too.</summary>
    public const string CatalogConflictProperty = "SeqDsl.CatalogConflict";

    /// <summary>Whether this is a conflict of <see cref="Catalog.SpecCatalog.Conflicts"/> (SEQ2012 that the JSON Schema states too), not one between values.</summary>
    public bool CatalogConflict { get; init; }

    public DiagnosticDescriptor Descriptor => SeqDiagnostics.ById(Id);

    public Diagnostic ToDiagnostic()
    {
        var args = new object[Arguments.Count];
        for (int i = 0; i < args.Length; i++) args[i] = Arguments[i];
        var properties = CatalogConflict
            ? System.Collections.Immutable.ImmutableDictionary<string, string?>.Empty.Add(CatalogConflictProperty, "true")
            : null;
        return Diagnostic.Create(Descriptor, Span.ToLocation(FilePath), properties, args);
    }

    /// <summary>The message with its arguments filled in, e.g. for tests and the stub's doc comment.</summary>
    public string Message
    {
        get
        {
            var args = new object[Arguments.Count];
            for (int i = 0; i < args.Length; i++) args[i] = Arguments[i];
            return string.Format(System.Globalization.CultureInfo.InvariantCulture, Descriptor.MessageFormat.ToString(System.Globalization.CultureInfo.InvariantCulture), args);
        }
    }
}
