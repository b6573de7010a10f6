using System.Runtime.Intrinsics.X86;
using SeqDsl.Runtime.Training;
using static TorchSharp.torch;

namespace SeqDsl.Runtime.Tests.Training;

public sealed class MklDispatchTests
{
    private static bool AmdWithAvx2 =>
        OperatingSystem.IsLinux() && MklDispatch.CpuVendor() == "AuthenticAMD" && Avx2.IsSupported && Fma.IsSupported;

    [Fact]
    public void Amd_cpus_with_avx2_get_the_vector_kernels_and_others_keep_mkls_own_choice()
    {
        bool enabled = MklDispatch.Apply();
        Assert.Equal(AmdWithAvx2, enabled);
        Assert.StartsWith(enabled ? "MKL: vector kernels enabled" : "MKL: its own dispatch", MklDispatch.Status);
        Assert.Equal(enabled, MklDispatch.Apply());
        if (X86Base.IsSupported) Assert.Equal(12, MklDispatch.CpuVendor().Length);
    }

    [Fact]
    public void The_environment_variable_keeps_mkls_own_choice()
    {
        var (enabled, said) = MklDispatch.Decide("vendor");
        Assert.False(enabled);
        Assert.StartsWith("MKL: its own dispatch", said);
        if (AmdWithAvx2) Assert.Contains($"{MklDispatch.EnvironmentVariable}=vendor", said);
    }

    [Fact]
    public void Matrix_products_stay_exact_after_the_dispatch_is_applied()
    {
        MklDispatch.Apply();
        var random = new Random(4);
        const int m = 67, k = 131, n = 45;
        float[] a = Enumerable.Range(0, m * k).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
        float[] b = Enumerable.Range(0, k * n).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
        using var product = tensor(a, new long[] { m, k }).matmul(tensor(b, new long[] { k, n }));
        float[] actual = product.data<float>().ToArray();
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++)
            {
                double expected = 0;
                for (int t = 0; t < k; t++) expected += (double)a[i * k + t] * b[t * n + j];
                // 131 float32 products of values in [-1, 1]: rounding stays below 1e-5; a wrong kernel is off by O(1).
                Assert.True(Math.Abs(actual[i * n + j] - expected) <= 1e-4,
                    $"MKL's product ({MklDispatch.Status}) at ({i}, {j}) is {actual[i * n + j]}, the sum written out in double is {expected}");
            }
    }
}
