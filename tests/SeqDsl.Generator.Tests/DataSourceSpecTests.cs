using Microsoft.CodeAnalysis;
using SeqDsl.Build;
using DiagnosticInfo = SeqDsl.Generator.Diagnostics.DiagnosticInfo;
using SeqDsl.Generator.Helpers;
using SeqDsl.Generator.Model;
using SeqDsl.Generator.Parsing;
using SeqDsl.Generator.Tests.Infrastructure;

namespace SeqDsl.Generator.Tests;

/// <summary>
/// The data half of a spec's files and sources: splits stated by target rows, the ett source and downloads, the
/// spec's folder for relative paths, and the build-time check of a CSV's header.
/// </summary>
public class DataSourceSpecTests
{
    private const string Model = "model: M\nlayers:\n  - flatten\n  - dense: { units: 96 }\n";

    private static string Ett(string extra = "", string splits = "{ by: targets, train: [0, 8639], val: [8640, 11519], test: [11520, 14399] }")
        => Model + "data:\n  source: ett\n  columns: [OT]\n  target: OT\n" + extra
           + "  window: { lookback: 336, step: 1, delay: 0, horizon: 96, batch_size: 32 }\n  splits: " + splits + "\n";

    private static ParsedSpec Parse(string text, string path = "m.yaml", params CsvHeader[] headers)
        => SpecParser.Parse(new SpecFile(path, text, null) { CsvHeaders = headers.ToEquatableArray() });

    private static DiagnosticInfo Single(string text, string id, string path = "m.yaml", params CsvHeader[] headers)
    {
        var diagnostics = Parse(text, path, headers).Diagnostics;
        var diagnostic = Assert.Single(diagnostics);
        Assert.Equal(id, diagnostic.Id);
        return diagnostic;
    }

    [Fact]
    public void Splits_by_target_rows_bind_to_the_window_rows_of_the_ett_protocol()
    {
        var data = Parse(Ett()).Spec!.Experiment.Data!;

        Assert.Equal(DataSourceKind.Ett, data.Source);
        Assert.Equal("ETTh1", data.Series);
        Assert.Equal((0L, (long?)8545L, "targets [0, 8639]"), (data.Train!.Start, data.Train.End, data.Train.Targets));
        Assert.Equal((8304L, (long?)11425L, "targets [8640, 11519]"), (data.Validation!.Start, data.Validation.End, data.Validation.Targets));
        Assert.Equal((11184L, (long?)14305L, "targets [11520, 14399]"), (data.Test!.Start, data.Test.End, data.Test.Targets));
    }

    [Fact]
    public void Splits_by_window_rows_stay_the_default()
    {
        var data = Parse(Ett(splits: "{ train: [0, 8545], val: [8304, 11425] }")).Spec!.Experiment.Data!;
        Assert.Equal((0L, (long?)8545L, (string?)null), (data.Train!.Start, data.Train.End, data.Train.Targets));
    }

    [Fact]
    public void A_target_split_shorter_than_the_horizon_has_no_room_and_says_which_rows_a_window_predicts()
    {
        var diagnostic = Single(Ett(splits: "{ by: targets, train: [0, 8639], val: [8640, 8700] }"), "SEQ2013");
        Assert.Contains("split 'val' targets [8640, 8700] has no room for a window", diagnostic.Message);
        Assert.Contains("predicts rows 8640–8735", diagnostic.Message);
    }

    [Fact]
    public void Target_splits_that_share_a_row_overlap()
    {
        var diagnostic = Single(Ett(splits: "{ by: targets, train: [0, 8640], val: [8640, 11519] }"), "SEQ2013");
        Assert.Contains("'train' targets [0, 8640] and 'val' targets [8640, 11519] overlap", diagnostic.Message);
    }

    [Fact]
    public void The_ett_columns_are_known_at_build_time()
    {
        var target = Single(Ett().Replace("  columns: [OT]\n", "").Replace("target: OT", "target: OTT"), "SEQ2014");
        Assert.Contains("'target' in 'data' names 'OTT', which is not a column of ETTh1. Did you mean 'OT'? Expected one of: HUFL, HULL, MUFL, MULL, LUFL, LULL, OT", target.Message);
        var column = Single(Ett().Replace("columns: [OT]", "columns: [OT, HUFLL]"), "SEQ2014");
        Assert.Contains("'columns' in 'data' names 'HUFLL', which is not a column of ETTh1. Did you mean 'HUFL'?", column.Message);
    }

