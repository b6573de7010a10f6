using System;
using System.IO;
using System.IO.Compression;
using System.Linq;
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

    /// <summary>The per-user cache directory (<see cref="DataCache.DefaultDirectory"/>).</summary>
    public static string DefaultCacheDirectory => DataCache.DefaultDirectory;

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
        string tempArchive = DataCache.TemporaryPath(Path.Combine(cache, ArchiveFileName));
        string? tempCsv = null;
        try
        {
            var download = new DataCacheOptions { CacheDirectory = cache, Handler = options.Handler, Timeout = options.Timeout };
            string actual = await DataCache.DownloadAsync(options.Source, tempArchive, options.Sha256, download,
                failure => DataCache.Unavailable(options.Source, "the Jena climate data", csv, failure, $" (unzipped from {DefaultUrl})"),
                cancellationToken).ConfigureAwait(false);
            File.WriteAllText(Path.Combine(cache, ArchiveFileName + ".sha256"), actual + "\n");

            // Extract under a temporary name and rename: a crash or a concurrent run never leaves a partial CSV behind.
            tempCsv = DataCache.TemporaryPath(csv);
            Extract(tempArchive, tempCsv, options.Source);
            File.Move(tempCsv, csv, overwrite: true);
            tempCsv = null;
            return csv;
        }
        finally
        {
            DataCache.TryDelete(tempArchive);
            if (tempCsv is not null)
                DataCache.TryDelete(tempCsv);
        }
    }

    /// <summary>
    /// <see cref="EnsureAvailable"/>, then <see cref="CsvSource.Load"/> with the "Date Time" column as timestamps, rows in
    /// file order (<see cref="TimeOrderPolicy.AsIs"/>): the published series exactly as the lecture reads it.
    /// </summary>
    public static TimeSeriesFrame Load(JenaClimateOptions? options = null) =>
        CsvSource.Load(EnsureAvailable(options), new CsvOptions { DateColumn = "Date Time", TimeOrder = TimeOrderPolicy.AsIs });

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
}
