using SeqDsl.Runtime.Data;
using static TorchSharp.torch;

namespace SeqDsl.Runtime.Tests.Data;

public class SourcesTimeSeriesFrameTests
{
    private static readonly DateTime Start = new(2020, 1, 1);

    private static TimeSeriesFrame Frame() =>
        new(new[] { "a", "b", "c" },
            new float[] { 0, 1, 2, 10, 11, 12, 20, 21, 22, 30, 31, 32 },
            Enumerable.Range(0, 4).Select(i => Start.AddHours(i)).ToArray(),
            "frame.csv");

    [Fact]
    public void Shape_and_indexer()
    {
        var frame = Frame();
        Assert.Equal(4, frame.Rows);
        Assert.Equal(3, frame.ColumnCount);
        Assert.Equal(21f, frame[2, 1]);
        Assert.Equal(1, frame.IndexOf("b"));
        Assert.Throws<ArgumentOutOfRangeException>(() => frame[4, 0]);
        Assert.Throws<ArgumentOutOfRangeException>(() => frame[0, 3]);
    }

    [Fact]
    public void IndexOf_names_the_column_the_source_and_the_available_columns()
    {
        var error = Assert.Throws<ArgumentException>(() => Frame().IndexOf("T (degC)"));
        Assert.Contains("'T (degC)'", error.Message);
        Assert.Contains("frame.csv", error.Message);
        Assert.Contains("'a', 'b', 'c'", error.Message);
    }

    [Fact]
    public void Select_keeps_rows_and_orders_columns_as_asked()
    {
        var selected = Frame().Select(new[] { "c", "a" });
        Assert.Equal(new[] { "c", "a" }, selected.Columns);
        Assert.Equal(new float[] { 2, 0, 12, 10, 22, 20, 32, 30 }, selected.Values);
        Assert.Equal(Frame().Timestamps, selected.Timestamps);
        Assert.Equal("frame.csv", selected.SourceName);
        Assert.Throws<ArgumentException>(() => Frame().Select(new[] { "a", "nope" }));
    }

    [Fact]
    public void Slice_copies_a_row_range_with_its_timestamps()
    {
        var slice = Frame().Slice(1, 3);
        Assert.Equal(2, slice.Rows);
        Assert.Equal(new float[] { 10, 11, 12, 20, 21, 22 }, slice.Values);
        Assert.Equal(new[] { Start.AddHours(1), Start.AddHours(2) }, slice.Timestamps);
        Assert.Equal(0, Frame().Slice(2, 2).Rows);
        Assert.Throws<ArgumentOutOfRangeException>(() => Frame().Slice(3, 2));
        Assert.Throws<ArgumentOutOfRangeException>(() => Frame().Slice(0, 5));
    }

    [Fact]
    public void ToTensor_is_rows_by_columns_float32_with_the_values()
    {
        using var scope = NewDisposeScope();
        var frame = Frame();
        var tensor = frame.ToTensor();
        Assert.Equal(new long[] { 4, 3 }, tensor.shape);
        Assert.Equal(ScalarType.Float32, tensor.dtype);
        Assert.Equal(frame.Values, tensor.data<float>().ToArray());
        Assert.Equal(31f, tensor[3, 1].item<float>());
    }

    [Fact]
    public void Constructor_checks_that_values_fill_whole_rows()
    {
        Assert.Throws<ArgumentException>(() => new TimeSeriesFrame(new[] { "a", "b" }, new float[3], null, "x"));
        Assert.Throws<ArgumentException>(() => new TimeSeriesFrame(new[] { "a" }, new float[3], new DateTime[2], "x"));
        Assert.Throws<ArgumentException>(() => new TimeSeriesFrame(Array.Empty<string>(), Array.Empty<float>(), null, "x"));
    }
}
