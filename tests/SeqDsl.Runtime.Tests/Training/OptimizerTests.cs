using SeqDsl.Runtime.Training;
using TorchSharp.Modules;
using OptimizerOptions = SeqDsl.Runtime.Training.OptimizerOptions;   // TorchSharp.Modules has one too
using static TorchSharp.torch;

namespace SeqDsl.Runtime.Tests.Training;

public class OptimizerTests
{
    [Fact]
    public void Defaults_follow_keras()
    {
        Assert.Equal(0.001, new OptimizerOptions(OptimizerKind.RmsProp).EffectiveLearningRate);
        Assert.Equal(0.001, new OptimizerOptions(OptimizerKind.Adam).EffectiveLearningRate);
        Assert.Equal(0.01, new OptimizerOptions(OptimizerKind.Sgd).EffectiveLearningRate);
        Assert.Equal(0.2, new OptimizerOptions(OptimizerKind.Sgd) { LearningRate = 0.2 }.EffectiveLearningRate);

        using var weight = new Parameter(zeros(3));
        using var rmsprop = (RMSProp)Optimizers.Create(new[] { weight }, new OptimizerOptions(OptimizerKind.RmsProp));
        var rmsOptions = (RMSProp.Options)((ParamGroup)rmsprop.ParamGroups.Single()).Options;
        Assert.Equal(0.001, rmsOptions.LearningRate);
        Assert.Equal(0.9, rmsOptions.alpha);
        Assert.Equal(1e-7, rmsOptions.eps);
        Assert.Equal(0.0, rmsOptions.momentum);

        using var adam = (Adam)Optimizers.Create(new[] { weight }, new OptimizerOptions(OptimizerKind.Adam));
        var adamOptions = (Adam.Options)((ParamGroup)adam.ParamGroups.Single()).Options;
        Assert.Equal(0.001, adamOptions.LearningRate);
        Assert.Equal(0.9, adamOptions.beta1);
        Assert.Equal(0.999, adamOptions.beta2);
        Assert.Equal(1e-7, adamOptions.eps);

        using var sgd = Optimizers.Create(new[] { weight }, new OptimizerOptions(OptimizerKind.Sgd));
        Assert.IsAssignableFrom<SGD>(sgd);
        Assert.Equal(0.01, sgd.ParamGroups.Single().LearningRate);
    }

    [Fact]
    public void RmsProp_matches_the_keras_2_update_for_three_steps()
    {
        double[] start = { 0.5, -1.0, 2.0 }, center = { 1.0, 2.0, -1.0 };
        const double lr = 0.01, rho = 0.9, epsilon = 1e-7;

        // Keras 2.x: a = rho·a + (1 − rho)·g²; p −= lr·g / (√a + ε), a starting at 0.
        var expected = (double[])start.Clone();
        var accumulator = new double[3];
        for (var step = 0; step < 3; step++)
        {
            for (var i = 0; i < 3; i++)
            {
                var g = expected[i] - center[i];
                accumulator[i] = rho * accumulator[i] + (1 - rho) * g * g;
                expected[i] -= lr * g / (Math.Sqrt(accumulator[i]) + epsilon);
            }
        }

        var actual = RunQuadratic(start, center, new OptimizerOptions(OptimizerKind.RmsProp) { LearningRate = lr, Rho = rho, Epsilon = epsilon });
        for (var i = 0; i < 3; i++) Assert.True(Math.Abs(expected[i] - actual[i]) < 1e-6, $"weight {i}: keras {expected[i]}, torch {actual[i]}");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Sgd_momentum_matches_the_keras_velocity_form(bool nesterov)
    {
        double[] start = { 0.5, -1.0 }, center = { 1.0, 2.0 };
        const double lr = 0.05, momentum = 0.9;

        // Keras: v = m·v − lr·g; p += v (Nesterov: p += m·v − lr·g).
        var expected = (double[])start.Clone();
        var velocity = new double[2];
        for (var step = 0; step < 3; step++)
        {
            for (var i = 0; i < 2; i++)
            {
                var g = expected[i] - center[i];
                velocity[i] = momentum * velocity[i] - lr * g;
                expected[i] += nesterov ? momentum * velocity[i] - lr * g : velocity[i];
            }
        }

        var actual = RunQuadratic(start, center, new OptimizerOptions(OptimizerKind.Sgd) { LearningRate = lr, Momentum = momentum, Nesterov = nesterov });
        for (var i = 0; i < 2; i++) Assert.True(Math.Abs(expected[i] - actual[i]) < 1e-6, $"weight {i}: keras {expected[i]}, torch {actual[i]}");
    }

    [Fact]
    public void Nesterov_without_momentum_is_plain_sgd_as_in_keras()
    {
        var actual = RunQuadratic(new[] { 0.0 }, new[] { 1.0 }, new OptimizerOptions(OptimizerKind.Sgd) { LearningRate = 0.1, Nesterov = true });
        // Three steps of p −= 0.1·(p − 1) from 0: 1 − 0.9³.
        Assert.Equal(1 - Math.Pow(0.9, 3), actual[0], 6);
    }

    [Fact]
    public void Invalid_hyper_parameters_are_rejected()
    {
        using var weight = new Parameter(zeros(1));
        Assert.Throws<ArgumentOutOfRangeException>(() => Optimizers.Create(new[] { weight }, new OptimizerOptions(OptimizerKind.Adam) { LearningRate = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => Optimizers.Create(new[] { weight }, new OptimizerOptions(OptimizerKind.RmsProp) { Rho = 1.5 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => Optimizers.Create(new[] { weight }, new OptimizerOptions(OptimizerKind.Sgd) { Momentum = -1 }));
    }

    /// <summary>Three optimizer steps on ½‖p − c‖², whose gradient is p − c.</summary>
    private static double[] RunQuadratic(double[] start, double[] center, OptimizerOptions options)
    {
        using var weight = new Parameter(tensor(start.Select(v => (float)v).ToArray()));
        using var target = tensor(center.Select(v => (float)v).ToArray());
        using var optimizer = Optimizers.Create(new[] { weight }, options);
        for (var step = 0; step < 3; step++)
        {
            using var scope = NewDisposeScope();
            optimizer.zero_grad();
            var loss = (weight - target).square().sum() * 0.5;
            loss.backward();
            optimizer.step();
        }
        return weight.detach().data<float>().Select(v => (double)v).ToArray();
    }
}
