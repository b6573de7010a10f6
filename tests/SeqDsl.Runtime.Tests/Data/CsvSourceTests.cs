using System.Text;
using SeqDsl.Runtime.Data;

namespace SeqDsl.Runtime.Tests.Data;

public sealed class CsvSourceTests : IDisposable
{
    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    private const string JenaHeader = "\"Date Time\",\"p (mbar)\",\"T (degC)\",\"rh (%)\"\n";

    [Fact]
    public void Loads_a_Jena_format_file_with_quoted_header_and_dates()
    {
        string path = _directory.Write("jena.csv",
            JenaHeader +
            "01.01.2009 00:10:00,996.52,-8.02,93.30\n" +
            "01.01.2009 00:20:00,996.57,-8.41,93.40\n");

        var frame = CsvSource.Load(path);

        Assert.Equal(new[] { "p (mbar)", "T (degC)", "rh (%)" }, frame.Columns);
        Assert.Equal(new[] { 996.52f, -8.02f, 93.3f, 996.57f, -8.41f, 93.4f }, frame.Values);
        Assert.Equal(new[] { new DateTime(2009, 1, 1, 0, 10, 0), new DateTime(2009, 1, 1, 0, 20, 0) }, frame.Timestamps);
        Assert.Equal(path, frame.SourceName);
    }

    [Fact]
    public void Columns_option_selects_and_orders_columns()
    {
        string path = _directory.Write("jena.csv", JenaHeader + "01.01.2009 00:10:00,996.52,-8.02,93.30\n");
        var frame = CsvSource.Load(path, new CsvOptions { Columns = new[] { "T (degC)", "p (mbar)" } });
        Assert.Equal(new[] { "T (degC)", "p (mbar)" }, frame.Columns);
        Assert.Equal(new[] { -8.02f, 996.52f }, frame.Values);
    }

    [Fact]
    public void A_missing_column_names_the_file_the_column_and_the_available_columns()
    {
        string path = _directory.Write("jena.csv", JenaHeader + "01.01.2009 00:10:00,996.52,-8.02,93.30\n");
        var error = Assert.Throws<DataFormatException>(() => CsvSource.Load(path, new CsvOptions { Columns = new[] { "T (degF)" } }));
        Assert.Contains(path, error.Message);
        Assert.Contains("'T (degF)'", error.Message);
        Assert.Contains("'Date Time', 'p (mbar)', 'T (degC)', 'rh (%)'", error.Message);
        Assert.Equal("T (degF)", error.Column);
        Assert.Throws<DataFormatException>(() => CsvSource.Load(path, new CsvOptions { DateColumn = "When" }));
    }

    [Theory]
    [InlineData("abc", "'abc' is not a number")]
    [InlineData("", "'' is not a number")]
    [InlineData("NaN", "'NaN' is not a number")]
    [InlineData("Infinity", "'Infinity' is not a number")]
    public void A_bad_cell_names_file_line_and_column(string cell, string expected)
    {
        // A blank line before the bad row: line numbers count every line of the file.
        string path = _directory.Write("bad.csv",
            JenaHeader + "01.01.2009 00:10:00,996.52,-8.02,93.30\n\n" + $"01.01.2009 00:20:00,996.57,{cell},93.40\n");
        var error = Assert.Throws<DataFormatException>(() => CsvSource.Load(path));
        Assert.StartsWith($"{path}(4): column 'T (degC)': {expected}", error.Message);
        Assert.Equal(path, error.File);
        Assert.Equal(4, error.Line);
        Assert.Equal("T (degC)", error.Column);
    }

    [Fact]
    public void Unselected_columns_are_not_parsed()
    {
        string path = _directory.Write("notes.csv", "a,note\n1,hello\n2,world\n");
        var frame = CsvSource.Load(path, new CsvOptions { Columns = new[] { "a" } });
        Assert.Equal(new[] { 1f, 2f }, frame.Values);
        Assert.Null(frame.Timestamps);
    }

