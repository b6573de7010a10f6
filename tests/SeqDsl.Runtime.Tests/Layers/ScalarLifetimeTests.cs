using SeqDsl.Runtime.Episodes;
using SeqDsl.Runtime.Layers;
using static TorchSharp.torch;

namespace SeqDsl.Runtime.Tests.Layers;

/// <summary>
/// The hot paths pass only rooted scalars to libtorch (see <see cref="TorchScalars"/>): a temporary scalar can be
/// finalized by a collection on another thread while libtorch reads it. Each path runs here while a second thread
/// collects garbage and runs finalizers without pause, the situation in which a temporary scalar broke a GRU step.
/// </summary>
// The weights come from torch's global generator, which tests running beside this one would draw from too.
[Collection(TorchGeneratorCollection.Name)]
public class ScalarLifetimeTests
{
    private const int Rounds = 40;

    [Fact]
    public void Recurrent_steps_losses_and_activations_are_unchanged_while_another_thread_collects_garbage()
    {
        var quiet = RunHotPaths();
        using var collector = new BackgroundCollector();
        // Same thread, same seed, same kernels: the results are bit-identical to the quiet run unless a scalar was
        // freed under libtorch (which throws, or computes with whatever replaced the freed value).
        for (var round = 0; round < Rounds; round++)
            Assert.Equal(quiet, RunHotPaths());
    }

    /// <summary>Each hot path once on fixed data; the sums of their outputs, in a fixed order.</summary>
    private static double[] RunHotPaths()
    {
        using var scope = NewDisposeScope();
        manual_seed(3);
        var x = randn(4, 12, 5);
        var lengths = tensor(new long[] { 12, 7, 3, 9 });
        var options = new RecurrentOptions(8) { ReturnSequences = true };
        var sums = new List<double>();
        foreach (RecurrentLayer layer in new RecurrentLayer[] { new Gru("gru", 5, options), new Lstm("lstm", 5, options), new SimpleRnn("rnn", 5, options) })
            sums.Add(layer.RunRoute(x, null, null, RecurrentKernelRoute.Loop, returnSequences: true).Output.sum().item<float>());
        // GRU-D on one variable (value, indicator, time since observed) and two statics.
        ILengthAwareModule gruD = new GruD("gru_d", 5, 1, options);
        sums.Add(gruD.forward(x, lengths).sum().item<float>());
        foreach (var merge in new[] { MergeMode.Ave, MergeMode.Sum })
        {
            ILengthAwareModule bidirectional = new Bidirectional("bi", RecurrentKind.Gru, 5, options, merge);
            sums.Add(bidirectional.forward(x, lengths).sum().item<float>());
        }
        sums.Add(Activations.Apply(Activation.HardSigmoid, x).sum().item<float>());
        var revin = new InstanceNormalization("revin", 5, new InstanceNormOptions(InstanceNormKind.Revin));
        var (normalized, statistics) = revin.Normalize(x);
        sums.Add(revin.Denormalize(normalized, statistics).sum().item<float>());
        var blocks = new Branches("branches", new[]
        {
            new LayerPath(new Residual("residual", new LayerPath(new Dense("dense", 5, new DenseOptions(5))))),
            new LayerPath(new SeriesDecomposition("decomposition", new MovingAverageOptions(5), new LayerPath(), new LayerPath())),
        }, BranchMerge.Mean);
        sums.Add(blocks.call(x).sum().item<float>());
        var stepLogits = randn(4, 12, 3);
        var labels = tensor(new float[,] { { 1, 0, 1 }, { 0, 1, 0 }, { 1, 1, 0 }, { 0, 0, 1 } });
        sums.Add(EpisodeLoss.Compute(stepLogits, labels, lengths, 2, new EpisodeLossOptions { TargetReplication = 0.5, AuxiliaryWeight = 0.3 }).item<float>());
        sums.Add(EpisodeBatches.LastRealStep(stepLogits, lengths).sum().item<float>());
        return sums.ToArray();
    }
}
