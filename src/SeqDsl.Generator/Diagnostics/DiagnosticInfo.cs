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

    /// <summary>The diagnostic property that marks a sweep key or value checked against the spec's layers and options, which the schema's key pattern cannot see.</summary>
    public const string SweepReferenceProperty = "SeqDsl.SweepReference";

    /// <summary>
    /// Whether this is about a key or value of 'sweep.values' as the spec's layers and the catalog's options see it (a
    /// layer name, an option of that layer's kind, the option's type and range): the JSON Schema states only the keys'
    /// pattern and that the values are lists of scalars.
    /// </summary>
    public bool SweepReference { get; init; }

    /// <summary>What the message is about, put before it: a sweep variant and its values ("In sweep variant MV1 (layers.gru_1.units: 32): "); null for none.</summary>
    public string? Context { get; init; }

    public DiagnosticDescriptor Descriptor => SeqDiagnostics.ById(Id);

    /// <summary>Whether it is an error (a warning leaves the spec valid: its class is still generated).</summary>
    public bool IsError => Descriptor.DefaultSeverity == DiagnosticSeverity.Error;

    public Diagnostic ToDiagnostic()
    {
        var properties = System.Collections.Immutable.ImmutableDictionary<string, string?>.Empty;
        if (CatalogConflict) properties = properties.Add(CatalogConflictProperty, "true");
        if (SweepReference) properties = properties.Add(SweepReferenceProperty, "true");
        return Diagnostic.Create(MessageDescriptor, Span.ToLocation(FilePath), properties.IsEmpty ? null : properties, MessageArguments());
    }

    /// <summary>The message with its arguments filled in, e.g. for tests and the stub's doc comment.</summary>
    public string Message
        => string.Format(System.Globalization.CultureInfo.InvariantCulture, MessageDescriptor.MessageFormat.ToString(System.Globalization.CultureInfo.InvariantCulture), MessageArguments());

    /// <summary>The descriptor, or with a <see cref="Context"/> the same id and title whose message starts with the context (its last argument, so no text of the spec enters a format string).</summary>
    private DiagnosticDescriptor MessageDescriptor
    {
        get
        {
            var descriptor = Descriptor;
            if (Context is null) return descriptor;
            string format = "{" + Arguments.Count.ToString(System.Globalization.CultureInfo.InvariantCulture) + "}" + descriptor.MessageFormat.ToString(System.Globalization.CultureInfo.InvariantCulture);
            return new DiagnosticDescriptor(descriptor.Id, descriptor.Title, format, descriptor.Category, descriptor.DefaultSeverity, descriptor.IsEnabledByDefault);
        }
    }

    private object[] MessageArguments()
    {
        var args = new object[Arguments.Count + (Context is null ? 0 : 1)];
        for (int i = 0; i < Arguments.Count; i++) args[i] = Arguments[i];
        if (Context is not null) args[Arguments.Count] = Context;
        return args;
    }
}
