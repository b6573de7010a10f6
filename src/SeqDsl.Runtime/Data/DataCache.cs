using System;
using System.IO;
using System.Net.Http;
using System.Security.Cryptography;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace SeqDsl.Runtime.Data;

/// <summary>
/// A file that a spec names by its source and that is downloaded once into the per-user cache, as Keras's
/// <c>get_file</c> does: the Jena archive, an ETT series, the Nietzsche corpus, or any <c>url:</c> of a csv or text source.
/// </summary>
/// <param name="Url">Where it is downloaded from: an http(s) URL, or a file URL whose file is copied.</param>
/// <param name="FileName">Its name in the cache directory (or in a folder of it, see <see cref="Folder"/>).</param>
/// <param name="Description">What it is, as messages name it ("the ETTh1 series").</param>
public sealed record DownloadableFile(Uri Url, string FileName, string Description)
{
    /// <summary>
    /// The expected SHA-256 (hex, any case) of what is downloaded; a mismatch deletes the download. Null: trust on first
    /// download (the hash is still recorded beside the file in <c>FileName + ".sha256"</c>).
    /// </summary>
    public string? Sha256 { get; init; }

    /// <summary>A folder of the cache directory that holds the file (null: the cache directory itself).</summary>
    public string? Folder { get; init; }

    /// <summary>
    /// A file given by <c>url:</c> alone: cached under <c>url-&lt;12 hex digits of the URL's SHA-256&gt;/&lt;last URL segment&gt;</c>, so
    /// two URLs with the same file name never share a cache entry.
    /// </summary>
    public static DownloadableFile FromUrl(string url, string? sha256)
    {
        var uri = new Uri(url, UriKind.Absolute);
        string name = Path.GetFileName(Uri.UnescapeDataString(uri.AbsolutePath));
        if (name.Length == 0 || name is "." or ".." || name.IndexOfAny(Path.GetInvalidFileNameChars()) >= 0)
            name = "download";
        string folder = "url-" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(uri.AbsoluteUri)))[..12];
        return new DownloadableFile(uri, name, name) { Sha256 = sha256, Folder = folder };
    }

    /// <summary>An ETT series (ETTh1, ETTh2, ETTm1, ETTm2); <paramref name="sha256"/>, when given, replaces the pinned hash.</summary>
    public static DownloadableFile Ett(string series, string? sha256 = null)
    {
        if (System.Array.IndexOf(PublicDataSets.EttSeries, series) < 0)
            throw new ArgumentException($"'{series}' is not an ETT series; the series are {string.Join(", ", PublicDataSets.EttSeries)}.", nameof(series));
        return new DownloadableFile(new Uri(PublicDataSets.EttUrl(series)), PublicDataSets.EttFileName(series), $"the {series} series")
        {
            Sha256 = sha256 ?? PublicDataSets.EttSha256(series),
        };
    }

    /// <summary>The lecture's Nietzsche corpus; <paramref name="sha256"/>, when given, replaces the pinned hash.</summary>
    public static DownloadableFile Nietzsche(string? sha256 = null) =>
        new(new Uri(PublicDataSets.NietzscheUrl), PublicDataSets.NietzscheFileName, "the Nietzsche corpus") { Sha256 = sha256 ?? PublicDataSets.NietzscheSha256 };

    /// <summary>Where the file lies in <paramref name="cacheDirectory"/>.</summary>
    public string PathIn(string cacheDirectory) =>
        Folder is null ? Path.Combine(Path.GetFullPath(cacheDirectory), FileName) : Path.Combine(Path.GetFullPath(cacheDirectory), Folder, FileName);
}

/// <summary>Where <see cref="DataCache"/> keeps its files and how it downloads them.</summary>
public sealed record DataCacheOptions
{
    /// <summary>The cache directory; created when missing.</summary>
    public string CacheDirectory { get; init; } = DataCache.DefaultDirectory;

    /// <summary>The HTTP handler to download with (tests inject a fake); null: a new <see cref="HttpClientHandler"/>. Not disposed.</summary>
    public HttpMessageHandler? Handler { get; init; }

    /// <summary>The limit for the whole download.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromMinutes(10);
}

