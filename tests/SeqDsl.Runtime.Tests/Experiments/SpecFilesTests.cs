using SeqDsl.Runtime.Cli;
using SeqDsl.Runtime.Data;
using SeqDsl.Runtime.Experiments;
using SeqDsl.Runtime.Tests.Data;
using SeqDsl.Runtime.Text;
using SeqDsl.Runtime.Training;
using TorchSharp;

namespace SeqDsl.Runtime.Tests.Experiments;

/// <summary>
/// The files a spec names: relative paths resolve against the spec's folder (Specs/small_series.yaml names
/// data/small_series.csv beside it, whatever the current directory), a missing one is an error naming the key and line,
/// and splits stated by target rows cut the windows the window-row splits would.
/// </summary>
public sealed class SpecFilesTests : IDisposable
{
    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    private static ExperimentSpec Series => SmallSeriesModel.Experiment;

    [Fact]
    public void The_generated_experiment_knows_the_spec_folder_and_the_line_of_its_file_key()
    {
        Assert.NotNull(Series.SpecDirectory);
        Assert.True(Path.IsPathRooted(Series.SpecDirectory));
        Assert.True(File.Exists(Path.Combine(Series.SpecDirectory!, "small_series.yaml")));
        Assert.Equal(9, Series.KeyLines["data.path"]);
        Assert.Equal(Path.Combine(Series.SpecDirectory!, "data", "small_series.csv"), SpecPaths.Resolve(Series, "data/small_series.csv"));
    }

    [Fact]
    public void A_relative_data_path_is_read_from_the_spec_folder_not_the_current_directory()
    {
        // The test host's current directory is bin/…, where no data/small_series.csv is.
        Assert.False(File.Exists(Path.Combine(Directory.GetCurrentDirectory(), "data", "small_series.csv")));
        var runner = new ExperimentRunner(Series, new RunOptions { OutputDirectory = _directory.File("run") }, new StringWriter(), NullProgress.Instance);
        using var prepared = runner.PrepareData(torch.CPU);

        Assert.Equal(200, prepared.Frame.Rows);
        Assert.Equal(new[] { "load", "temp" }, prepared.Frame.Columns);
        Assert.Contains(Path.Combine(Series.SpecDirectory!, "data", "small_series.csv"), prepared.Description);
    }

    [Fact]
    public void A_missing_spec_file_names_the_key_the_spec_its_line_and_the_resolved_path_through_the_cli()
    {
        var moved = Series with { SpecDirectory = _directory.Path };
        var output = new StringWriter();
        var error = new StringWriter();

        int exit = SeqDslCli.Run(new[] { "baseline" }, new[] { moved }, null, output, error);

        Assert.Equal(1, exit);
        string expected = $"error: data.path 'data/small_series.csv' in small_series.yaml (line 9) resolved to {Path.Combine(_directory.Path, "data", "small_series.csv")}: no such file; put the file there, or pass --data PATH";
        Assert.StartsWith(expected, error.ToString());
        Assert.DoesNotContain("   at ", error.ToString()); // no stack trace
    }

    [Fact]
    public void A_spec_folder_that_does_not_exist_on_this_machine_resolves_against_the_program_folder()
    {
        var elsewhere = Series with { SpecDirectory = Path.Combine(_directory.Path, "built-on-another-machine") };

        Assert.Equal(AppContext.BaseDirectory, SpecPaths.BaseDirectory(elsewhere));
        var error = Assert.Throws<ExperimentException>(() => SpecPaths.RequireExisting(elsewhere, "data.path", "data/small_series.csv", "--data"));
        Assert.Contains(Path.Combine(AppContext.BaseDirectory, "data", "small_series.csv"), error.Message);
        Assert.Contains("does not exist on this machine", error.Message);
        Assert.Equal("/abs/x.csv", SpecPaths.Resolve(elsewhere, "/abs/x.csv"));
    }

    [Fact]
    public void A_spec_without_a_folder_resolves_against_the_current_directory()
    {
        var handMade = Series with { SpecDirectory = null };
        Assert.Equal(Path.GetFullPath("x.csv"), SpecPaths.Resolve(handMade, "x.csv"));
    }

    [Fact]
    public void The_data_flag_stays_relative_to_the_current_directory()
    {
        string csv = _directory.Write("copy.csv", File.ReadAllText(Path.Combine(Series.SpecDirectory!, "data", "small_series.csv")));
        var runner = new ExperimentRunner(Series with { SpecDirectory = _directory.File("nowhere") },
            new RunOptions { DataPath = Path.GetRelativePath(Directory.GetCurrentDirectory(), csv), OutputDirectory = _directory.File("run") },
            new StringWriter(), NullProgress.Instance);
        using var prepared = runner.PrepareData(torch.CPU);
        Assert.Equal(200, prepared.Frame.Rows);
    }

