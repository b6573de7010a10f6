using SeqDsl.Runtime.Training;
using static TorchSharp.torch;

namespace SeqDsl.Runtime.Tests.Training;

public class TorchSetupTests
{
    [Fact]
    public void Flushing_denormals_turns_them_into_zero()
    {
        if (!OperatingSystem.IsLinux()) return;   // the P/Invoke targets libtorch_cpu.so's Itanium-mangled symbols
        try
        {
            using var denormal = tensor(1e-40f);

            Assert.True(TorchSetup.FlushDenormals(true));
            using (var flushed = denormal * 1)
                Assert.Equal(0f, flushed.item<float>());

            Assert.True(TorchSetup.FlushDenormals(false));
            using (var kept = denormal * 1)
                Assert.Equal(1e-40f, kept.item<float>());
        }
        finally
        {
            TorchSetup.FlushDenormals(true);
        }
    }

    [Fact]
    public void Configure_validates_the_thread_count()
    {
        TorchSetup.Configure(get_num_threads());
        Assert.Throws<ArgumentOutOfRangeException>(() => TorchSetup.Configure(0));
    }
}
