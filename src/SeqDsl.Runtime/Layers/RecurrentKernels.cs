using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using System.Threading;
using SeqDsl.Runtime.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace SeqDsl.Runtime.Layers;

/// <summary>How a recurrent layer carries out a call that its options let run on a fused kernel.</summary>
public enum RecurrentKernelRoute
{
    /// <summary>libtorch's fused kernel, as libtorch dispatches it.</summary>
    Fused,
    /// <summary>libtorch's fused kernel with oneDNN switched off for the call, so that ATen's own kernel runs.</summary>
    FusedWithoutOneDnn,
    /// <summary>The layer's step loop (one matrix product per step, the cell in tensor operations).</summary>
    Loop,
}

/// <summary>What the self-check found for one recurrent kind with or without gradients.</summary>
/// <param name="Kind">The cell.</param>
/// <param name="WithGradients">True for calls with autograd recording (training), false for <c>no_grad</c> and inference mode.</param>
/// <param name="FusedError">Largest absolute difference between the fused kernel and the cell maths.</param>
/// <param name="Units">The layer width at which <paramref name="FusedError"/> was seen.</param>
/// <param name="Route">The route the layers take from now on.</param>
/// <param name="RouteError">Largest absolute difference of that route from the cell maths.</param>
public sealed record RecurrentKernelFinding(
    RecurrentKind Kind, bool WithGradients, double FusedError, int Units, RecurrentKernelRoute Route, double RouteError);

/// <summary>The outcome of <see cref="RecurrentKernels.Check"/>.</summary>
/// <param name="Findings">One entry per recurrent kind and gradient mode.</param>
/// <param name="Elapsed">How long the check took.</param>
public sealed record RecurrentKernelReport(IReadOnlyList<RecurrentKernelFinding> Findings, TimeSpan Elapsed)
{
    /// <summary>Whether any kind or mode was moved off libtorch's fused kernel.</summary>
    public bool Switched => Findings.Any(f => f.Route != RecurrentKernelRoute.Fused);

    /// <summary>The route for <paramref name="kind"/> with or without gradients (the fused kernel when not checked).</summary>
    public RecurrentKernelRoute RouteFor(RecurrentKind kind, bool withGradients) =>
        Findings.FirstOrDefault(f => f.Kind == kind && f.WithGradients == withGradients)?.Route ?? RecurrentKernelRoute.Fused;

    /// <summary>One line per switched kind and mode, or one line saying that every fused kernel is exact.</summary>
    public string Summary
    {
        get
        {
            string ms = Elapsed.TotalMilliseconds.ToString("F1", CultureInfo.InvariantCulture);
            var switched = Findings.Where(f => f.Route != RecurrentKernelRoute.Fused).ToList();
            if (switched.Count == 0)
                return $"recurrent kernels: libtorch's fused GRU, LSTM and SimpleRNN agree with the cell maths with and without gradients (checked in {ms} ms)";
            return string.Join(Environment.NewLine, switched.Select(f =>
                $"recurrent kernels: {Name(f.Kind)} {(f.WithGradients ? "with" : "without")} gradients: libtorch's fused kernel is off by " +
                $"{f.FusedError.ToString("G2", CultureInfo.InvariantCulture)} at {f.Units} units on this CPU; " +
                (f.Route == RecurrentKernelRoute.FusedWithoutOneDnn
                    ? "oneDNN is switched off around these calls (ATen's kernel is exact)"
                    : "these calls run the layer's step loop") +
                (f.RouteError > RecurrentKernels.Tolerance
                    ? $", which is still off by {f.RouteError.ToString("G2", CultureInfo.InvariantCulture)}: no exact path was found"
                    : "") +
                $" (checked in {ms} ms)"));
        }
    }

    private static string Name(RecurrentKind kind) => kind switch
    {
        RecurrentKind.Lstm => "LSTM",
        RecurrentKind.Gru => "GRU",
        _ => "SimpleRNN",
    };
}

/// <summary>
/// A self-check of libtorch's fused recurrent kernels on this CPU, run once per process before the first fused call
/// of a recurrent layer on the CPU: small GRU, LSTM and SimpleRNN layers run with gradients, under <c>no_grad</c>
/// and in inference mode and are compared with the cell maths written out in double precision. A kind and mode whose
/// kernel disagrees is routed to the first route that agrees: the same kernel with oneDNN switched off, else the
/// layer's step loop.
/// </summary>
/// <remarks>
/// libtorch takes oneDNN's LSTM kernel on the CPU, its inference variant whenever gradients are off, and on some
/// AVX-512 CPUs that variant returns wrong states for some layer widths (8, 9, 16, 48) and right ones for others
/// (32, 64, 128) without any error. The check covers widths of both sorts. It runs on a thread of its own, so the
/// caller's gradient mode, inference mode and dispose scopes do not reach it, and it leaves torch's random generator
/// as it found it.
/// </remarks>
public static class RecurrentKernels
{
    /// <summary>
    /// Largest difference from the cell maths that counts as agreement. Float32 rounding in these small layers stays
    /// below 1e-5; the faulty kernel this guards against is off by 0.1 and more.
    /// </summary>
    public const double Tolerance = 1e-3;

