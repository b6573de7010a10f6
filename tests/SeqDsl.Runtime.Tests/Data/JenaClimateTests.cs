using System.Net;
using System.Security.Cryptography;
using SeqDsl.Runtime.Data;

namespace SeqDsl.Runtime.Tests.Data;

public sealed class JenaClimateTests : IDisposable
{
    private readonly TempDirectory _directory = new();
    private readonly byte[] _zip;
    private readonly string _zipHash;
    private readonly TimeSeriesFrame _frame = SyntheticClimate.Generate(50, seed: 11);

    public JenaClimateTests()
    {
        _zip = SourcesTestFiles.JenaZip(SourcesTestFiles.JenaCsv(_frame));
        _zipHash = Convert.ToHexStringLower(SHA256.HashData(_zip));
    }

    public void Dispose() => _directory.Dispose();

    private string Cache => Path.Combine(_directory.Path, "cache");

    private static readonly Uri RemoteUrl = new("https://example.invalid/jena_climate_2009_2016.csv.zip");

    [Fact]
    public void A_file_url_is_copied_extracted_and_loaded()
    {
        string archive = _directory.File("archive.zip");
        File.WriteAllBytes(archive, _zip);
        var options = new JenaClimateOptions { Source = new Uri(archive), CacheDirectory = Cache };

        var frame = JenaClimate.Load(options);

        Assert.Equal(SyntheticClimate.Columns, frame.Columns);
        Assert.Equal(_frame.Timestamps, frame.Timestamps);
        Assert.Equal(_frame[7, 1], frame[7, 1], 0.0051f);
        string csv = Path.Combine(Cache, JenaClimate.CsvFileName);
        Assert.Equal(csv, JenaClimate.EnsureAvailable(options));
        Assert.Equal(_zipHash, File.ReadAllText(Path.Combine(Cache, "jena_climate_2009_2016.csv.zip.sha256")).Trim());
        // Only the CSV and its archive hash remain: no temporary files.
        Assert.Equal(
            new[] { "jena_climate_2009_2016.csv", "jena_climate_2009_2016.csv.zip.sha256" },
            Directory.GetFiles(Cache).Select(Path.GetFileName).Order().ToArray());
    }

    [Fact]
    public void Downloads_once_through_the_handler_and_then_uses_the_cache()
    {
        var handler = new FakeHandler(_ => new HttpResponseMessage(HttpStatusCode.OK) { Content = new ByteArrayContent(_zip) });
        var options = new JenaClimateOptions { Source = RemoteUrl, CacheDirectory = Cache, Handler = handler, Sha256 = _zipHash.ToUpperInvariant() };

        var first = JenaClimate.Load(options);
        var second = JenaClimate.Load(options);

        Assert.Equal(1, handler.Calls);
        Assert.Equal(RemoteUrl, handler.LastRequest);
        Assert.Equal(first.Values, second.Values);
        Assert.Equal(50, first.Rows);
    }

    [Fact]
    public void A_hash_mismatch_names_both_hashes_and_leaves_nothing_behind()
    {
        var handler = new FakeHandler(_ => new HttpResponseMessage(HttpStatusCode.OK) { Content = new ByteArrayContent(_zip) });
        string wrong = new('0', 64);
        var options = new JenaClimateOptions { Source = RemoteUrl, CacheDirectory = Cache, Handler = handler, Sha256 = wrong };

        var error = Assert.Throws<InvalidDataException>(() => JenaClimate.EnsureAvailable(options));

        Assert.Contains(wrong, error.Message);
        Assert.Contains(_zipHash, error.Message);
        Assert.Empty(Directory.GetFiles(Cache));
    }

