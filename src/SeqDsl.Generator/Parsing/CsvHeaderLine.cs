using System.Collections.Generic;
using System.Text;

namespace SeqDsl.Generator.Parsing;

/// <summary>
/// The column names of a CSV header line, as the runtime's <c>CsvSource</c> reads them: cells separated by commas,
/// a cell in double quotes may hold commas and doubled quotes (""), spaces and tabs around a cell are trimmed.
/// </summary>
internal static class CsvHeaderLine
{
    public static IReadOnlyList<string> Cells(string line)
    {
        var cells = new List<string>();
        var cell = new StringBuilder();
        int i = 0;
        while (true)
        {
            cell.Clear();
            while (i < line.Length && line[i] is ' ' or '\t') i++;
            if (i < line.Length && line[i] == '"')
            {
                for (i++; i < line.Length; i++)
                {
                    if (line[i] != '"') { cell.Append(line[i]); continue; }
                    if (i + 1 < line.Length && line[i + 1] == '"') { cell.Append('"'); i++; continue; }
                    i++;
                    break;
                }
                while (i < line.Length && line[i] != ',') i++; // text after the closing quote is not part of the name
            }
            else
            {
                while (i < line.Length && line[i] != ',') cell.Append(line[i++]);
            }
            cells.Add(cell.ToString().Trim(' ', '\t'));
            if (i >= line.Length) return cells;
            i++; // the comma
        }
    }
}
