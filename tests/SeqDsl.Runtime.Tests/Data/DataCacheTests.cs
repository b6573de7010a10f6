using System.Net;
using System.Security.Cryptography;
using System.Text;
using SeqDsl.Runtime.Data;

namespace SeqDsl.Runtime.Tests.Data;

/// <summary>The per-user cache of downloaded files (ETT, Nietzsche, a spec's url), without a network: a fake HTTP handler or file URLs.</summary>
public sealed class DataCacheTests : IDisposable
{
    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    private DataCacheOptions Options(HttpMessageHandler? handler = null) => new() { CacheDirectory = _directory.File("cache"), Handler = handler };

    private static readonly byte[] s_content = Encoding.UTF8.GetBytes("date,OT\n2016-07-01 00:00:00,30.5\n");
    private static readonly string s_hash = Convert.ToHexStringLower(SHA256.HashData(s_content));

    [Fact]
    public void Downloads_once_records_the_hash_and_then_uses_the_cache()
    {
        var handler = new FakeHandler(_ => new HttpResponseMessage(HttpStatusCode.OK) { Content = new ByteArrayContent(s_content) });
        var file = new DownloadableFile(new Uri("https://example.invalid/ETT-small/ETTh2.csv"), "ETTh2.csv", "the ETTh2 series");

        string path = DataCache.Ensure(file, Options(handler));
        string again = DataCache.Ensure(file, Options(handler));

        Assert.Equal(Path.Combine(_directory.File("cache"), "ETTh2.csv"), path);
        Assert.Equal(path, again);
        Assert.Equal(1, handler.Calls);
        Assert.Equal(s_content, File.ReadAllBytes(path));
        Assert.Equal(s_hash, File.ReadAllText(path + ".sha256").Trim()); // trust on first download: the hash is kept beside the file
        Assert.DoesNotContain(Directory.GetFiles(_directory.File("cache")), f => f.Contains(".tmp-", StringComparison.Ordinal));
    }

    [Fact]
    public void A_pinned_hash_that_does_not_match_deletes_the_download_and_names_both_hashes()
    {
        var handler = new FakeHandler(_ => new HttpResponseMessage(HttpStatusCode.OK) { Content = new ByteArrayContent(s_content) });
        string wrong = new string('0', 64);
        var file = new DownloadableFile(new Uri("https://example.invalid/ETTh1.csv"), "ETTh1.csv", "the ETTh1 series") { Sha256 = wrong };

        var error = Assert.Throws<InvalidDataException>(() => DataCache.Ensure(file, Options(handler)));

        Assert.Contains(wrong, error.Message);
        Assert.Contains(s_hash, error.Message);
        Assert.Empty(Directory.GetFiles(_directory.File("cache")));
    }

    [Fact]
    public void A_failed_download_names_the_url_where_to_put_the_file_and_data()
    {
        var handler = new FakeHandler(_ => new HttpResponseMessage(HttpStatusCode.NotFound));
        var file = DownloadableFile.Ett("ETTm2");

        var error = Assert.Throws<DataSourceUnavailableException>(() => DataCache.Ensure(file, Options(handler)));

        Assert.Equal("Downloading the ETTm2 series from https://raw.githubusercontent.com/zhouhaoyi/ETDataset/main/ETT-small/ETTm2.csv failed: HTTP 404 Not Found. " +
                     $"To use a copy obtained another way, put ETTm2.csv at {Path.Combine(_directory.File("cache"), "ETTm2.csv")}, or pass --data path/to/ETTm2.csv.", error.Message);
        Assert.Empty(Directory.GetFiles(_directory.File("cache")));
    }

    [Fact]
    public void Etth1_and_nietzsche_are_pinned_and_the_other_ett_series_trusted_on_first_download()
    {
        var etth1 = DownloadableFile.Ett("ETTh1");
        Assert.Equal("https://raw.githubusercontent.com/zhouhaoyi/ETDataset/main/ETT-small/ETTh1.csv", etth1.Url.AbsoluteUri);
        Assert.Equal("f18de3ad269cef59bb07b5438d79bb3042d3be49bdeecf01c1cd6d29695ee066", etth1.Sha256);
        foreach (var series in new[] { "ETTh2", "ETTm1", "ETTm2" })
            Assert.Null(DownloadableFile.Ett(series).Sha256);
        Assert.Equal("abc", DownloadableFile.Ett("ETTm1", "abc").Sha256);
        Assert.Throws<ArgumentException>(() => DownloadableFile.Ett("ETTh3"));

        var nietzsche = DownloadableFile.Nietzsche();
        Assert.Equal("https://s3.amazonaws.com/text-datasets/nietzsche.txt", nietzsche.Url.AbsoluteUri);
        Assert.Equal("769ce58bf021ed0fa86232eac03867ccd275181a94caafeef56b70b16ec741ff", nietzsche.Sha256);
    }

    [Fact]
    public void Two_urls_with_one_file_name_get_their_own_cache_folders()
    {
        var a = DownloadableFile.FromUrl("https://a.example/data/series.csv", null);
        var b = DownloadableFile.FromUrl("https://b.example/data/series.csv", null);

        Assert.Equal("series.csv", a.FileName);
        Assert.NotEqual(a.PathIn("/cache"), b.PathIn("/cache"));
        Assert.StartsWith("url-", a.Folder);
        Assert.Equal("download", DownloadableFile.FromUrl("https://a.example/", null).FileName);
    }
}