    [Fact]
    public void A_row_with_the_wrong_number_of_cells_names_its_line()
    {
        string path = _directory.Write("short.csv", JenaHeader + "01.01.2009 00:10:00,996.52,-8.02,93.30\n01.01.2009 00:20:00,996.57,-8.41\n");
        var error = Assert.Throws<DataFormatException>(() => CsvSource.Load(path));
        Assert.Equal(3, error.Line);
        Assert.Contains("expected 4 cells", error.Message);
        Assert.Contains("found 3", error.Message);
    }

    [Fact]
    public void An_unparsable_date_names_the_line_and_the_expected_formats()
    {
        string path = _directory.Write("date.csv", JenaHeader + "01.01.2009 00:10:00,1,2,3\n2009/01/01 00:20,1,2,3\n");
        var error = Assert.Throws<DataFormatException>(() => CsvSource.Load(path));
        Assert.Equal(3, error.Line);
        Assert.Equal("Date Time", error.Column);
        Assert.Contains("'2009/01/01 00:20'", error.Message);
        Assert.Contains("dd.MM.yyyy HH:mm:ss", error.Message);
        Assert.Contains("yyyy-MM-ddTHH:mm:ss", error.Message);

        var invalid = _directory.Write("invalid.csv", JenaHeader + "31.02.2009 00:10:00,1,2,3\n");
        Assert.Throws<DataFormatException>(() => CsvSource.Load(invalid, new CsvOptions { DateColumn = "Date Time" }));
    }

    [Fact]
    public void Iso_dates_custom_formats_and_no_date_column()
    {
        var iso = CsvSource.Load(_directory.Write("iso.csv", "date,x\n2020-03-01 12:30:00,1\n2020-03-01T13:30:00,2\n2020-03-02,3\n"));
        Assert.Equal(new[] { new DateTime(2020, 3, 1, 12, 30, 0), new DateTime(2020, 3, 1, 13, 30, 0), new DateTime(2020, 3, 2) }, iso.Timestamps);
        Assert.Equal(new[] { "x" }, iso.Columns);

        var custom = CsvSource.Load(_directory.Write("custom.csv", "x,when\n1,03/01/2020 12:30\n"),
            new CsvOptions { DateColumn = "when", DateFormat = "MM/dd/yyyy HH:mm" });
        Assert.Equal(new DateTime(2020, 3, 1, 12, 30, 0), custom.Timestamps![0]);
        Assert.Equal(new[] { "x" }, custom.Columns);

        var plain = CsvSource.Load(_directory.Write("plain.csv", "x,y\n1,2\n3,4\n"));
        Assert.Null(plain.Timestamps);
        Assert.Equal(new[] { "x", "y" }, plain.Columns);
    }

    [Fact]
    public void Separator_crlf_bom_quotes_and_blank_lines()
    {
        string path = _directory.File("semicolon.csv");
        File.WriteAllText(path, "\"x\";\"the \"\"y\"\"\"\r\n\r\n1.5;\"2\"\r\n-3e2; 4 \r\n", new UTF8Encoding(encoderShouldEmitUTF8Identifier: true));
        var frame = CsvSource.Load(path, new CsvOptions { Separator = ';' });
        Assert.Equal(new[] { "x", "the \"y\"" }, frame.Columns);
        Assert.Equal(new[] { 1.5f, 2f, -300f, 4f }, frame.Values);
    }

    [Fact]
    public void A_file_without_a_header_is_rejected()
    {
        var error = Assert.Throws<DataFormatException>(() => CsvSource.Load(_directory.Write("nohead.csv", "1,2\n3,4\n")));
        Assert.Equal(1, error.Line);
        Assert.Contains("header", error.Message);
        Assert.Throws<DataFormatException>(() => CsvSource.Load(_directory.Write("empty.csv", "")));
    }

