using SeqDsl.Runtime.Layers;
using TorchSharp;
using static TorchSharp.torch;

namespace SeqDsl.Runtime.Tests.Layers;

/// <summary>Channel independence: one shared model on every column, as if each column were forecast alone.</summary>
public class ChannelIndependentTests
{
    /// <summary>A per-channel model of the kind a spec builds: flatten, dense with a nonlinearity, dense to the horizon.</summary>
    private static nn.Module<Tensor, Tensor> PerChannelModel()
        => nn.Sequential(("flatten", new Flatten("flatten_1")), ("dense_1", new Dense("dense_1", 12, new DenseOptions(5) { Activation = Activation.Tanh })),
            ("dense_2", new Dense("dense_2", 5, new DenseOptions(3))));

    [Fact]
    public void Each_channel_gets_the_models_forecast_of_that_channel_alone()
    {
        using var scope = NewDisposeScope();
        manual_seed(3);
        var model = PerChannelModel();
        var input = randn(4, 12, 5); // (batch 4, time 12, 5 channels)

        var wrapped = new ChannelIndependent("channels", model);
        var output = wrapped.forward(input);

        Assert.Equal(new long[] { 4, 3, 5 }, output.shape);
        for (int c = 0; c < 5; c++)
        {
            // The channel alone, (4, 12, 1), through the same model.
            var alone = model.call(input.narrow(2, c, 1));
            // The same products row by row; a batch of 20 rows instead of 4 may let BLAS block the sums differently,
            // which moves float32 results by a few ulps at most (values here are below 10): 1e-6 absolute.
            TensorAssert.Close(alone, output.select(2, c), atol: 1e-6);
        }
    }

    [Fact]
    public void Apply_with_a_function_equals_the_module()
    {
        using var scope = NewDisposeScope();
        manual_seed(5);
        var model = PerChannelModel();
        var input = randn(3, 12, 2);
        var expected = new ChannelIndependent("channels", model).forward(input);
        var actual = ChannelIndependent.Apply(input, model.call);
        Assert.Equal(expected.data<float>().ToArray(), actual.data<float>().ToArray());
    }

    [Fact]
    public void The_wrapper_adds_no_parameters_and_gradients_reach_the_shared_weights()
    {
        using var scope = NewDisposeScope();
        var model = PerChannelModel();
        var wrapped = new ChannelIndependent("channels", model);
        Assert.Equal(model.parameters().Sum(p => p.numel()), wrapped.parameters().Sum(p => p.numel()));

        var loss = wrapped.forward(randn(2, 12, 4)).square().mean();
        loss.backward();
        Assert.All(model.parameters(), p => Assert.True(p.grad is not null && p.grad.abs().sum().item<float>() > 0));
    }

    [Fact]
    public void A_model_that_does_not_return_one_vector_per_series_is_named()
    {
        using var scope = NewDisposeScope();
        var error = Assert.Throws<ArgumentException>(() => ChannelIndependent.Apply(randn(2, 12, 3), x => x));
        Assert.Contains("one vector per series (6, horizon)", error.Message);
        Assert.Throws<ArgumentException>(() => ChannelIndependent.Apply(randn(2, 12), x => x));
    }
}
