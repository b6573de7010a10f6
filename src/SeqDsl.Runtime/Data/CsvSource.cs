using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Text;
using System.Threading.Tasks;
using SeqDsl.Runtime.IO;

namespace SeqDsl.Runtime.Data;

/// <summary>
/// Loads numeric time series from CSV files with a header row, such as Jena's
/// <c>jena_climate_2009_2016.csv</c>. Cells are parsed straight from the UTF-8 bytes (no per-cell strings) and
/// rows are parsed in parallel, so a 43 MB file loads in well under a second or two.
/// </summary>
public static class CsvSource
{
    internal static readonly string[] AutoDateFormats =
        { "dd.MM.yyyy HH:mm:ss", "yyyy-MM-dd HH:mm:ss", "yyyy-MM-ddTHH:mm:ss", "yyyy-MM-dd" };

    /// <summary>
    /// Reads <paramref name="path"/>: the header row names the columns, every other non-blank row is one time step.
    /// Throws <see cref="DataFormatException"/> naming the file, line and column for anything malformed.
    /// Quoted cells may not contain line breaks.
    /// </summary>
    public static TimeSeriesFrame Load(string path, CsvOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        options ??= new CsvOptions();
        if (options.Separator is '"' or '\r' or '\n' || options.Separator > 127)
            throw new ArgumentException($"Separator '{options.Separator}' is not supported; use an ASCII character other than a quote or line break.", nameof(options));
        byte[] data;
        try
        {
            data = InputFile.ReadAllBytes(path, "CSV file");
        }
        catch (InvalidDataException e)
        {
            throw new DataFormatException(path, 1, null, e.Message, e);
        }
        return new Parser(path, data, options).Run();
    }

    /// <summary>One CSV file being parsed; holds the line index and the column mapping.</summary>
    private sealed class Parser
    {
        // Chunks are large enough that scheduling is negligible next to parsing.
        private const int MinRowsPerChunk = 8192;

        private readonly string _path;
        private readonly byte[] _data;
        private readonly CsvOptions _options;
        private readonly byte _separator;

        // Non-blank lines: offset, length (without the line break) and 1-based line number.
        private int[] _lineStart = new int[1024];
        private int[] _lineLength = new int[1024];
        private int[] _lineNumber = new int[1024];
        private int _lineCount;

        private string[] _header = Array.Empty<string>();
        private int _dateIndex = -1;
        private int[] _selected = Array.Empty<int>();
        private string[] _selectedNames = Array.Empty<string>();

        public Parser(string path, byte[] data, CsvOptions options)
        {
            _path = path;
            _data = data;
            _options = options;
            _separator = (byte)options.Separator;
        }

        public TimeSeriesFrame Run()
        {
            IndexLines();
            if (_lineCount == 0)
                throw new DataFormatException(_path, 1, null, "the file is empty; expected a header row with column names");
            ReadHeader();
            ChooseColumns();

            int rows = _lineCount - 1;
            int width = _selected.Length;
            var values = new float[rows * width];
            DateTime[]? timestamps = _dateIndex >= 0 ? new DateTime[rows] : null;

            // A few chunks per core, so a core slowed by other work does not hold up the whole load.
            int chunks = Math.Clamp(rows / MinRowsPerChunk, 1, 4 * Environment.ProcessorCount);
            var errors = new DataFormatException?[chunks];
            var missing = new bool[chunks];
            Parallel.For(0, chunks, chunk =>
            {
                int from = (int)((long)rows * chunk / chunks), to = (int)((long)rows * (chunk + 1) / chunks);
                errors[chunk] = ParseRows(from, to, values, timestamps, out missing[chunk]);
            });
            // Chunks are in file order, so the first failing chunk holds the first error in the file.
            foreach (var error in errors)
                if (error is not null)
                    throw error;
            if (timestamps is not null)
                CheckTimeOrder(values, timestamps, rows, width);

            if (Array.IndexOf(missing, true) >= 0)
                return FillMissing(values, timestamps, rows, width);
            return new TimeSeriesFrame(_selectedNames, values, timestamps, _path);
        }