    [Fact]
    public void Splits_by_target_rows_predict_exactly_the_stated_rows()
    {
        var data = Series.Data!;
        var geometry = data.Window.Geometry;
        // Spec: lookback 24, delay 0, horizon 4; targets train [0, 119], val [120, 159], test [160, 199].
        Assert.Equal(new SplitRange(0, 117) { Targets = "targets [0, 119]" }, data.Train);
        Assert.Equal(new SplitRange(96, 157) { Targets = "targets [120, 159]" }, data.Validation);
        Assert.Equal(new SplitRange(136, 197) { Targets = "targets [160, 199]" }, data.Test);

        // A series whose value is its row number: the targets a generator cuts are the rows they come from.
        using var rows = torch.arange(200, dtype: torch.ScalarType.Float32).reshape(200, 1);
        foreach (var (split, first, last) in new[] { (data.Train, 24L, 119L), (data.Validation!, 120L, 159L), (data.Test!, 160L, 199L) })
        {
            // Windows are drawn for rows [min_index + lookback, max_index): one per row, each predicting horizon rows.
            long firstRow = geometry.FirstRow(split.MinIndex);
            Assert.Equal(last - first + 1 - (data.Window.Horizon - 1), split.MaxIndex!.Value - firstRow);
            Assert.Equal(first, geometry.FirstTarget(firstRow));
            Assert.Equal(last, geometry.LastTarget(split.MaxIndex!.Value));

            using var generator = new WindowGenerator(rows, 0, data.Window, split.MinIndex, split.MaxIndex, shuffle: false);
            var (inputs, targets) = generator.Next();
            using (inputs)
            using (targets)
            {
                Assert.Equal(first - data.Window.Lookback, inputs[0, 0, 0].item<float>()); // the first window reads the lookback rows before its first target
                Assert.Equal(first, targets[0, 0].item<float>());
                Assert.Equal(first + data.Window.Horizon - 1, targets[0, data.Window.Horizon - 1].item<float>());
            }
        }
    }

    [Fact]
    public void The_ett_protocol_by_target_rows_is_the_window_rows_the_examples_carried()
    {
        // ETTh1: lookback 336, horizon 96; targets train 0–8639, val 8640–11519, test 11520–14399.
        var geometry = new WindowGeometry(336, 1, 0, 96);
        Assert.Equal((0L, (long?)8545), geometry.WindowRowsForTargets(0, 8639));
        Assert.Equal((8304L, (long?)11425), geometry.WindowRowsForTargets(8640, 11519));
        Assert.Equal((11184L, (long?)14305), geometry.WindowRowsForTargets(11520, 14399));
        Assert.Equal((11184L, (long?)null), geometry.WindowRowsForTargets(11520, null));
        foreach (var experiment in new[] { EttLinearModel.Experiment, EttMlpModel.Experiment, EttGruModel.Experiment })
        {
            Assert.Equal((0, 8545), (experiment.Data!.Train.MinIndex, experiment.Data.Train.MaxIndex!.Value));
            Assert.Equal((8304, 11425), (experiment.Data.Validation!.MinIndex, experiment.Data.Validation.MaxIndex!.Value));
            Assert.Equal((11184, 14305), (experiment.Data.Test!.MinIndex, experiment.Data.Test.MaxIndex!.Value));
        }
    }
}

/// <summary>Tests that set SEQDSL_CACHE run alone: the variable is the process's, and other tests read the default cache.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class CacheEnvironmentCollection
{
    public const string Name = "SEQDSL_CACHE";
}

/// <summary>Downloaded sources through the runners, with SEQDSL_CACHE set to a temporary folder and file URLs only (no network).</summary>
[Collection(CacheEnvironmentCollection.Name)]
public sealed class DownloadedSourcesTests : IDisposable
{
    private readonly TempDirectory _directory = new();
    private readonly string? _savedCache = Environment.GetEnvironmentVariable("SEQDSL_CACHE");

    public DownloadedSourcesTests() => Environment.SetEnvironmentVariable("SEQDSL_CACHE", Cache);

    public void Dispose()
    {
        Environment.SetEnvironmentVariable("SEQDSL_CACHE", _savedCache);
        _directory.Dispose();
    }

    private string Cache => _directory.File("cache");

    private static string SeriesCsv => File.ReadAllText(Path.Combine(SmallSeriesModel.Experiment.SpecDirectory!, "data", "small_series.csv"));

