using System.Collections.Generic;
using SeqDsl.Generator.Model;

namespace SeqDsl.Generator.Parsing;

/// <summary>
/// The file in which the build hands the generator the first lines of the CSV files that specs name (the generator
/// itself reads no files). build/SeqDsl.Specs.targets writes it into obj/ with build/SeqDslCsvHeaders.cs and passes it
/// as an additional file with <see cref="MetadataName"/>="true"; a line is
/// <c>spec path TAB path as the spec writes it TAB resolved file TAB first line of the file</c>. Only the first line of
/// each CSV is read, so a large file costs the build nothing.
/// </summary>
internal static class CsvHeaderFile
{
    /// <summary>The AdditionalFiles metadata that marks the file.</summary>
    public const string MetadataName = "SeqDslCsvHeaders";

    public static IEnumerable<CsvHeader> Parse(string text)
    {
        foreach (var line in text.Split('\n'))
        {
            if (line.Length == 0 || line[0] == '#') continue;
            var parts = line.TrimEnd('\r').Split(new[] { '\t' }, 4);
            if (parts.Length == 4) yield return new CsvHeader(parts[0], parts[1], parts[2], parts[3]);
        }
    }
}