    [Fact]
    public void A_failed_download_says_where_to_put_the_file()
    {
        var handler = new FakeHandler(_ => throw new HttpRequestException("Name or service not known (example.invalid:443)"));
        var options = new JenaClimateOptions { Source = RemoteUrl, CacheDirectory = Cache, Handler = handler };

        var error = Assert.Throws<DataSourceUnavailableException>(() => JenaClimate.Load(options));

        Assert.IsAssignableFrom<IOException>(error);
        Assert.Contains(RemoteUrl.ToString(), error.Message);
        Assert.Contains("Name or service not known", error.Message);
        Assert.Contains(Path.Combine(Cache, JenaClimate.CsvFileName), error.Message);
        Assert.Contains("--data", error.Message);
        Assert.Equal(Path.Combine(Cache, JenaClimate.CsvFileName), error.ExpectedPath);
        Assert.Empty(Directory.GetFiles(Cache));
    }

    [Fact]
    public void An_http_error_status_is_reported_with_its_code()
    {
        var handler = new FakeHandler(_ => new HttpResponseMessage(HttpStatusCode.NotFound));
        var options = new JenaClimateOptions { Source = RemoteUrl, CacheDirectory = Cache, Handler = handler };
        var error = Assert.Throws<DataSourceUnavailableException>(() => JenaClimate.EnsureAvailable(options));
        Assert.Contains("404", error.Message);
        Assert.Empty(Directory.GetFiles(Cache));
    }

    [Fact]
    public void A_missing_file_url_is_reported_as_unavailable()
    {
        var options = new JenaClimateOptions { Source = new Uri(_directory.File("nowhere.zip")), CacheDirectory = Cache };
        var error = Assert.Throws<DataSourceUnavailableException>(() => JenaClimate.EnsureAvailable(options));
        Assert.Contains("nowhere.zip", error.Message);
    }

    [Fact]
    public void A_csv_already_in_the_cache_is_used_without_downloading()
    {
        Directory.CreateDirectory(Cache);
        File.WriteAllText(Path.Combine(Cache, JenaClimate.CsvFileName), SourcesTestFiles.JenaCsv(_frame.Slice(0, 3)));
        var handler = new FakeHandler(_ => throw new InvalidOperationException("must not download"));

        var frame = JenaClimate.Load(new JenaClimateOptions { Source = RemoteUrl, CacheDirectory = Cache, Handler = handler });

        Assert.Equal(3, frame.Rows);
        Assert.Equal(0, handler.Calls);
    }

    [Fact]
    public void An_archive_without_the_csv_lists_its_entries()
    {
        using var memory = new MemoryStream();
        using (var zip = new System.IO.Compression.ZipArchive(memory, System.IO.Compression.ZipArchiveMode.Create, leaveOpen: true))
            zip.CreateEntry("readme.txt");
        var handler = new FakeHandler(_ => new HttpResponseMessage(HttpStatusCode.OK) { Content = new ByteArrayContent(memory.ToArray()) });

        var error = Assert.Throws<InvalidDataException>(() =>
            JenaClimate.EnsureAvailable(new JenaClimateOptions { Source = RemoteUrl, CacheDirectory = Cache, Handler = handler }));

        Assert.Contains("readme.txt", error.Message);
        Assert.False(File.Exists(Path.Combine(Cache, JenaClimate.CsvFileName)));
        Assert.DoesNotContain(Directory.GetFiles(Cache), f => f.Contains(".tmp-", StringComparison.Ordinal));
    }

    [Fact]
    public void The_default_cache_directory_follows_SEQDSL_CACHE()
    {
        string? saved = Environment.GetEnvironmentVariable("SEQDSL_CACHE");
        try
        {
            Environment.SetEnvironmentVariable("SEQDSL_CACHE", Cache);
            Assert.Equal(Cache, JenaClimate.DefaultCacheDirectory);
            Assert.Equal(Cache, new JenaClimateOptions().CacheDirectory);
            Environment.SetEnvironmentVariable("SEQDSL_CACHE", null);
            Assert.Contains("seqdsl", JenaClimate.DefaultCacheDirectory.ToLowerInvariant());
        }
        finally
        {
            Environment.SetEnvironmentVariable("SEQDSL_CACHE", saved);
        }
    }
}