    [Fact]
    public void A_csv_url_is_downloaded_once_into_the_cache_and_its_hash_recorded()
    {
        string source = _directory.Write("remote.csv", SeriesCsv);
        var spec = SmallSeriesModel.Experiment with { Data = SmallSeriesModel.Experiment.Data! with { Path = null, Url = new Uri(source).AbsoluteUri } };
        var runner = new ExperimentRunner(spec, new RunOptions { OutputDirectory = _directory.File("run") }, new StringWriter(), NullProgress.Instance);

        using (var prepared = runner.PrepareData(torch.CPU))
            Assert.Equal(200, prepared.Frame.Rows);
        string cached = DownloadableFile.FromUrl(new Uri(source).AbsoluteUri, null).PathIn(Cache);
        Assert.True(File.Exists(cached));
        Assert.StartsWith(Cache, cached);
        Assert.Equal(DataCache.HashFile(source), File.ReadAllText(cached + ".sha256").Trim()); // trusted on first download, recorded

        File.Delete(source); // the second run reads the cache only
        using (var again = runner.PrepareData(torch.CPU))
            Assert.Equal(200, again.Frame.Rows);
    }

    [Fact]
    public void A_failed_download_through_the_cli_names_the_url_the_cache_path_and_data()
    {
        string missing = new Uri(_directory.File("not-there.csv")).AbsoluteUri;
        var spec = SmallSeriesModel.Experiment with { Data = SmallSeriesModel.Experiment.Data! with { Path = null, Url = missing } };
        var error = new StringWriter();

        int exit = SeqDslCli.Run(new[] { "baseline" }, new[] { spec }, null, new StringWriter(), error);

        Assert.Equal(1, exit);
        string message = error.ToString();
        Assert.Contains($"Downloading not-there.csv from {missing} failed", message);
        Assert.Contains($"put not-there.csv at {DownloadableFile.FromUrl(missing, null).PathIn(Cache)}", message);
        Assert.Contains("or pass --data path/to/not-there.csv", message);
        Assert.DoesNotContain("   at ", message);
        Assert.Empty(Directory.GetFiles(Cache, "*", SearchOption.AllDirectories));
    }

    [Fact]
    public void The_ett_source_reads_its_series_from_the_cache()
    {
        // A file placed in the cache by hand is used as is (as the download error suggests); ETT's columns and 'date'.
        Directory.CreateDirectory(Cache);
        File.WriteAllText(Path.Combine(Cache, "ETTh2.csv"), "date,HUFL,HULL,MUFL,MULL,LUFL,LULL,OT\n" + string.Concat(
            Enumerable.Range(0, 200).Select(r => $"{new DateTime(2016, 7, 1).AddHours(r):yyyy-MM-dd HH:mm:ss},1,2,3,4,5,6,{Math.Sin(r / 5.0):F4}\n")));
        var spec = SmallSeriesModel.Experiment with
        {
            Data = new DataSpec(DataSourceKind.Ett, "OT")
            {
                Series = "ETTh2", Columns = new[] { "OT" }, Window = SmallSeriesModel.Experiment.Data!.Window,
                Train = new SplitRange(0, 117), Validation = new SplitRange(96, 157), Test = new SplitRange(136, 197),
            },
        };
        var output = new StringWriter();
        var runner = new ExperimentRunner(spec, new RunOptions { OutputDirectory = _directory.File("run") }, output, NullProgress.Instance);
        using var prepared = runner.PrepareData(torch.CPU);
        Assert.Equal(200, prepared.Frame.Rows);
        Assert.StartsWith("ETTh2 (", prepared.Description);
    }

    [Fact]
    public void Nietzsche_and_a_text_url_are_read_from_the_cache()
    {
        Directory.CreateDirectory(Cache);
        string text = string.Concat(Enumerable.Repeat("Supposing that Truth is a woman--what then? ", 40));
        File.WriteAllText(Path.Combine(Cache, PublicDataSets.NietzscheFileName), text);
        var spec = CharLstmSpec() with { Text = CharLstmSpec().Text! with { Corpus = PublicDataSets.NietzscheCorpus } };
        var corpus = new TextExperimentRunner(spec, new RunOptions { OutputDirectory = _directory.File("run") }, new StringWriter()).LoadCorpus();
        Assert.Equal(text.ToLowerInvariant(), corpus.Text);

        string source = _directory.Write("book.txt", "Call me Ishmael. " + text);
        var fromUrl = spec with { Text = spec.Text! with { Corpus = PublicDataSets.EmbeddedCorpus, Url = new Uri(source).AbsoluteUri } };
        var downloaded = new TextExperimentRunner(fromUrl, new RunOptions { OutputDirectory = _directory.File("run") }, new StringWriter()).LoadCorpus();
        Assert.StartsWith("call me ishmael.", downloaded.Text);
        Assert.StartsWith(Cache, downloaded.SourceName);
    }

    private static ExperimentSpec CharLstmSpec() => CharLstmModel.Experiment;
}
