using static TorchSharp.torch;

namespace SeqDsl.Runtime.Tests.Models;

/// <summary>The vector check of models that read one vector per sample (an episodes task's summary and first_last representations).</summary>
public class InputGuardTests
{
    [Fact]
    public void A_batch_of_vectors_of_the_right_width_passes()
        => InputGuard.CheckVectors(randn(4, 112), "Icu", 112);

    [Theory]
    [InlineData(new long[] { 4, 111 }, "(4, 111) float32")]
    [InlineData(new long[] { 4, 10, 112 }, "(4, 10, 112) float32")]
    [InlineData(new long[] { 112 }, "(112) float32")]
    public void Another_shape_is_named_with_the_expected_one(long[] shape, string received)
    {
        var error = Assert.Throws<ArgumentException>(() => InputGuard.CheckVectors(randn(shape), "Icu", 112));
        Assert.StartsWith($"Model 'Icu' expects input (batch, 112) float32; received {received}.", error.Message);
    }

    [Fact]
    public void Integer_input_is_refused()
        => Assert.Throws<ArgumentException>(() => InputGuard.CheckVectors(zeros(new long[] { 4, 112 }, dtype: int64), "Icu", 112));
}