    [Theory]
    [InlineData("  source: csv\n  path: a.csv\n  url: https://example.org/a.csv\n  columns: [OT]\n", "'url' in 'data' downloads the CSV that 'path' would name")]
    [InlineData("  source: csv\n  path: a.csv\n  sha256: " + Hash + "\n  columns: [OT]\n", "'sha256' in 'data' checks a downloaded file: with the csv source it needs a 'url'")]
    [InlineData("  source: csv\n  path: a.csv\n  series: ETTh2\n  columns: [OT]\n", "'series' in 'data' applies to the ett source only; this spec's source is csv")]
    [InlineData("  source: ett\n  path: a.csv\n", "'path' in 'data' applies to the csv source only; this spec's source is ett")]
    [InlineData("  source: synthetic-climate\n  sha256: " + Hash + "\n", "'sha256' in 'data' applies to the jena-climate, ett and csv sources only")]
    public void Source_keys_that_do_not_belong_together_are_one_message(string source, string expected)
    {
        string text = Model + "data:\n" + source + "  target: OT\n  window: { lookback: 4 }\n  splits: { train: [0, 100] }\n";
        var diagnostic = Single(text.Replace("target: OT", source.Contains("synthetic") ? "target: T (degC)" : "target: OT"), "SEQ2012");
        Assert.Contains(expected, diagnostic.Message);
    }

    private const string Hash = "f18de3ad269cef59bb07b5438d79bb3042d3be49bdeecf01c1cd6d29695ee066";

    [Theory]
    [InlineData("url: series.csv", "'url' in 'data' must be an absolute http(s) or file URL of a file")]
    [InlineData("url: ftp://example.org/a.csv", "'url' in 'data' must be an absolute http(s) or file URL of a file")]
    [InlineData("url: https://example.org/data/", "'url' in 'data' must be an absolute http(s) or file URL of a file")]
    public void Download_keys_are_checked(string keys, string expected)
    {
        var diagnostic = Single(Model + "data:\n  source: csv\n  " + keys + "\n  columns: [OT]\n  target: OT\n  window: { lookback: 4 }\n  splits: { train: [0, 100] }\n", "SEQ2003");
        Assert.Contains(expected, diagnostic.Message);
    }

    [Fact]
    public void A_csv_url_with_a_hash_and_an_ett_series_with_a_hash_bind()
    {
        var csv = Parse(Model + $"data:\n  source: csv\n  url: https://example.org/a.csv\n  sha256: {Hash}\n  columns: [OT]\n  target: OT\n  window: {{ lookback: 4 }}\n  splits: {{ train: [0, 100] }}\n");
        Assert.Empty(csv.Diagnostics);
        Assert.Equal(("https://example.org/a.csv", Hash), (csv.Spec!.Experiment.Data!.Url, csv.Spec.Experiment.Data.Sha256));
        var ett = Parse(Ett($"  series: ETTm2\n  sha256: {Hash}\n"));
        Assert.Empty(ett.Diagnostics);
        Assert.Equal("ETTm2", ett.Spec!.Experiment.Data!.Series);
    }

    [Theory]
    [InlineData("text: { corpus: book.txt, url: https://example.org/book.txt }\n", "SEQ2012", "'url' in 'text' downloads the corpus that 'corpus' would name: give one of them; this spec's corpus is book.txt")]
    [InlineData("text: { sha256: " + Hash + " }\n", "SEQ2012", "'sha256' in 'text' checks a downloaded corpus")]
    [InlineData("text: { url: book.txt }\n", "SEQ2003", "'url' in 'text' must be an absolute http(s) or file URL of a file")]
    public void Text_download_keys_are_checked(string text, string id, string expected)
    {
        var diagnostic = Single("model: C\nlayers:\n  - lstm: { units: 8 }\n  - dense: { units: vocab }\n" + text, id);
        Assert.Contains(expected, diagnostic.Message);
    }

    [Fact]
    public void Nietzsche_and_a_text_url_are_emitted_for_the_runtime()
    {
        const string Layers = "model: C\nlayers:\n  - lstm: { units: 8 }\n  - dense: { units: vocab }\n";
        var nietzsche = GeneratorHarness.Run(("c.yaml", Layers + $"text: {{ corpus: nietzsche, sha256: {Hash} }}\n"));
        Assert.Empty(nietzsche.Seq);
        Assert.Contains("Corpus = \"nietzsche\",", nietzsche.Source("CModel"));
        Assert.Contains($"Sha256 = \"{Hash}\",", nietzsche.Source("CModel"));
        Assert.DoesNotContain("SpecDirectory", nietzsche.Source("CModel")); // a word, not a file

        var url = GeneratorHarness.Run(("c.yaml", Layers + "text: { url: 'https://example.org/book.txt' }\n"));
        Assert.Empty(url.Seq);
        Assert.Contains("Url = \"https://example.org/book.txt\",", url.Source("CModel"));
    }

