using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;

namespace SeqDsl.Generator.Diagnostics;

/// <summary>A place in a spec file: character offsets and 0-based line/column (as Roslyn counts them).</summary>
internal sealed record SourceSpan(int Start, int End, int Line, int Column, int EndLine, int EndColumn)
{
    public static readonly SourceSpan FileStart = new(0, 0, 0, 0, 0, 0);

    /// <summary>1-based line, as editors and YAML tools show it.</summary>
    public int DisplayLine => Line + 1;

    public Location ToLocation(string path)
        => Location.Create(
            path,
            new TextSpan(Start, System.Math.Max(0, End - Start)),
            new LinePositionSpan(new LinePosition(Line, Column), new LinePosition(EndLine, EndColumn)));
}