    /// <summary>The layer widths checked: some that oneDNN's AVX-512 LSTM kernel got wrong, and one it got right.</summary>
    internal static readonly int[] CheckedUnits = { 9, 16, 48 };

    internal const int CheckedFeatures = 11, CheckedBatch = 3, CheckedTime = 4;

    private static readonly Lazy<RecurrentKernelReport> Report = new(() => RunOnOwnThread(MeasureWithTorch), LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>The gradient modes a call can run in, as far as kernel selection goes.</summary>
    internal enum ProbeMode { Gradients, NoGrad, InferenceMode }

    /// <summary>One measurement: a kind, mode, route and width.</summary>
    internal readonly record struct ProbeCase(RecurrentKind Kind, ProbeMode Mode, RecurrentKernelRoute Route, int Units);

    /// <summary>Runs the self-check once per process (later calls return the same report).</summary>
    public static RecurrentKernelReport Check() => Report.Value;

    /// <summary>The route for a fused call of <paramref name="kind"/> on <paramref name="input"/>'s device in the current gradient mode.</summary>
    internal static RecurrentKernelRoute RouteFor(RecurrentKind kind, Tensor input) =>
        input.device_type != DeviceType.CPU ? RecurrentKernelRoute.Fused : Check().RouteFor(kind, is_grad_enabled());

    /// <summary>
    /// Decides the routes from measurements: for each kind and gradient mode the fused kernel if it agrees with the
    /// cell maths at every checked width, else the first of oneDNN-off and the step loop that does.
    /// </summary>
    internal static IReadOnlyList<RecurrentKernelFinding> Decide(Func<ProbeCase, double> measure)
    {
        var findings = new List<RecurrentKernelFinding>();
        foreach (var kind in new[] { RecurrentKind.Lstm, RecurrentKind.Gru, RecurrentKind.SimpleRnn })
        {
            foreach (bool withGradients in new[] { true, false })
            {
                var modes = withGradients ? new[] { ProbeMode.Gradients } : new[] { ProbeMode.NoGrad, ProbeMode.InferenceMode };
                (double Error, int Units) Worst(RecurrentKernelRoute route)
                {
                    var worst = (Error: 0.0, Units: CheckedUnits[0]);
                    foreach (var mode in modes)
                        foreach (int units in CheckedUnits)
                        {
                            if (double.IsNaN(worst.Error)) return worst;
                            double error = measure(new ProbeCase(kind, mode, route, units));
                            if (double.IsNaN(error) || error > worst.Error) worst = (error, units);
                        }
                    return worst;
                }

                var fused = Worst(RecurrentKernelRoute.Fused);
                var route = RecurrentKernelRoute.Fused;
                double routeError = fused.Error;
                if (Disagrees(fused.Error))
                {
                    route = RecurrentKernelRoute.FusedWithoutOneDnn;
                    routeError = Worst(route).Error;
                    if (Disagrees(routeError))
                    {
                        route = RecurrentKernelRoute.Loop;
                        routeError = Worst(route).Error;
                    }
                }
                findings.Add(new RecurrentKernelFinding(kind, withGradients, fused.Error, fused.Units, route, routeError));
            }
        }
        return findings;
    }

    /// <summary>Runs the measurements on a fresh thread (no inherited gradient mode or dispose scope) and times them.</summary>
    internal static RecurrentKernelReport RunOnOwnThread(Func<IReadOnlyList<RecurrentKernelFinding>> measure)
    {
        RecurrentKernelReport? report = null;
        Exception? failure = null;
        var thread = new Thread(() =>
        {
            try
            {
                var clock = Stopwatch.StartNew();
                var findings = measure();
                report = new RecurrentKernelReport(findings, clock.Elapsed);
            }
            catch (Exception e)
            {
                failure = e;
            }
        }, maxStackSize: 16 << 20) { IsBackground = true, Name = "SeqDsl recurrent kernel check" };
        thread.Start();
        thread.Join();
        if (failure is not null)
            throw new InvalidOperationException($"The self-check of libtorch's recurrent kernels failed: {failure.Message}", failure);
        return report!;
    }

    /// <summary>A NaN or a difference above <see cref="Tolerance"/>.</summary>
    private static bool Disagrees(double error) => !(error <= Tolerance);

    /// <summary>Runs the check's measurements through real layers (see <see cref="TorchProbe"/>).</summary>
    internal static IReadOnlyList<RecurrentKernelFinding> MeasureWithTorch()
    {
        using var probe = new TorchProbe();
        return Decide(probe.Measure);
    }

    /// <summary>
    /// Real layers for the check, one per kind and width, with weights and input from a fixed managed generator and
    /// their cell-maths result computed once; torch's random generator is restored when the probe is disposed.
    /// </summary>
    internal sealed class TorchProbe : IDisposable
    {
        private readonly Tensor generatorState = get_rng_state();
        private readonly Dictionary<(RecurrentKind, int), Case> cases = new();

        private sealed record Case(RecurrentLayer Layer, Tensor Input, double[] Sequence, double[][] State);

        /// <summary>Runs one probe case and returns its largest difference from the cell maths.</summary>
        public double Measure(ProbeCase probe)
        {
            var c = Get(probe.Kind, probe.Units);
            using var scope = NewDisposeScope();
            (Tensor Output, Tensor[] State) result;
            switch (probe.Mode)
            {
                case ProbeMode.Gradients:
                    using (enable_grad()) result = c.Layer.RunRoute(c.Input, null, null, probe.Route, returnSequences: true);
                    break;
                case ProbeMode.NoGrad:
                    using (no_grad()) result = c.Layer.RunRoute(c.Input, null, null, probe.Route, returnSequences: true);
                    break;
                default:
                    using (inference_mode()) result = c.Layer.RunRoute(c.Input, null, null, probe.Route, returnSequences: true);
                    break;
            }
            double error = MaxDifference(result.Output, c.Sequence);
            for (int i = 0; i < c.State.Length; i++) error = Math.Max(error, MaxDifference(result.State[i], c.State[i]));
            return error;
        }

        private Case Get(RecurrentKind kind, int units)
        {
            if (cases.TryGetValue((kind, units), out var existing)) return existing;
            var random = new Random(HashCode.Combine((int)kind, units));
            float[] Values(int count, double scale) =>
                Enumerable.Range(0, count).Select(_ => (float)((random.NextDouble() * 2 - 1) * scale)).ToArray();
            int gates = RecurrentCellMath.GateCount(kind);
            double scale = 1 / Math.Sqrt(units);
            var weights = new RecurrentCellMath.Weights(
                Values(gates * units * CheckedFeatures, scale), Values(gates * units * units, scale),
                Values(gates * units, scale), Values(gates * units, scale));
            float[] input = Values(CheckedBatch * CheckedTime * CheckedFeatures, 1.5);

            var layer = RecurrentLayer.Create(kind, "kernel_check", CheckedFeatures, new RecurrentOptions(units) { ReturnSequences = true });
            layer.eval();
            var (wih, whh, bih, bhh) = layer.Weights();
            using (no_grad())
            {
                wih.copy_(tensor(weights.WeightIh, new long[] { gates * units, CheckedFeatures }));
                whh.copy_(tensor(weights.WeightHh, new long[] { gates * units, units }));
                bih!.copy_(tensor(weights.BiasIh!));
                bhh!.copy_(tensor(weights.BiasHh!));
            }
            var (sequence, state) = RecurrentCellMath.Run(kind, Activation.Tanh, Activation.Sigmoid, weights, input,
                CheckedBatch, CheckedTime, CheckedFeatures, units);
            var created = new Case(layer, tensor(input, new long[] { CheckedBatch, CheckedTime, CheckedFeatures }), sequence, state);
            cases.Add((kind, units), created);
            return created;
        }

        public void Dispose()
        {
            foreach (var c in cases.Values)
            {
                c.Layer.Dispose();
                c.Input.Dispose();
            }
            set_rng_state(generatorState);
            generatorState.Dispose();
        }
    }

    /// <summary>Largest absolute difference between a tensor and reference values in the same row-major order (NaN if any is NaN).</summary>
    internal static double MaxDifference(Tensor actual, double[] expected)
    {
        float[] values = actual.detach().cpu().contiguous().data<float>().ToArray();
        if (values.Length != expected.Length) return double.NaN;
        double worst = 0;
        for (int i = 0; i < values.Length; i++)
        {
            double difference = Math.Abs(values[i] - expected[i]);
            if (!(difference <= worst)) worst = difference;
        }
        return worst;
    }
}
