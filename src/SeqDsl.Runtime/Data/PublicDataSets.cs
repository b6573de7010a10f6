namespace SeqDsl.Runtime.Data;

/// <summary>
/// The downloadable data sets a spec names by source (<c>source: ett</c>, <c>corpus: nietzsche</c>): their URLs, file
/// names, columns and pinned SHA-256 hashes.
/// </summary>
/// <remarks>
/// Plain C# without dependencies: the runtime compiles it to download the files, and the generator links it to check a
/// spec's <c>series</c>, <c>columns</c> and <c>target</c> against the series' columns at build time.
/// A hash is pinned only where it was verified against the real file; the other files are trusted on first download
/// (their hash is recorded in the cache beside them, <c>&lt;file&gt;.sha256</c>), unless the spec's <c>sha256:</c> pins one.
/// </remarks>
internal static class PublicDataSets
{
    /// <summary>The Electricity Transformer Temperature series (Zhou et al., Informer, AAAI 2021): two hourly and two 15-minute series.</summary>
    public static readonly string[] EttSeries = { "ETTh1", "ETTh2", "ETTm1", "ETTm2" };

    /// <summary>The series <c>source: ett</c> reads when the spec gives no <c>series</c>.</summary>
    public const string DefaultEttSeries = "ETTh1";

    /// <summary>The timestamp column of every ETT series.</summary>
    public const string EttDateColumn = "date";

    /// <summary>The value columns of every ETT series, in file order: six power loads and the oil temperature (OT).</summary>
    public static readonly string[] EttColumns = { "HUFL", "HULL", "MUFL", "MULL", "LUFL", "LULL", "OT" };

    /// <summary>Where an ETT series is downloaded from (the data set's own repository).</summary>
    public static string EttUrl(string series) => "https://raw.githubusercontent.com/zhouhaoyi/ETDataset/main/ETT-small/" + EttFileName(series);

    /// <summary>The series' file name, in the repository and in the cache.</summary>
    public static string EttFileName(string series) => series + ".csv";

    /// <summary>The SHA-256 of an ETT series where it was verified against the published file; null: trusted on first download.</summary>
    public static string? EttSha256(string series) => series switch
    {
        "ETTh1" => "f18de3ad269cef59bb07b5438d79bb3042d3be49bdeecf01c1cd6d29695ee066",
        _ => null,
    };

    /// <summary>The <c>corpus</c> word of the lecture's Nietzsche text.</summary>
    public const string NietzscheCorpus = "nietzsche";

    /// <summary>The lecture's Nietzsche corpus, as Keras's text-generation example downloads it.</summary>
    public const string NietzscheUrl = "https://s3.amazonaws.com/text-datasets/nietzsche.txt";

    /// <summary>Its file name in the cache.</summary>
    public const string NietzscheFileName = "nietzsche.txt";

    /// <summary>Its SHA-256 (600,902 bytes).</summary>
    public const string NietzscheSha256 = "769ce58bf021ed0fa86232eac03867ccd275181a94caafeef56b70b16ec741ff";

    /// <summary>The <c>corpus</c> word of the built-in text.</summary>
    public const string EmbeddedCorpus = "embedded";
}
