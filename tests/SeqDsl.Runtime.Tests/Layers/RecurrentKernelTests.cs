using SeqDsl.Runtime.Layers;
using SeqDsl.Runtime.Tests.Training;
using SeqDsl.Runtime.Training;
using static TorchSharp.torch;

namespace SeqDsl.Runtime.Tests.Layers;

/// <summary>
/// Every recurrent kind in every mode against the cell maths written out in double precision
/// (<see cref="RecurrentCellMath"/>), and the self-check that routes layers around a kernel that gets them wrong.
/// </summary>
public sealed class RecurrentKernelTests
{
    private const int Batch = 3, Time = 6, Features = 7;

    /// <summary>
    /// Float32 rounding of these layers (dot products of at most 135 terms, 6 steps) stays below 1e-5 of the
    /// reference; the faulty oneDNN LSTM kernel was off by 0.18 to 0.42. 1e-4 is an order of magnitude from both.
    /// </summary>
    private const double Tolerance = 1e-4;

    public enum Mode { Train, EvalWithGradients, NoGrad, InferenceMode }

    public static TheoryData<RecurrentKind, Activation, int> Layers()
    {
        var data = new TheoryData<RecurrentKind, Activation, int>();
        foreach (var (kind, activation) in new[]
        {
            (RecurrentKind.Lstm, Activation.Tanh), (RecurrentKind.Gru, Activation.Tanh),
            (RecurrentKind.SimpleRnn, Activation.Tanh), (RecurrentKind.SimpleRnn, Activation.Relu),
        })
        {
            // 8, 9, 16 and 48 were wrong in oneDNN's AVX-512 LSTM inference kernel; 32 and 128 were right.
            foreach (int units in new[] { 8, 9, 16, 32, 48, 128 })
                data.Add(kind, activation, units);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Layers))]
    public void Every_kind_matches_the_cell_maths_in_training_evaluation_no_grad_and_inference_mode(RecurrentKind kind, Activation activation, int units)
    {
        manual_seed(31 + units);
        using var layer = RecurrentLayer.Create(kind, "rnn", Features, new RecurrentOptions(units) { Activation = activation, ReturnSequences = true });
        using var x = randn(Batch, Time, Features);
        var (expectedSequence, expectedState) = Reference(layer, x);

        foreach (var mode in Enum.GetValues<Mode>())
        {
            using var scope = NewDisposeScope();
            var (output, state) = Run(layer, x, mode);
            double error = RecurrentKernels.MaxDifference(output, expectedSequence);
            for (int i = 0; i < state.Length; i++)
                error = Math.Max(error, RecurrentKernels.MaxDifference(state[i], expectedState[i]));
            Assert.True(error <= Tolerance,
                $"{kind} ({activation}, {units} units), {mode}: the layer ({(layer.LastRunFused ? "libtorch's fused kernel" : "the step loop")}) " +
                $"differs from the cell maths written out in double precision by {error:G3}; the layer is wrong, the reference is plain arithmetic. " +
                $"Self-check: {RecurrentKernels.Check().Summary}");
        }
    }

    [Fact]
    public void The_self_check_routes_around_every_fused_kernel_that_is_wrong_on_this_cpu()
    {
        var report = RecurrentKernels.Check();
        foreach (var kind in new[] { RecurrentKind.Lstm, RecurrentKind.Gru, RecurrentKind.SimpleRnn })
        {
            foreach (int units in new[] { 8, 9, 16, 32, 48, 64, 128 })
            {
                manual_seed(units);
                using var layer = RecurrentLayer.Create(kind, "raw", Features, new RecurrentOptions(units) { ReturnSequences = true });
                layer.KernelRouteOverride = RecurrentKernelRoute.Fused;
                using var x = randn(Batch, Time, Features);
                var (expected, _) = Reference(layer, x);
                foreach (var mode in new[] { Mode.EvalWithGradients, Mode.NoGrad, Mode.InferenceMode })
                {
                    using var scope = NewDisposeScope();
                    double error = RecurrentKernels.MaxDifference(Run(layer, x, mode).Output, expected);
                    bool withGradients = mode == Mode.EvalWithGradients;
                    if (error > Tolerance)
                        Assert.True(report.RouteFor(kind, withGradients) != RecurrentKernelRoute.Fused,
                            $"libtorch's fused {kind} at {units} units, {mode}, is off by {error:G3} on this CPU, but the self-check kept it: {report.Summary}");
                }
            }
        }
        Assert.All(report.Findings, f => Assert.True(f.RouteError <= RecurrentKernels.Tolerance, $"{f.Kind}: no exact route ({f})"));
        Assert.Equal(6, report.Findings.Count);
    }

    [Fact]
    public void An_lstm_that_is_wrong_without_gradients_is_sent_to_atens_kernel_and_said_so()
    {
        var findings = RecurrentKernels.Decide(probe =>
            probe is { Kind: RecurrentKind.Lstm, Mode: not RecurrentKernels.ProbeMode.Gradients, Route: RecurrentKernelRoute.Fused, Units: 16 } ? 0.31 : 1e-7);
        var report = new RecurrentKernelReport(findings, TimeSpan.FromMilliseconds(2));

        Assert.Equal(RecurrentKernelRoute.FusedWithoutOneDnn, report.RouteFor(RecurrentKind.Lstm, withGradients: false));
        Assert.Equal(RecurrentKernelRoute.Fused, report.RouteFor(RecurrentKind.Lstm, withGradients: true));
        Assert.Equal(RecurrentKernelRoute.Fused, report.RouteFor(RecurrentKind.Gru, withGradients: false));
        Assert.True(report.Switched);
        var finding = Assert.Single(findings, f => f.Route != RecurrentKernelRoute.Fused);
        Assert.Equal((0.31, 16), (finding.FusedError, finding.Units));
        Assert.Contains("LSTM without gradients", report.Summary);
        Assert.Contains("off by 0.31 at 16 units", report.Summary);
        Assert.Contains("oneDNN is switched off", report.Summary);
    }

    [Fact]
    public void A_kernel_that_stays_wrong_without_onednn_falls_back_to_the_step_loop_and_nan_counts_as_wrong()
    {
        var findings = RecurrentKernels.Decide(probe => probe switch
        {
            { Kind: RecurrentKind.Gru, Mode: RecurrentKernels.ProbeMode.Gradients, Route: not RecurrentKernelRoute.Loop } => double.NaN,
            _ => 0,
        });
        var report = new RecurrentKernelReport(findings, TimeSpan.Zero);
        Assert.Equal(RecurrentKernelRoute.Loop, report.RouteFor(RecurrentKind.Gru, withGradients: true));
        Assert.Equal(RecurrentKernelRoute.Fused, report.RouteFor(RecurrentKind.Gru, withGradients: false));
        Assert.Contains("GRU with gradients", report.Summary);
        Assert.Contains("step loop", report.Summary);

        var exact = new RecurrentKernelReport(RecurrentKernels.Decide(_ => 0), TimeSpan.Zero);
        Assert.False(exact.Switched);
        Assert.Contains("agree with the cell maths", exact.Summary);
    }

    [Theory]
    [InlineData(RecurrentKernelRoute.FusedWithoutOneDnn)]
    [InlineData(RecurrentKernelRoute.Loop)]
    public void The_routes_the_check_falls_back_to_compute_the_cell_maths(RecurrentKernelRoute route)
    {
        manual_seed(5);
        using var layer = RecurrentLayer.Create(RecurrentKind.Lstm, "lstm", Features, new RecurrentOptions(16) { ReturnSequences = true });
        layer.KernelRouteOverride = route;
        using var x = randn(Batch, Time, Features);
        var (expected, _) = Reference(layer, x);
        layer.eval();
        using var scope = NewDisposeScope();
        using (no_grad())
        {
            var error = RecurrentKernels.MaxDifference(layer.call(x), expected);
            Assert.True(error <= Tolerance, $"route {route}: the layer differs from the cell maths by {error:G3}");
        }
        Assert.Equal(route != RecurrentKernelRoute.Loop, layer.LastRunFused);
    }

    [Fact]
    public void Suspending_onednn_nests_and_restores_the_setting()
    {
        if (!OperatingSystem.IsLinux()) return;   // the switch is read through libtorch_cpu.so's Itanium-mangled symbols
        bool? before = TorchSetup.OneDnnEnabled;
        Assert.NotNull(before);
        using (TorchSetup.SuspendOneDnn())
        {
            Assert.False(TorchSetup.OneDnnEnabled);
            using (TorchSetup.SuspendOneDnn())
                Assert.False(TorchSetup.OneDnnEnabled);
            Assert.False(TorchSetup.OneDnnEnabled);
        }
        Assert.Equal(before, TorchSetup.OneDnnEnabled);
    }

    [Fact]
    public void An_lstm_models_evaluation_without_gradients_equals_the_same_metrics_with_gradients()
    {
        manual_seed(9);
        using var model = new LstmRegressor(Features, 16);
        using var inputs = randn(32, Time, Features);
        using var targets = randn(32, 1);
        using var trainer = new Trainer(model, new TrainerOptions());
        var (mae, mse, _) = trainer.Evaluate(() => new DelegateSource(() => (inputs.clone(), targets.clone())), 2);

        model.eval();
        using var predictions = model.call(inputs);
        Assert.True(predictions.requires_grad);
        double maeWithGradients = (predictions - targets).abs().mean().item<float>();
        double mseWithGradients = (predictions - targets).square().mean().item<float>();
        Assert.Equal(maeWithGradients, mae, 5);
        Assert.Equal(mseWithGradients, mse, 5);
    }

    private static (Tensor Output, Tensor[] State) Run(RecurrentLayer layer, Tensor x, Mode mode)
    {
        layer.train(mode == Mode.Train);
        switch (mode)
        {
            case Mode.NoGrad:
                using (no_grad()) return layer.ForwardWithState(x, null);
            case Mode.InferenceMode:
                using (inference_mode()) return layer.ForwardWithState(x, null);
            default:
                return layer.ForwardWithState(x, null);
        }
    }

    private static (double[] Sequence, double[][] State) Reference(RecurrentLayer layer, Tensor x)
    {
        var (wih, whh, bih, bhh) = layer.Weights();
        static float[] Values(Tensor t) => t.detach().contiguous().data<float>().ToArray();
        var weights = new RecurrentCellMath.Weights(Values(wih), Values(whh), bih is null ? null : Values(bih), bhh is null ? null : Values(bhh));
        return RecurrentCellMath.Run(layer.Kind, layer.Options.Activation, layer.Options.RecurrentActivation, weights, Values(x),
            (int)x.shape[0], (int)x.shape[1], (int)x.shape[2], (int)layer.Options.Units);
    }

    private sealed class LstmRegressor : nn.Module<Tensor, Tensor>
    {
        private readonly Lstm lstm;
        private readonly Dense head;

        public LstmRegressor(long features, long units) : base(nameof(LstmRegressor))
        {
            lstm = new Lstm("lstm", features, new RecurrentOptions(units));
            head = new Dense("head", units, new DenseOptions(1));
            RegisterComponents();
        }

        public override Tensor forward(Tensor input) => head.call(lstm.call(input));
    }
}

/// <summary>Tests that read torch's global random generator, which tests running in parallel would also draw from.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class TorchGeneratorCollection
{
    public const string Name = "torch's global generator";
}

[Collection(TorchGeneratorCollection.Name)]
public sealed class RecurrentKernelCheckIsolationTests
{
    [Fact]
    public void The_check_leaves_the_random_generator_and_the_callers_modes_alone()
    {
        manual_seed(3);
        float[] undisturbed = rand(6).data<float>().ToArray();
        manual_seed(3);
        RecurrentKernelReport report;
        using (inference_mode())
            report = RecurrentKernels.RunOnOwnThread(RecurrentKernels.MeasureWithTorch);
        float[] afterCheck = rand(6).data<float>().ToArray();

        Assert.Equal(undisturbed, afterCheck);
        Assert.Equal(6, report.Findings.Count);
        Assert.True(is_grad_enabled());
        using var probe = new RecurrentKernels.TorchProbe();
        var loop = new RecurrentKernels.ProbeCase(RecurrentKind.Lstm, RecurrentKernels.ProbeMode.NoGrad, RecurrentKernelRoute.Loop, 16);
        Assert.True(probe.Measure(loop) <= RecurrentKernels.Tolerance);
    }
}