    [Fact]
    public void A_spec_that_names_a_file_carries_its_folder_and_the_key_lines()
    {
        string text = Model + "data:\n  source: csv\n  path: data/series.csv\n  columns: [OT]\n  target: OT\n  window: { lookback: 4, horizon: 96 }\n  splits: { train: [0, 1000] }\n";
        var result = GeneratorHarness.Run(("/home/user/project/specs/series.yaml", text));
        Assert.Empty(result.Seq);
        string source = result.Source("MModel");

        Assert.Contains("SpecDirectory = \"/home/user/project/specs\",", source);
        Assert.Contains("KeyLines = new global::System.Collections.Generic.Dictionary<string, int> { [\"data.path\"] = 7 },", source);
        Assert.Contains("Path = \"data/series.csv\",", source);
        var errors = result.Output.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error);
        Assert.Empty(errors);

        var noFiles = GeneratorHarness.Run(("/home/user/project/specs/ett.yaml", Ett()));
        Assert.DoesNotContain("SpecDirectory", noFiles.Source("MModel")); // a downloaded source names no file: nothing machine-specific is emitted
        Assert.Contains("Series = \"ETTh1\",", noFiles.Source("MModel"));
        Assert.Contains("Train = new global::SeqDsl.Runtime.Experiments.SplitRange(0, 8545) { Targets = \"targets [0, 8639]\" },", noFiles.Source("MModel"));
    }

    [Fact]
    public void Episode_file_keys_carry_their_lines()
    {
        string text = "model: E\nlayers:\n  - lstm: { units: 8 }\n  - dense: { units: labels }\nepisodes:\n  source: physionet-2012\n  path: set-a\n  outcomes: Outcomes-a.txt\n"
                      + "  labels:\n    - death: { column: In-hospital_death }\n  splits: { test_path: set-b.tar.gz, test_outcomes: Outcomes-b.txt }\n";
        var experiment = Parse(text, "/data/specs/e.yaml").Spec!.Experiment;
        Assert.Equal("/data/specs", experiment.SpecDirectory);
        Assert.Equal(new[] { new FileKey("episodes.path", 7), new FileKey("episodes.outcomes", 8), new FileKey("episodes.splits.test_path", 11), new FileKey("episodes.splits.test_outcomes", 11) },
            experiment.FileKeys.ToArray());
    }

    // ---- the CSV header check ------------------------------------------------------------------------------------

    private const string SpecPath = "/p/specs/series.yaml";

    private static string Csv(string columns = "columns: [HUFL, OT]", string target = "OT", string date = "date_column: date\n  ")
        => Model + $"data:\n  source: csv\n  path: ../data/ETTh1.csv\n  {date}{columns}\n  target: {target}\n  window: {{ lookback: 4, horizon: 96 }}\n  splits: {{ train: [0, 1000] }}\n";

    private static readonly CsvHeader s_header = new(SpecPath, "../data/ETTh1.csv", "/p/data/ETTh1.csv", "date,HUFL,HULL,MUFL,MULL,LUFL,LULL,OT");

    [Fact]
    public void A_column_missing_from_the_csv_header_is_reported_at_its_yaml_line()
    {
        var diagnostic = Single(Csv(columns: "columns: [HUFL, OTT]", target: "HUFL"), "SEQ2014", SpecPath, s_header);
        Assert.Equal(9, diagnostic.Span.DisplayLine);
        Assert.Equal("'columns' in 'data' names 'OTT', which is not a column of ETTh1.csv (/p/data/ETTh1.csv, line 1). Did you mean 'OT'? Expected one of: date, HUFL, HULL, MUFL, MULL, LUFL, LULL, OT", diagnostic.Message);
    }

    [Fact]
    public void A_date_column_or_target_missing_from_the_header_is_reported()
    {
        Assert.Contains("'date_column' in 'data' names 'Date'", Single(Csv(date: "date_column: Date\n  "), "SEQ2014", SpecPath, s_header).Message);
        // Without 'columns' the input size comes from 'input.features', and the target is checked against the header.
        var target = Single("input: { features: 7 }\n" + Csv(columns: "missing: error", target: "Ot"), "SEQ2014", SpecPath, s_header);
        Assert.Contains("'target' in 'data' names 'Ot', which is not a column of ETTh1.csv", target.Message);
        Assert.Equal(11, target.Span.DisplayLine);
    }

    [Fact]
    public void A_header_with_quotes_and_spaces_is_read_as_the_runtime_reads_it()
    {
        var quoted = s_header with { Header = "\"Date Time\", \"T (degC)\",\"p, \"\"raw\"\"\"" };
        Assert.Equal(new[] { "Date Time", "T (degC)", "p, \"raw\"" }, CsvHeaderLine.Cells(quoted.Header));
        Assert.Empty(Parse(Csv(columns: "columns: ['T (degC)', 'p, \"raw\"']", target: "T (degC)", date: "date_column: Date Time\n  "), SpecPath, quoted).Diagnostics);
    }

    /// <summary>
    /// The build reads a header with CsvHeaderLine (strings, netstandard2.0) and the runtime with CsvSource (bytes, its hot
    /// path): the two must name the same columns, or a spec would pass the build and fail at run time (or the reverse).
    /// </summary>
    [Theory]
    [InlineData("a,b,c")]
    [InlineData(" a , b\t,c ")]
    [InlineData("\"a, b\", \"c \"\"q\"\"\" ,d")]
    [InlineData("\"T (degC)\",\"p (mbar)\",rh (%)")]
    public void The_build_and_the_runtime_read_a_header_alike(string header)
    {
        string file = Path.Combine(Path.GetTempPath(), $"seqdsl-header-{Guid.NewGuid():N}.csv");
        try
        {
            File.WriteAllText(file, header + "\n1,2,3\n4,5,6\n");
            var frame = SeqDsl.Runtime.Data.CsvSource.Load(file);
            Assert.Equal(frame.Columns, CsvHeaderLine.Cells(header));
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public void Without_a_header_for_this_spec_and_path_there_is_no_check()
    {
        string typo = Csv(columns: "columns: [OTT]", target: "OTT");
        Assert.Empty(Parse(typo, SpecPath).Diagnostics);                                       // the build could not read the file
        Assert.Empty(Parse(typo, "/p/other/series.yaml", s_header).Diagnostics);               // another spec's file
        Assert.Empty(Parse(typo.Replace("../data/ETTh1.csv", "ETTh1.csv"), SpecPath, s_header).Diagnostics); // another path
        Assert.Empty(Parse(Csv(), SpecPath, s_header).Diagnostics);                             // the right columns
    }

    [Fact]
    public void The_generator_reads_the_header_file_the_build_passes_with_its_metadata()
    {
        var files = new AdditionalText[]
        {
            new InMemoryText(SpecPath, Csv(columns: "columns: [HUFL, OTT]", target: "HUFL")),
            new InMemoryText("/p/obj/seqdsl.csv-headers.txt", "# comment\n" + string.Join("\t", s_header.SpecPath, s_header.Value, s_header.File, s_header.Header) + "\n",
                new Dictionary<string, string> { ["build_metadata.AdditionalFiles.SeqDslSpec"] = "false", ["build_metadata.AdditionalFiles.SeqDslCsvHeaders"] = "true" }),
        };
        var result = GeneratorHarness.Run("Host", "true", files);

        var diagnostic = Assert.Single(result.Seq);
        Assert.Equal("SEQ2014", diagnostic.Id);
        Assert.Equal(SpecPath, diagnostic.Location.GetLineSpan().Path);
        Assert.Equal(8, diagnostic.Location.GetLineSpan().StartLinePosition.Line); // 0-based: the columns line, 9
        Assert.Contains("'OTT'", diagnostic.GetMessage());
    }

    // ---- the MSBuild step's scan (build/SeqDslCsvHeaders.cs) -------------------------------------------------------

    [Fact]
    public void The_build_step_finds_path_values_in_block_flow_and_quoted_form_but_not_other_keys()
    {
        const string Spec = "data:\n  path: a.csv   # the series\n  splits: { test_path: no.csv }\nepisodes: { path: 'my data/b.csv', outcomes: o.txt }\nx: { path: \"c.csv\" }\n";
        Assert.Equal(new[] { "a.csv", "my data/b.csv", "c.csv" }, CsvHeaderScan.PathValues(Spec));
    }

    [Fact]
    public void The_build_step_reads_only_the_first_line_of_files_that_exist()
    {
        string folder = Path.Combine(Path.GetTempPath(), "seqdsl-scan-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path.Combine(folder, "data"));
        try
        {
            File.WriteAllText(Path.Combine(folder, "data", "s.csv"), "\uFEFFdate,OT\r\n2016-07-01,1\n");
            File.WriteAllText(Path.Combine(folder, "bin.csv"), "PK\0\u0003binary\n");
            string spec = Path.Combine(folder, "s.yaml");
            File.WriteAllText(spec, "data:\n  path: data/s.csv\nother: { path: missing.csv }\nthird: { path: bin.csv }\n");

            var lines = CsvHeaderScan.Scan(new[] { spec }).Split('\n', StringSplitOptions.RemoveEmptyEntries);

            Assert.StartsWith("# ", lines[0]);
            Assert.Equal(string.Join("\t", spec, "data/s.csv", Path.Combine(folder, "data", "s.csv"), "date,OT"), Assert.Single(lines.Skip(1)));
            var header = Assert.Single(CsvHeaderFile.Parse(string.Join("\n", lines)));
            Assert.True(header.IsFor(spec));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