        private void IndexLines()
        {
            ReadOnlySpan<byte> span = _data;
            int position = span.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]) ? 3 : 0;
            int lineNumber = 0;
            while (position < span.Length)
            {
                lineNumber++;
                int newline = span.Slice(position).IndexOf((byte)'\n');
                int end = newline < 0 ? span.Length : position + newline;
                int length = end - position;
                if (length > 0 && span[end - 1] == (byte)'\r')
                    length--;
                if (!TrimAscii(span.Slice(position, length)).IsEmpty)
                    AddLine(position, length, lineNumber);
                position = end + 1;
            }
        }

        private void AddLine(int start, int length, int number)
        {
            if (_lineCount == _lineStart.Length)
            {
                int capacity = _lineCount * 2;
                Array.Resize(ref _lineStart, capacity);
                Array.Resize(ref _lineLength, capacity);
                Array.Resize(ref _lineNumber, capacity);
            }
            _lineStart[_lineCount] = start;
            _lineLength[_lineCount] = length;
            _lineNumber[_lineCount] = number;
            _lineCount++;
        }

        private ReadOnlySpan<byte> Line(int index) => _data.AsSpan(_lineStart[index], _lineLength[index]);

        private void ReadHeader()
        {
            var line = Line(0);
            int count = Split(line, _separator, Span<int>.Empty, Span<int>.Empty);
            var starts = new int[count];
            var ends = new int[count];
            Split(line, _separator, starts, ends);
            _header = new string[count];
            bool allNumbers = true;
            for (int i = 0; i < count; i++)
            {
                var cell = line[starts[i]..ends[i]];
                _header[i] = Encoding.UTF8.GetString(TrimAscii(cell)).Replace("\"\"", "\"");
                allNumbers &= float.TryParse(cell, NumberStyles.Float, CultureInfo.InvariantCulture, out _) || TryParseDate(cell, out _);
            }
            // A file without a header would otherwise lose its first row and get numbers as column names.
            if (allNumbers)
                throw new DataFormatException(_path, _lineNumber[0], null,
                    "expected a header row with column names, found data; add a header line such as \"Date Time\",\"T (degC)\",...");
            // A name given twice would make every reference to it ambiguous.
            var seen = new Dictionary<string, int>(StringComparer.Ordinal);
            for (int i = 0; i < count; i++)
                if (!seen.TryAdd(_header[i], i))
                    throw new DataFormatException(_path, _lineNumber[0], _header[i],
                        $"appears twice in the header (columns {seen[_header[i]] + 1} and {i + 1}); rename one so that each column has its own name");
        }

        /// <summary>Applies <see cref="CsvOptions.TimeOrder"/>: a window over rows out of order, or over two rows for one time, would mix up the series.</summary>
        private void CheckTimeOrder(float[] values, DateTime[] timestamps, int rows, int width)
        {
            if (_options.TimeOrder == TimeOrderPolicy.AsIs)
                return;
            string dateColumn = _header[_dateIndex];
            if (_options.TimeOrder == TimeOrderPolicy.Sort && !IsSorted(timestamps))
            {
                var order = new int[rows];
                for (int i = 0; i < rows; i++)
                    order[i] = i;
                // Ties keep file order, so the duplicate error below names the lines as they appear in the file.
                Array.Sort(order, (a, b) => timestamps[a] != timestamps[b] ? timestamps[a].CompareTo(timestamps[b]) : a.CompareTo(b));
                var sortedValues = new float[values.Length];
                var sortedTimes = new DateTime[rows];
                var sortedLines = new int[rows];
                for (int i = 0; i < rows; i++)
                {
                    values.AsSpan(order[i] * width, width).CopyTo(sortedValues.AsSpan(i * width, width));
                    sortedTimes[i] = timestamps[order[i]];
                    sortedLines[i] = _lineNumber[order[i] + 1];
                }
                sortedValues.CopyTo(values, 0);
                sortedTimes.CopyTo(timestamps, 0);
                sortedLines.CopyTo(_lineNumber, 1);
            }
            for (int r = 1; r < rows; r++)
            {
                if (timestamps[r] > timestamps[r - 1])
                    continue;
                string time = timestamps[r].ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);
                string previous = timestamps[r - 1].ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);
                throw new DataFormatException(_path, _lineNumber[r + 1], dateColumn, timestamps[r] == timestamps[r - 1]
                    ? $"timestamp {time} appears twice (also on line {_lineNumber[r]}); each row must be a distinct time step"
                    : $"timestamp {time} is before {previous} on line {_lineNumber[r]}; rows must be in time order " +
                      "(CsvOptions.TimeOrder = Sort, or --time-order sort on the command line, sorts them)");
            }
        }

        private static bool IsSorted(DateTime[] timestamps)
        {
            for (int r = 1; r < timestamps.Length; r++)
                if (timestamps[r] < timestamps[r - 1])
                    return false;
            return true;
        }

        private void ChooseColumns()
        {
            if (_options.DateColumn is { } dateColumn)
                _dateIndex = HeaderIndex(dateColumn);
            else if (_lineCount > 1)
            {
                var first = Line(1);
                int count = Split(first, _separator, Span<int>.Empty, Span<int>.Empty);
                Span<int> start = stackalloc int[1], end = stackalloc int[1];
                Split(first, _separator, start, end);
                if (count > 0 && TryParseDate(first[start[0]..end[0]], out _))
                    _dateIndex = 0;
            }

            if (_options.Columns is { } requested)
            {
                _selected = new int[requested.Count];
                for (int i = 0; i < requested.Count; i++)
                    _selected[i] = HeaderIndex(requested[i]);
                _selectedNames = new string[requested.Count];
                for (int i = 0; i < requested.Count; i++)
                    _selectedNames[i] = requested[i];
            }
            else
            {
                var selected = new List<int>();
                for (int i = 0; i < _header.Length; i++)
                    if (i != _dateIndex)
                        selected.Add(i);
                _selected = selected.ToArray();
                _selectedNames = selected.ConvertAll(i => _header[i]).ToArray();
            }
            if (_selected.Length == 0)
                throw new DataFormatException(_path, _lineNumber[0], null, "no value columns: the header has only the date column");
        }

        private int HeaderIndex(string column)
        {
            int index = Array.IndexOf(_header, column);
            if (index < 0)
                throw new DataFormatException(_path, _lineNumber[0], column,
                    $"not found in the header; available columns: {TimeSeriesFrame.DescribeColumns(_header)}");
            return index;
        }

        /// <summary>Parses rows [from, to) into place; returns the first error instead of throwing so chunks can be ordered.</summary>
        private DataFormatException? ParseRows(int from, int to, float[] values, DateTime[]? timestamps, out bool anyMissing)
        {
            anyMissing = false;
            int width = _selected.Length;
            int cells = _header.Length;
            // One extra slot so that a row with too many cells is detected without a second pass.
            var starts = new int[cells + 1];
            var ends = new int[cells + 1];
            bool allowMissing = _options.Missing != MissingValuePolicy.Error;
            for (int row = from; row < to; row++)
            {
                var line = Line(row + 1);
                int count = Split(line, _separator, starts, ends);
                if (count != cells)
                    return new DataFormatException(_path, _lineNumber[row + 1], null,
                        $"expected {cells} cells as in the header, found {count}");

                if (timestamps is not null)
                {
                    var cell = line[starts[_dateIndex]..ends[_dateIndex]];
                    if (!TryParseDate(cell, out timestamps[row]))
                        return new DataFormatException(_path, _lineNumber[row + 1], _header[_dateIndex],
                            $"'{Encoding.UTF8.GetString(cell)}' is not a date; expected {DescribeDateFormats()}");
                }

                int output = row * width;
                for (int c = 0; c < width; c++)
                {
                    int index = _selected[c];
                    var cell = line[starts[index]..ends[index]];
                    if (float.TryParse(cell, NumberStyles.Float, CultureInfo.InvariantCulture, out float value) && float.IsFinite(value))
                    {
                        values[output + c] = value;
                        continue;
                    }
                    if (allowMissing && IsMissing(cell))
                    {
                        values[output + c] = float.NaN;
                        anyMissing = true;
                        continue;
                    }
                    string hint = IsMissing(cell)
                        ? " (a missing value; CsvOptions.Missing can drop, forward-fill or interpolate these)"
                        : "";
                    return new DataFormatException(_path, _lineNumber[row + 1], _header[index],
                        $"'{Encoding.UTF8.GetString(cell)}' is not a number{hint}");
                }
            }
            return null;
        }

        private static bool IsMissing(ReadOnlySpan<byte> cell)
        {
            cell = TrimAscii(cell);
            if (cell.IsEmpty)
                return true;
            if (float.TryParse(cell, NumberStyles.Float, CultureInfo.InvariantCulture, out float value))
                return !float.IsFinite(value);
            return Ascii.EqualsIgnoreCase(cell, "NA"u8) || Ascii.EqualsIgnoreCase(cell, "N/A"u8)
                || Ascii.EqualsIgnoreCase(cell, "null"u8) || Ascii.EqualsIgnoreCase(cell, "nan"u8)
                || Ascii.EqualsIgnoreCase(cell, "inf"u8) || Ascii.EqualsIgnoreCase(cell, "+inf"u8)
                || Ascii.EqualsIgnoreCase(cell, "-inf"u8);
        }

        private TimeSeriesFrame FillMissing(float[] values, DateTime[]? timestamps, int rows, int width)
        {
            switch (_options.Missing)
            {
                case MissingValuePolicy.Drop:
                {
                    int kept = 0;
                    for (int r = 0; r < rows; r++)
                    {
                        var row = values.AsSpan(r * width, width);
                        bool complete = true;
                        foreach (float v in row)
                            complete &= !float.IsNaN(v);
                        if (!complete)
                            continue;
                        if (kept != r)
                        {
                            row.CopyTo(values.AsSpan(kept * width, width));
                            if (timestamps is not null)
                                timestamps[kept] = timestamps[r];
                        }
                        kept++;
                    }
                    return new TimeSeriesFrame(_selectedNames, values.AsSpan(0, kept * width).ToArray(),
                        timestamps?.AsSpan(0, kept).ToArray(), _path);
                }
                case MissingValuePolicy.ForwardFill:
                    for (int c = 0; c < width; c++)
                    {
                        if (rows > 0 && float.IsNaN(values[c]))
                            throw new DataFormatException(_path, _lineNumber[1], _selectedNames[c],
                                "the first row has a missing value, so there is no previous value to forward-fill; use Drop or Interpolate, or fix the row");
                        for (int r = 1; r < rows; r++)
                            if (float.IsNaN(values[r * width + c]))
                                values[r * width + c] = values[(r - 1) * width + c];
                    }
                    break;
                case MissingValuePolicy.Interpolate:
                    for (int c = 0; c < width; c++)
                        Interpolate(values, rows, width, c);
                    break;
            }
            return new TimeSeriesFrame(_selectedNames, values, timestamps, _path);
        }

        private void Interpolate(float[] values, int rows, int width, int c)
        {
            int previous = -1;
            for (int r = 0; r < rows; r++)
            {
                if (!float.IsNaN(values[r * width + c]))
                {
                    if (previous >= 0 && r - previous > 1)
                    {
                        float a = values[previous * width + c], b = values[r * width + c];
                        for (int k = previous + 1; k < r; k++)
                            values[k * width + c] = a + (b - a) * (k - previous) / (r - previous);
                    }
                    previous = r;
                }
                else if (previous < 0 || r == rows - 1)
                {
                    string where = previous < 0 ? "before the first value" : "after the last value";
                    throw new DataFormatException(_path, _lineNumber[r + 1], _selectedNames[c],
                        $"missing value {where} of the column cannot be interpolated (it needs a value on both sides); use Drop or ForwardFill, or fix the row");
                }
            }
        }

        private bool TryParseDate(ReadOnlySpan<byte> cell, out DateTime value)
        {
            cell = TrimAscii(cell);
            if (_options.DateFormat is { } format)
            {
                Span<char> chars = stackalloc char[64];
                if (cell.Length > chars.Length)
                {
                    value = default;
                    return false;
                }
                int length = Encoding.UTF8.GetChars(cell, chars);
                return DateTime.TryParseExact(chars[..length], format, CultureInfo.InvariantCulture, DateTimeStyles.None, out value);
            }
            return TryParseAutoDate(cell, out value);
        }

        private string DescribeDateFormats() =>
            _options.DateFormat is { } format ? $"the format '{format}'" : "one of '" + string.Join("', '", AutoDateFormats) + "'";
    }

    /// <summary>Splits <paramref name="line"/> into cells; quoted cells lose their quotes. Returns the cell count (which may exceed the spans).</summary>
    private static int Split(ReadOnlySpan<byte> line, byte separator, Span<int> starts, Span<int> ends)
    {
        int count = 0, i = 0, n = line.Length;
        while (true)
        {
            int cellStart, cellEnd;
            int j = i;
            while (j < n && line[j] == (byte)' ')
                j++;
            if (j < n && line[j] == (byte)'"')
            {
                int k = j + 1;
                while (k < n)
                {
                    if (line[k] == (byte)'"')
                    {
                        if (k + 1 < n && line[k + 1] == (byte)'"')
                        {
                            k += 2;
                            continue;
                        }
                        break;
                    }
                    k++;
                }
                cellStart = j + 1;
                cellEnd = k;
                int next = k < n ? line[(k + 1)..].IndexOf(separator) : -1;
                i = next < 0 ? n : k + 1 + next;
            }
            else
            {
                int next = line[i..].IndexOf(separator);
                cellStart = i;
                cellEnd = next < 0 ? n : i + next;
                i = cellEnd;
            }
            if (count < starts.Length)
            {
                starts[count] = cellStart;
                ends[count] = cellEnd;
            }
            count++;
            if (i >= n)
                return count;
            i++;
        }
    }

    /// <summary>Jena's <c>dd.MM.yyyy HH:mm:ss</c> or ISO 8601 <c>yyyy-MM-dd[( |T)HH:mm:ss]</c>, without building strings.</summary>
    internal static bool TryParseAutoDate(ReadOnlySpan<byte> s, out DateTime value)
    {
        value = default;
        int year, month, day, hour = 0, minute = 0, second = 0;
        if (s.Length == 19 && s[2] == (byte)'.' && s[5] == (byte)'.' && s[10] == (byte)' ')
        {
            if (!Digits(s, 0, 2, out day) || !Digits(s, 3, 2, out month) || !Digits(s, 6, 4, out year))
                return false;
        }
        else if ((s.Length == 10 || s.Length == 19) && s[4] == (byte)'-' && s[7] == (byte)'-')
        {
            if (!Digits(s, 0, 4, out year) || !Digits(s, 5, 2, out month) || !Digits(s, 8, 2, out day))
                return false;
            if (s.Length == 19 && s[10] != (byte)' ' && s[10] != (byte)'T')
                return false;
        }
        else
            return false;

        if (s.Length == 19
            && (s[13] != (byte)':' || s[16] != (byte)':'
                || !Digits(s, 11, 2, out hour) || !Digits(s, 14, 2, out minute) || !Digits(s, 17, 2, out second)))
            return false;
        if (year < 1 || month < 1 || month > 12 || day < 1 || day > DateTime.DaysInMonth(year, month)
            || hour > 23 || minute > 59 || second > 59)
            return false;
        value = new DateTime(year, month, day, hour, minute, second);
        return true;
    }

    private static ReadOnlySpan<byte> TrimAscii(ReadOnlySpan<byte> s) => s[Ascii.Trim(s)];

    private static bool Digits(ReadOnlySpan<byte> s, int start, int length, out int value)
    {
        value = 0;
        for (int i = start; i < start + length; i++)
        {
            int digit = s[i] - (byte)'0';
            if ((uint)digit > 9)
                return false;
            value = value * 10 + digit;
        }
        return true;
    }
}
