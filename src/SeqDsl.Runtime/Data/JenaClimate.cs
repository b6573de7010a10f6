using System;
using System.IO;
using System.IO.Compression;
using System.Linq;
using System.Net.Http;
using System.Security.Cryptography;
using System.Threading;
using System.Threading.Tasks;

namespace SeqDsl.Runtime.Data;

/// <summary>
/// The Jena climate data set (Max Planck Institute for Biogeochemistry weather station, 2009–2016, every 10 minutes),
/// as used by the Keras time-series examples: downloaded once into a cache directory, then loaded from there.
/// </summary>
public static class JenaClimate
{
    /// <summary>The archive the Keras examples download.</summary>
    public const string DefaultUrl = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/jena_climate_2009_2016.csv.zip";

    /// <summary>The CSV inside the archive, and its name in the cache directory.</summary>
    public const string CsvFileName = "jena_climate_2009_2016.csv";

    /// <summary>The archive's name; the cache keeps its SHA-256 in <c>ArchiveFileName + ".sha256"</c>.</summary>
    public const string ArchiveFileName = CsvFileName + ".zip";

    /// <summary>
    /// <c>$SEQDSL_CACHE</c>, else <c>$XDG_CACHE_HOME/seqdsl</c>, else <c>~/.cache/seqdsl</c>
    /// (on Windows <c>%LOCALAPPDATA%\SeqDsl\cache</c>). Read from the environment on every call.
    /// </summary>
    public static string DefaultCacheDirectory
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
    /// Returns the path of the cached CSV, downloading and extracting the archive first when the CSV is not there.
    /// Throws <see cref="DataSourceUnavailableException"/> when the download fails, saying where to put the file by hand.
    /// </summary>
    public static string EnsureAvailable(JenaClimateOptions? options = null) =>
        // No synchronization context is captured below (ConfigureAwait(false)), so blocking here cannot deadlock.
        EnsureAvailableAsync(options).GetAwaiter().GetResult();

    /// <summary>Asynchronous <see cref="EnsureAvailable"/>.</summary>
    public static async Task<string> EnsureAvailableAsync(JenaClimateOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new JenaClimateOptions();
        string cache = Path.GetFullPath(options.CacheDirectory);
        string csv = Path.Combine(cache, CsvFileName);
        // A CSV in the cache is trusted as is: users may have placed it there by hand.
        if (File.Exists(csv))
            return csv;

        Directory.CreateDirectory(cache);
        string tempArchive = Path.Combine(cache, ArchiveFileName + ".tmp-" + RandomSuffix());
        string? tempCsv = null;
        try
        {
            await FetchAsync(options, tempArchive, csv, cancellationToken).ConfigureAwait(false);

            string actual = HashFile(tempArchive);
            if (options.Sha256 is { } expected && !string.Equals(expected.Trim(), actual, StringComparison.OrdinalIgnoreCase))
                throw new InvalidDataException(
                    $"The archive from {options.Source} has SHA-256 {actual}, but {expected.Trim().ToLowerInvariant()} was expected; it was deleted. " +
                    "Check the URL or the expected hash.");
            File.WriteAllText(Path.Combine(cache, ArchiveFileName + ".sha256"), actual + "\n");

            // Extract under a temporary name and rename: a crash or a concurrent run never leaves a partial CSV behind.
            tempCsv = csv + ".tmp-" + RandomSuffix();
            Extract(tempArchive, tempCsv, options.Source);
            File.Move(tempCsv, csv, overwrite: true);
            tempCsv = null;
            return csv;
        }
        finally
        {
            TryDelete(tempArchive);
            if (tempCsv is not null)
                TryDelete(tempCsv);
        }
    }

    /// <summary>
    /// <see cref="EnsureAvailable"/>, then <see cref="CsvSource.Load"/> with the "Date Time" column as timestamps, rows in
    /// file order (<see cref="TimeOrderPolicy.AsIs"/>): the published series exactly as the lecture reads it.
    /// </summary>
    public static TimeSeriesFrame Load(JenaClimateOptions? options = null) =>
        CsvSource.Load(EnsureAvailable(options), new CsvOptions { DateColumn = "Date Time", TimeOrder = TimeOrderPolicy.AsIs });

    private static async Task FetchAsync(JenaClimateOptions options, string destination, string csv, CancellationToken cancellationToken)
    {
        var source = options.Source;
        if (source.IsFile)
        {
            try
            {
                File.Copy(source.LocalPath, destination, overwrite: true);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw Unavailable(source, csv, e.Message, e);
            }
            return;
        }
        if (source.Scheme != Uri.UriSchemeHttp && source.Scheme != Uri.UriSchemeHttps)
            throw new ArgumentException($"Unsupported data source '{source}': use an http(s) or file URL.", nameof(options));

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
                throw Unavailable(source, csv, $"HTTP {(int)response.StatusCode} {response.ReasonPhrase}", null);
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
            throw Unavailable(source, csv, e.Message, e);
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw Unavailable(source, csv, $"no complete response within {options.Timeout}", e);
        }
        catch (IOException e) when (e is not DataSourceUnavailableException)
        {
            throw Unavailable(source, csv, e.Message, e);
        }
    }

    private static DataSourceUnavailableException Unavailable(Uri source, string csv, string reason, Exception? inner) =>
        new(source, csv,
            $"Downloading the Jena climate data from {source} failed: {reason.TrimEnd('.')}. " +
            $"To use a copy obtained another way, put {CsvFileName} at {csv} " +
            $"(unzipped from {DefaultUrl}), or pass --data path/to/{CsvFileName}.",
            inner);

    private static void Extract(string archivePath, string destination, Uri source)
    {
        ZipArchive archive;
        try
        {
            archive = ZipFile.OpenRead(archivePath);
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException($"The file from {source} is not a zip archive: {e.Message}", e);
        }
        using (archive)
        {
            // macOS archives add "__MACOSX/._name" entries; the real CSV is the one with exactly the expected name.
            var entry = archive.Entries.FirstOrDefault(e => e.Name.Equals(CsvFileName, StringComparison.OrdinalIgnoreCase));
            if (entry is null)
                throw new InvalidDataException(
                    $"The archive from {source} does not contain {CsvFileName}; it holds: " +
                    string.Join(", ", archive.Entries.Select(e => e.FullName)) + ".");
            entry.ExtractToFile(destination, overwrite: true);
        }
    }

    private static string HashFile(string path)
    {
        using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }

    private static string RandomSuffix() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6));

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Best effort: a leftover temporary file is harmless and never mistaken for the CSV.
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
