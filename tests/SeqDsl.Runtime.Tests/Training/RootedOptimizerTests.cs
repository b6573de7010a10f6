using SeqDsl.Runtime.Tests.Layers;
using SeqDsl.Runtime.Training;
using TorchSharp;
using TorchSharp.Modules;
using OptimizerOptions = SeqDsl.Runtime.Training.OptimizerOptions;   // TorchSharp.Modules has one too
using static TorchSharp.torch;

namespace SeqDsl.Runtime.Tests.Training;

/// <summary>
/// <see cref="Optimizers.Create"/>'s optimizers hold every number they pass to libtorch in a rooted scalar. Their updates
/// must stay TorchSharp's own, bit for bit (same thread, same operations in the same order), their state must load
/// where TorchSharp's loads, and their results must not change while another thread collects garbage.
/// </summary>
// The models' weights come from torch's global generator, which tests running beside these would draw from too.
[Collection(TorchGeneratorCollection.Name)]
public class RootedOptimizerTests
{
    private const int Steps = 25;

    private static readonly OptimizerOptions[] s_configurations =
    {
        new OptimizerOptions(OptimizerKind.RmsProp),
        new OptimizerOptions(OptimizerKind.RmsProp) { LearningRate = 0.01, Rho = 0.8, Momentum = 0.9 },
        new OptimizerOptions(OptimizerKind.Adam),
        new OptimizerOptions(OptimizerKind.Adam) { LearningRate = 0.01, Beta1 = 0.8, Beta2 = 0.99, Epsilon = 1e-5 },
        new OptimizerOptions(OptimizerKind.Sgd),
        new OptimizerOptions(OptimizerKind.Sgd) { Momentum = 0.9 },
        new OptimizerOptions(OptimizerKind.Sgd) { Momentum = 0.9, Nesterov = true },
    };

    public static TheoryData<OptimizerOptions> Configurations() => new(s_configurations);

    [Theory]
    [MemberData(nameof(Configurations))]
    public void Each_step_is_torchsharps_own_update_bit_for_bit(OptimizerOptions options)
    {
        var reference = Train(parameters => TorchSharpOptimizer(parameters, options));
        var rooted = Train(parameters => Optimizers.Create(parameters, options));
        Assert.Equal(reference, rooted);
    }

    [Fact]
    public void The_state_of_a_rooted_optimizer_loads_into_torchsharps_and_continues_identically()
    {
        var options = new OptimizerOptions(OptimizerKind.Adam) { LearningRate = 0.01 };
        var straight = Train(parameters => Optimizers.Create(parameters, options));
        var handedOver = Train(parameters => Optimizers.Create(parameters, options), handOver: parameters => TorchSharpOptimizer(parameters, options));
        Assert.Equal(straight, handedOver);
    }

    [Fact]
    public void Updates_are_unchanged_while_another_thread_collects_garbage()
    {
        var configurations = s_configurations;
        var quiet = configurations.Select(o => Train(parameters => Optimizers.Create(parameters, o))).ToArray();
        using var collector = new BackgroundCollector();
        // A scalar freed under libtorch throws ("Expected false to be true") or updates with whatever replaced it.
        for (var round = 0; round < 8; round++)
            for (var c = 0; c < configurations.Length; c++)
                Assert.Equal(quiet[c], Train(parameters => Optimizers.Create(parameters, configurations[c])));
    }

    private static torch.optim.Optimizer TorchSharpOptimizer(IEnumerable<Parameter> parameters, OptimizerOptions options) => options.Kind switch
    {
        OptimizerKind.RmsProp => torch.optim.RMSProp(parameters, lr: options.EffectiveLearningRate, alpha: options.Rho, eps: options.Epsilon, momentum: options.Momentum),
        OptimizerKind.Adam => torch.optim.Adam(parameters, lr: options.EffectiveLearningRate, beta1: options.Beta1, beta2: options.Beta2, eps: options.Epsilon),
        _ => torch.optim.SGD(parameters, options.EffectiveLearningRate, momentum: options.Momentum, nesterov: options.Nesterov),
    };

    /// <summary>
    /// <see cref="Steps"/> steps of a small two-layer regression from a fixed start, the learning rate halved half-way
    /// (as a decay would); with <paramref name="handOver"/>, the optimizer's state is saved half-way and loaded into
    /// that one, which takes the remaining steps. The parameters at the end, flattened.
    /// </summary>
    private static float[] Train(Func<IEnumerable<Parameter>, torch.optim.Optimizer> create,
                                 Func<IEnumerable<Parameter>, torch.optim.Optimizer>? handOver = null)
    {
        using var scope = NewDisposeScope();
        manual_seed(11);
        var model = nn.Sequential(nn.Linear(6, 8), nn.Tanh(), nn.Linear(8, 2));
        var x = randn(16, 6);
        var y = randn(16, 2);
        var parameters = model.parameters().ToArray();
        var optimizer = create(parameters);
        for (var step = 0; step < Steps; step++)
        {
            if (step == Steps / 2)
            {
                if (handOver is not null)
                {
                    using var saved = new MemoryStream();
                    ((OptimizerHelper)optimizer).save_state_dict(new BinaryWriter(saved));
                    optimizer.Dispose();
                    optimizer = handOver(parameters);
                    saved.Position = 0;
                    ((OptimizerHelper)optimizer).load_state_dict(new BinaryReader(saved));
                }
                foreach (var group in optimizer.ParamGroups) group.LearningRate /= 2;
            }
            optimizer.zero_grad();
            using var loss = nn.functional.mse_loss(model.call(x), y);
            loss.backward();
            optimizer.step();
        }
        optimizer.Dispose();
        return parameters.SelectMany(p => p.data<float>().ToArray()).ToArray();
    }
}