/// <summary>
/// The per-user cache of downloaded data: each file is downloaded once, under a temporary name, checked against its
/// SHA-256 when one is pinned, and renamed into place, so a crash or a concurrent run never leaves a partial file.
/// A file already in the cache is used as is: users may put it there by hand (the error of a failed download says where).
/// </summary>
public static class DataCache
{
    /// <summary>
    /// <c>$SEQDSL_CACHE</c>, else <c>$XDG_CACHE_HOME/seqdsl</c>, else <c>~/.cache/seqdsl</c>
    /// (on Windows <c>%LOCALAPPDATA%\SeqDsl\cache</c>). Read from the environment on every call.
    /// </summary>
    public static string DefaultDirectory
    {
        get
        {
            string? explicitDirectory = Environment.GetEnvironmentVariable("SEQDSL_CACHE");
            if (!string.IsNullOrEmpty(explicitDirectory))
                return explicitDirectory;
            string? xdg = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
            if (!string.IsNullOrEmpty(xdg))
                return Path.Combine(xdg, "seqdsl");
            if (OperatingSystem.IsWindows())
                return Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData), "SeqDsl", "cache");
            return Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache", "seqdsl");
        }
    }

    /// <summary>
    /// Returns the path of the cached file, downloading it first when it is not there. Throws
    /// <see cref="DataSourceUnavailableException"/> when the download fails (naming the URL and where to put the file by
    /// hand) and <see cref="InvalidDataException"/> when a pinned hash does not match.
    /// </summary>
    public static string Ensure(DownloadableFile file, DataCacheOptions? options = null) =>
        // No synchronization context is captured below (ConfigureAwait(false)), so blocking here cannot deadlock.
        EnsureAsync(file, options).GetAwaiter().GetResult();

    /// <summary>Asynchronous <see cref="Ensure"/>.</summary>
    public static async Task<string> EnsureAsync(DownloadableFile file, DataCacheOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(file);
        options ??= new DataCacheOptions();
        string target = file.PathIn(options.CacheDirectory);
        if (File.Exists(target))
            return target;
        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        string temp = TemporaryPath(target);
        try
        {
            string hash = await DownloadAsync(file.Url, temp, file.Sha256, options,
                reason => Unavailable(file.Url, file.Description, target, reason, ""), cancellationToken).ConfigureAwait(false);
            File.WriteAllText(target + ".sha256", hash + "\n");
            File.Move(temp, target, overwrite: true);
            return target;
        }
        finally
        {
            TryDelete(temp);
        }
    }

    /// <summary>
    /// Downloads <paramref name="source"/> into <paramref name="destination"/> and returns its SHA-256 (lower-case hex),
    /// after checking it against <paramref name="expectedSha256"/> when one is given (a mismatch deletes the download).
    /// <paramref name="unavailable"/> turns the reason of a failed download into the exception to throw.
    /// </summary>
    internal static async Task<string> DownloadAsync(Uri source, string destination, string? expectedSha256, DataCacheOptions options,
        Func<(string Reason, Exception? Inner), DataSourceUnavailableException> unavailable, CancellationToken cancellationToken)
    {
        await FetchAsync(source, destination, options, unavailable, cancellationToken).ConfigureAwait(false);
        string actual = HashFile(destination);
        if (expectedSha256 is { } expected && !string.Equals(expected.Trim(), actual, StringComparison.OrdinalIgnoreCase))
        {
            TryDelete(destination);
            throw new InvalidDataException(
                $"The file from {source} has SHA-256 {actual}, but {expected.Trim().ToLowerInvariant()} was expected; it was deleted. " +
                "Check the URL or the expected hash.");
        }
        return actual;
    }

    private static async Task FetchAsync(Uri source, string destination, DataCacheOptions options,
        Func<(string Reason, Exception? Inner), DataSourceUnavailableException> unavailable, CancellationToken cancellationToken)
    {
        if (source.IsFile)
        {
            try
            {
                File.Copy(source.LocalPath, destination, overwrite: true);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw unavailable((e.Message, e));
            }
            return;
        }
        if (source.Scheme != Uri.UriSchemeHttp && source.Scheme != Uri.UriSchemeHttps)
            throw new ArgumentException($"Unsupported data source '{source}': use an http(s) or file URL.", nameof(source));

        // The handler belongs to the caller when injected; otherwise the client owns and disposes its own.
        using var client = options.Handler is { } handler
            ? new HttpClient(handler, disposeHandler: false)
            : new HttpClient();
        // One deadline for headers and body: HttpClient.Timeout alone would not cover reading a streamed body.
        client.Timeout = System.Threading.Timeout.InfiniteTimeSpan;
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(options.Timeout);
        try
        {
            using var response = await client.GetAsync(source, HttpCompletionOption.ResponseHeadersRead, deadline.Token).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
                throw unavailable(($"HTTP {(int)response.StatusCode} {response.ReasonPhrase}", null));
            var body = await response.Content.ReadAsStreamAsync(deadline.Token).ConfigureAwait(false);
            await using (body.ConfigureAwait(false))
            {
                var file = new FileStream(destination, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true);
                await using (file.ConfigureAwait(false))
                    await body.CopyToAsync(file, deadline.Token).ConfigureAwait(false);
            }
        }
        catch (HttpRequestException e)
        {
            throw unavailable((e.Message, e));
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw unavailable(($"no complete response within {options.Timeout}", e));
        }
        catch (IOException e) when (e is not DataSourceUnavailableException)
        {
            throw unavailable((e.Message, e));
        }
    }

    /// <summary>
    /// The error of a failed download: which URL failed and why, where to put the file by hand
    /// (<paramref name="expectedPath"/>, with <paramref name="howToObtain"/> such as " (unzipped from …)"), or to pass --data.
    /// </summary>
    internal static DataSourceUnavailableException Unavailable(Uri source, string description, string expectedPath, (string Reason, Exception? Inner) failure, string howToObtain)
    {
        string name = Path.GetFileName(expectedPath);
        return new DataSourceUnavailableException(source, expectedPath,
            $"Downloading {description} from {source} failed: {failure.Reason.TrimEnd('.')}. " +
            $"To use a copy obtained another way, put {name} at {expectedPath}{howToObtain}, or pass --data path/to/{name}.",
            failure.Inner);
    }

    /// <summary>A name beside <paramref name="path"/> that no other run picks, and that is never mistaken for the file.</summary>
    internal static string TemporaryPath(string path) => path + ".tmp-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6));

    internal static string HashFile(string path)
    {
        using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }

    internal static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Best effort: a leftover temporary file is harmless and never mistaken for the data.
        }
    }
}

/// <summary>
/// A data set could not be obtained (offline, HTTP error, unreadable file URL). The message names the URL, the reason and
/// where to put the file by hand.
/// </summary>
public sealed class DataSourceUnavailableException : IOException
{
    /// <summary>Creates the exception.</summary>
    public DataSourceUnavailableException(Uri source, string expectedPath, string message, Exception? innerException)
        : base(message, innerException)
    {
        Url = source;
        ExpectedPath = expectedPath;
    }

    /// <summary>The URL that failed.</summary>
    public Uri Url { get; }

    /// <summary>Where the data file is looked for; putting it there by hand skips the download.</summary>
    public string ExpectedPath { get; }
}
