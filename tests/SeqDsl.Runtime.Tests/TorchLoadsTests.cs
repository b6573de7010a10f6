using TorchSharp;

namespace SeqDsl.Runtime.Tests;

public class TorchLoadsTests
{
    [Fact]
    public void A_tensor_operation_runs_on_the_cpu()
    {
        using var a = torch.arange(6, dtype: torch.float32).reshape(2, 3);
        using var product = a.matmul(a.T);
        Assert.Equal(new long[] { 2, 2 }, product.shape);
        Assert.Equal(5f, product[0, 0].item<float>());
        Assert.Equal(50f, product[1, 1].item<float>());
    }
}
