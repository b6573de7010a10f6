using System.Globalization;
using System.IO.Compression;
using System.Text;
using SeqDsl.Runtime.Data;

namespace SeqDsl.Runtime.Tests.Data;

/// <summary>A temporary directory deleted on dispose, so tests never touch the real cache or each other's files.</summary>
internal sealed class TempDirectory : IDisposable
{
    public TempDirectory()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "seqdsl-tests-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public string Write(string name, string text)
    {
        string path = File(name);
        System.IO.File.WriteAllText(path, text);
        return path;
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

/// <summary>Writes frames in the Jena CSV format: quoted header, "dd.MM.yyyy HH:mm:ss" dates, two decimals.</summary>
internal static class SourcesTestFiles
{
    public static string JenaCsv(TimeSeriesFrame frame)
    {
        var text = new StringBuilder(frame.Rows * 100);
        text.Append("\"Date Time\"");
        foreach (var column in frame.Columns)
            text.Append(",\"").Append(column).Append('"');
        text.Append('\n');
        for (int r = 0; r < frame.Rows; r++)
        {
            text.Append(frame.Timestamps![r].ToString("dd.MM.yyyy HH:mm:ss", CultureInfo.InvariantCulture));
            for (int c = 0; c < frame.ColumnCount; c++)
                // Via double: float custom formats round to 7 digits first, then again to 2 decimals.
                text.Append(',').Append(((double)frame[r, c]).ToString("0.00", CultureInfo.InvariantCulture));
            text.Append('\n');
        }
        return text.ToString();
    }

    /// <summary>A zip like the real archive: the CSV plus a macOS metadata entry that must be ignored.</summary>
    public static byte[] JenaZip(string csv)
    {
        using var memory = new MemoryStream();
        using (var zip = new ZipArchive(memory, ZipArchiveMode.Create, leaveOpen: true))
        {
            using (var writer = new StreamWriter(zip.CreateEntry("__MACOSX/._" + JenaClimate.CsvFileName).Open()))
                writer.Write("not the csv");
            using (var writer = new StreamWriter(zip.CreateEntry(JenaClimate.CsvFileName).Open()))
                writer.Write(csv);
        }
        return memory.ToArray();
    }
}

/// <summary>Answers requests without a network and counts them.</summary>
internal sealed class FakeHandler(Func<HttpRequestMessage, HttpResponseMessage> respond) : HttpMessageHandler
{
    public int Calls { get; private set; }

    public Uri? LastRequest { get; private set; }

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        Calls++;
        LastRequest = request.RequestUri;
        return Task.FromResult(respond(request));
    }
}
