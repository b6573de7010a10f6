using SeqDsl.Runtime.Experiments;
using SeqDsl.Runtime.Layers;

namespace SeqDsl.Runtime.Tests.Models;

/// <summary>A layer too large for the machine ends in a message naming it, not in a native stack trace.</summary>
public class LayerAllocationTests
{
    private static LayerSummary Summary(string name, long parameters)
        => new(name, "Dense", new long?[] { null, 1 }, parameters, parameters, "dense: { units: 1 }", 7);

    [Fact]
    public void Weights_larger_than_the_memory_are_refused_before_any_allocation()
    {
        var layers = new[] { Summary("small", 10), Summary("huge", 1L << 60) };

        var error = Assert.Throws<ExperimentException>(() => LayerAllocation.EnsureFits("Big", layers));

        Assert.Contains("Model 'Big'", error.Message);
        Assert.Contains("largest layer is 'huge' (Dense, 1,152,921,504,606,846,976 parameters)", error.Message);
    }

    [Fact]
    public void Weights_that_fit_pass()
        => LayerAllocation.EnsureFits("Small", new[] { Summary("small", 10) });

    [Fact]
    public void A_failed_native_allocation_names_the_layer_and_its_size()
    {
        var error = Assert.Throws<ExperimentException>(() => LayerAllocation.Create<Dense>(Summary("head", 1_000_000),
            () => throw new System.Runtime.InteropServices.ExternalException("DefaultCPUAllocator: not enough memory\n  at native frames")));

        Assert.Equal("Layer 'head' (Dense, 1,000,000 parameters, 3.8 MB as float32) could not be allocated: DefaultCPUAllocator: not enough memory", error.Message);
    }

    [Fact]
    public void A_real_allocation_beyond_any_memory_is_reported_for_its_layer()
    {
        // 2^31 - 1 units over 2^31 - 1 inputs: 4.6·10^18 weights, which libtorch refuses to allocate.
        var error = Assert.Throws<ExperimentException>(() => LayerAllocation.Create(Summary("wide", long.MaxValue / 2),
            () => new Dense("wide", int.MaxValue, new DenseOptions(int.MaxValue))));

        Assert.StartsWith("Layer 'wide' (Dense, ", error.Message);
    }
}