    [Fact]
    public void Missing_values_can_be_dropped_forward_filled_or_interpolated()
    {
        string path = _directory.Write("gaps.csv",
            "t,a,b\n" +
            "2020-01-01 00:00:00,1,10\n" +
            "2020-01-01 01:00:00,,20\n" +
            "2020-01-01 02:00:00,NaN,NA\n" +
            "2020-01-01 03:00:00,4,40\n");

        var dropped = CsvSource.Load(path, new CsvOptions { Missing = MissingValuePolicy.Drop });
        Assert.Equal(new[] { 1f, 10f, 4f, 40f }, dropped.Values);
        Assert.Equal(new[] { new DateTime(2020, 1, 1, 0, 0, 0), new DateTime(2020, 1, 1, 3, 0, 0) }, dropped.Timestamps);

        var filled = CsvSource.Load(path, new CsvOptions { Missing = MissingValuePolicy.ForwardFill });
        Assert.Equal(new[] { 1f, 10f, 1f, 20f, 1f, 20f, 4f, 40f }, filled.Values);
        Assert.Equal(4, filled.Timestamps!.Length);

        var interpolated = CsvSource.Load(path, new CsvOptions { Missing = MissingValuePolicy.Interpolate });
        Assert.Equal(new[] { 1f, 10f, 2f, 20f, 3f, 30f, 4f, 40f }, interpolated.Values);

        // Missing values are only those: a word is still an error.
        string word = _directory.Write("word.csv", "a\n1\noops\n");
        Assert.Throws<DataFormatException>(() => CsvSource.Load(word, new CsvOptions { Missing = MissingValuePolicy.Drop }));
    }

    [Fact]
    public void Forward_fill_and_interpolation_need_values_at_the_edges()
    {
        string first = _directory.Write("first.csv", "a,b\n1,\n2,3\n");
        var error = Assert.Throws<DataFormatException>(() => CsvSource.Load(first, new CsvOptions { Missing = MissingValuePolicy.ForwardFill }));
        Assert.Equal(2, error.Line);
        Assert.Equal("b", error.Column);

        string last = _directory.Write("last.csv", "a,b\n1,2\n2,\n");
        error = Assert.Throws<DataFormatException>(() => CsvSource.Load(last, new CsvOptions { Missing = MissingValuePolicy.Interpolate }));
        Assert.Equal(3, error.Line);
        Assert.Equal(new[] { 1f, 2f, 2f, 2f }, CsvSource.Load(last, new CsvOptions { Missing = MissingValuePolicy.ForwardFill }).Values);
    }

    [Fact]
    public void Large_files_parse_in_parallel_chunks_and_report_the_first_error()
    {
        var frame = SyntheticClimate.Generate(40_000, seed: 5);
        string csv = SourcesTestFiles.JenaCsv(frame);
        string path = _directory.Write("big.csv", csv);

        var loaded = CsvSource.Load(path);
        Assert.Equal(frame.Columns, loaded.Columns);
        Assert.Equal(frame.Timestamps, loaded.Timestamps);
        for (int i = 0; i < frame.Values.Length; i++)
            Assert.True(Math.Abs(frame.Values[i] - loaded.Values[i]) <= 0.0051f, $"value {i}: {frame.Values[i]} written, {loaded.Values[i]} read");

        // Errors late in the file (another chunk) and earlier: the earliest line is reported.
        var lines = csv.Split('\n');
        lines[35_001] = lines[35_001].Replace(",", ",x", StringComparison.Ordinal);
        lines[20_001] = lines[20_001] + ",1";
        string broken = _directory.Write("broken.csv", string.Join('\n', lines));
        Assert.Equal(20_002, Assert.Throws<DataFormatException>(() => CsvSource.Load(broken)).Line);
    }

