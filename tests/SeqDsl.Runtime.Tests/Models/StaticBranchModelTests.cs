using SeqDsl.Runtime.Layers;
using SeqDsl.Runtime.Reporting;
using SeqDsl.Runtime.Tests.Experiments;
using SeqDsl.Runtime.Tests.Layers;
using static TorchSharp.torch;

namespace SeqDsl.Runtime.Tests.Models;

/// <summary>The model generated from Specs/small_icu_statics.yaml: an LSTM over the step channels, a static branch, the logits.</summary>
public sealed class StaticBranchModelTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "seqdsl-statics-" + Guid.NewGuid().ToString("N"));

    public StaticBranchModelTests() => Directory.CreateDirectory(_root);

    public void Dispose()
    {
        if (Directory.Exists(_root)) Directory.Delete(_root, recursive: true);
    }

    // synthetic-icu: 14 values, 14 indicators, then the 3 statics (Age, Gender, Weight) at the end of each step.
    private const int Statics = SmallIcuStaticsModel.StaticFeatures;

    /// <summary>Four padded records (lengths 6, 3, 1, 2) whose static channels repeat each record's statics at every step.</summary>
    private static (Tensor Input, Tensor Lengths) Batch()
    {
        manual_seed(11);
        int features = SmallIcuStaticsModel.InputFeatures;
        var steps = randn(4, 6, features - Statics);
        var statics = randn(4, 1, Statics).expand(4, 6, Statics);
        return (cat(new[] { steps, statics }, 2), tensor(new long[] { 6, 3, 1, 2 }));
    }

    [Fact]
    public void Forward_runs_the_layers_on_the_step_channels_and_the_branch_on_the_statics()
    {
        using var scope = NewDisposeScope();
        manual_seed(2);
        var model = new SmallIcuStaticsModel();
        model.eval();
        var (input, lengths) = Batch();

        var steps = input.narrow(2, 0, SmallIcuStaticsModel.InputFeatures - Statics);
        var statics = input.select(1, 0).narrow(1, SmallIcuStaticsModel.InputFeatures - Statics, Statics);
        var expected = model.Dense1.call(model.StaticBranch1.forward(((ILengthAwareModule)model.Lstm1).forward(steps, lengths), statics));
        // The same operations on the same values in the same order: equal to the bit.
        TensorAssert.Close(expected, model.forward(input, lengths), atol: 0);
        TensorAssert.Shape(expected, 4, 6, 2);
        Assert.Equal((31, 3), (SmallIcuStaticsModel.InputFeatures, Statics));
        Assert.Equal(SmallIcuStaticsModel.ParameterCount, TensorAssert.ParameterCount(model));
        // The lstm reads the 28 step channels only; the branch's dense the 3 statics.
        Assert.Equal(4 * (4 * 28 + 4 * 4 + 2 * 4), TensorAssert.ParameterCount(model.Lstm1));
        Assert.Equal(3 * Statics + 3, TensorAssert.ParameterCount(model.StaticBranch1Dense1));
    }

    [Fact]
    public void Only_each_records_step_0_statics_reach_its_outputs()
    {
        using var scope = NewDisposeScope();
        manual_seed(2);
        var model = new SmallIcuStaticsModel();
        model.eval();
        var (input, lengths) = Batch();
        var reference = model.forward(input, lengths);
        int first = SmallIcuStaticsModel.InputFeatures - Statics;

        // The static channels of later steps (padding included) are never read.
        var later = input.clone();
        later.narrow(1, 1, 5).narrow(2, first, Statics).fill_(99);
        TensorAssert.Close(reference, model.forward(later, lengths), atol: 0);

        // Record 0's statics change its outputs at every step, and no other record's.
        var changed = input.clone();
        changed.narrow(0, 0, 1).narrow(2, first, Statics).add_(1);
        var output = model.forward(changed, lengths);
        Assert.True((output[0] - reference[0]).abs().min().item<float>() > 0, "a step of record 0 ignored its statics");
        TensorAssert.Close(reference.narrow(0, 1, 3), output.narrow(0, 1, 3), atol: 0);
    }

    [Fact]
    public void The_spec_trains_and_reports_with_the_branch_in_its_summary()
    {
        string folder = Path.Combine(_root, "run");
        var (code, output, error) = EpisodeExperimentRunnerTests.Train(SmallIcuStaticsModel.Experiment, folder);

        Assert.True(code == 0, error);
        Assert.Contains("static_branch_1 (StaticBranch)", output);
        Assert.Contains("  static_branch_1_dense_1 (Dense)", output);
        string metrics = File.ReadAllText(Path.Combine(folder, "metrics.json"));
        Assert.DoesNotContain("NaN", metrics);
        Assert.NotNull(EpisodeReport.Read(Path.Combine(folder, "metrics.json")).Model?.Test?.MacroAuroc);
    }
}
