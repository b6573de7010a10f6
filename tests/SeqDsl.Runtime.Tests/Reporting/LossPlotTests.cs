using System.Buffers.Binary;
using SeqDsl.Runtime.Reporting;
using SeqDsl.Runtime.Training;

namespace SeqDsl.Runtime.Tests.Reporting;

public sealed class LossPlotTests : IDisposable
{
    private static readonly byte[] PngSignature = [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A];

    private readonly string _directory = Directory.CreateTempSubdirectory("seqdsl-lossplot-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private static TrainingHistory History(int epochs, bool validation)
    {
        var history = new TrainingHistory();
        for (int epoch = 1; epoch <= epochs; epoch++)
        {
            double loss = 0.25 + 0.3 / epoch;
            double? val = validation ? 0.27 + 0.15 / epoch + 0.004 * epoch : null;
            history.Epochs.Add(new EpochRecord(epoch, loss, val, val, null, 0.001, 30));
        }
        return history;
    }

    private static void AssertPng800x500(string path)
    {
        byte[] png = File.ReadAllBytes(path);
        Assert.True(png.Length > 1000, $"{png.Length} bytes");
        Assert.Equal(PngSignature, png[..8]);
        // The first chunk is IHDR: length (4), type (4), then width and height as big-endian 32-bit integers.
        Assert.Equal("IHDR", System.Text.Encoding.ASCII.GetString(png, 12, 4));
        Assert.Equal(800, BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(16, 4)));
        Assert.Equal(500, BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(20, 4)));
    }

    private void AssertOnlyFile(string name)
        => Assert.Equal([name], Directory.GetFiles(_directory).Select(f => Path.GetFileName(f)!).ToArray());

    [Fact]
    public void Writes_an_800_by_500_png_with_a_baseline()
    {
        string path = Path.Combine(_directory, "loss.png");
        LossPlot.Write(History(20, validation: true), path, "Training and validation loss", baseline: 0.29);

        AssertPng800x500(path);
        AssertOnlyFile("loss.png");
    }

    [Fact]
    public void Works_without_validation()
    {
        string path = Path.Combine(_directory, "loss.png");
        LossPlot.Write(History(5, validation: false), path, "Training loss");

        AssertPng800x500(path);
    }

    [Fact]
    public void Works_with_one_epoch()
    {
        string path = Path.Combine(_directory, "loss.png");
        LossPlot.Write(History(1, validation: true), path, "One epoch", baseline: 0.5, baselineLabel: "naive MAE");

        AssertPng800x500(path);
    }

    [Fact]
    public void Replaces_an_existing_file_and_leaves_no_temp_files()
    {
        string path = Path.Combine(_directory, "loss.png");
        File.WriteAllText(path, "old");
        LossPlot.Write(History(3, validation: true), path, "Again");

        AssertPng800x500(path);
        AssertOnlyFile("loss.png");
    }

    [Fact]
    public void Skips_non_finite_losses_of_a_diverged_run()
    {
        var history = History(4, validation: true);
        history.Epochs.Add(new EpochRecord(5, double.NaN, double.PositiveInfinity, null, null, 0.001, 30));
        string path = Path.Combine(_directory, "loss.png");
        LossPlot.Write(history, path, "Diverged");

        AssertPng800x500(path);
    }
}