    [Fact]
    public void A_column_name_given_twice_in_the_header_is_an_error_at_line_1()
    {
        string path = _directory.Write("twice.csv", "date,OT,HUFL,OT\n2020-01-01,1,2,3\n2020-01-02,4,5,6\n");

        var error = Assert.Throws<DataFormatException>(() => CsvSource.Load(path, new CsvOptions { Columns = new[] { "OT" } }));

        Assert.Equal(1, error.Line);
        Assert.Equal("OT", error.Column);
        Assert.Contains("appears twice in the header (columns 2 and 4)", error.Message);
        Assert.StartsWith(path + "(1):", error.Message);
    }

    [Fact]
    public void Timestamps_must_increase_unless_sorting_or_file_order_is_asked_for()
    {
        const string header = "date,x\n";
        string unsorted = _directory.Write("unsorted.csv", header + "2020-01-01 00:00:00,1\n2020-01-01 02:00:00,3\n2020-01-01 01:00:00,2\n");
        string repeated = _directory.Write("repeated.csv", header + "2020-01-01 00:00:00,1\n2020-01-01 01:00:00,2\n\n2020-01-01 01:00:00,9\n");

        var outOfOrder = Assert.Throws<DataFormatException>(() => CsvSource.Load(unsorted));
        Assert.Equal(4, outOfOrder.Line);
        Assert.Equal("date", outOfOrder.Column);
        Assert.Contains("is before 2020-01-01 02:00:00 on line 3", outOfOrder.Message);

        var duplicate = Assert.Throws<DataFormatException>(() => CsvSource.Load(repeated));
        Assert.Equal(5, duplicate.Line);   // the blank line 4 still counts
        Assert.Contains("appears twice (also on line 3)", duplicate.Message);

        var sorted = CsvSource.Load(unsorted, new CsvOptions { TimeOrder = TimeOrderPolicy.Sort });
        Assert.Equal(new[] { 1f, 2f, 3f }, sorted.Values);
        Assert.Equal(new[] { 0, 1, 2 }, sorted.Timestamps!.Select(t => t.Hour));
        // Sorting cannot say which of two rows for one time is right.
        Assert.Contains("appears twice", Assert.Throws<DataFormatException>(() => CsvSource.Load(repeated, new CsvOptions { TimeOrder = TimeOrderPolicy.Sort })).Message);

        Assert.Equal(new[] { 1f, 3f, 2f }, CsvSource.Load(unsorted, new CsvOptions { TimeOrder = TimeOrderPolicy.AsIs }).Values);
    }

    [Fact]
    public void Only_regular_files_with_data_are_read()
    {
        var directoryError = Assert.Throws<DataFormatException>(() => CsvSource.Load(_directory.Path));
        Assert.Contains("is a directory", directoryError.Message);
        if (File.Exists("/dev/zero"))
        {
            // Reading a device to its end would never finish; it is refused before it is opened.
            var device = Assert.Throws<DataFormatException>(() => CsvSource.Load("/dev/zero"));
            Assert.Contains("'/dev/zero' is empty or is not a regular file", device.Message);
        }
    }

    [Fact]
    public void A_symbolic_link_is_read_as_the_whole_file_it_points_to()
    {
        // The file is longer than the link (its target's path), so a link read by its own length would lose rows.
        string target = _directory.Write("target.csv", "t,x\n" + string.Join("\n", Enumerable.Range(0, 200).Select(i => $"{i},{i * 0.5}")) + "\n");
        string link = _directory.File("link.csv");
        File.CreateSymbolicLink(link, target);
        Assert.True(new FileInfo(link).Length < new FileInfo(target).Length);
        Assert.Equal(CsvSource.Load(target).Values, CsvSource.Load(link).Values);
        Assert.Equal(200 * 2, CsvSource.Load(link).Values.Length); // 200 rows of t and x

        string dangling = _directory.File("dangling.csv");
        File.CreateSymbolicLink(dangling, _directory.File("gone.csv"));
        // A link to nothing is a file that does not exist, named by the path given.
        Assert.Contains("dangling.csv' does not exist", Assert.ThrowsAny<Exception>(() => CsvSource.Load(dangling)).Message);
    }
}
