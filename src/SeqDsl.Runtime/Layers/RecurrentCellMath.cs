using System;

namespace SeqDsl.Runtime.Layers;

/// <summary>
/// The recurrent cells written out in double precision with plain loops: the reference that libtorch's kernels,
/// the step loop and the managed generation step are checked against. Nothing here is meant to be fast.
/// </summary>
/// <remarks>
/// Weights are in torch layout, row-major: <c>weightIh</c> (G·U, F), <c>weightHh</c> (G·U, U), biases (G·U) or null,
/// gate order (i, f, g, o) for LSTM and (r, z, n) for GRU (reset after, as <see cref="Gru"/>).
/// </remarks>
internal static class RecurrentCellMath
{
    /// <summary>The weights of one cell, row-major in torch layout.</summary>
    internal sealed record Weights(float[] WeightIh, float[] WeightHh, float[]? BiasIh, float[]? BiasHh);

    /// <summary>
    /// Runs the cell over <paramref name="input"/> (batch, time, features), row-major, from zero state.
    /// Returns the hidden state after every step, (batch, time, units) row-major, and the final states
    /// ([h] or, for LSTM, [h, c]), each (batch, units).
    /// </summary>
    public static (double[] Sequence, double[][] State) Run(
        RecurrentKind kind, Activation activation, Activation recurrentActivation, Weights weights,
        float[] input, int batch, int time, int features, int units)
    {
        int gates = GateCount(kind);
        if (weights.WeightIh.Length != gates * units * features || weights.WeightHh.Length != gates * units * units)
            throw new ArgumentException($"Weights do not fit {kind} with {features} inputs and {units} units.", nameof(weights));
        if (input.Length != batch * time * features)
            throw new ArgumentException($"Input has {input.Length} values, not {batch}×{time}×{features}.", nameof(input));

        double[] x = Array.ConvertAll(input, v => (double)v);
        var sequence = new double[batch * time * units];
        var finalH = new double[batch * units];
        var finalC = new double[batch * units];
        var xProj = new double[gates * units];
        var hProj = new double[gates * units];
        for (int b = 0; b < batch; b++)
        {
            var h = new double[units];
            var c = new double[units];
            for (int t = 0; t < time; t++)
            {
                Project(weights.WeightIh, weights.BiasIh, x, (b * time + t) * features, features, xProj);
                Project(weights.WeightHh, weights.BiasHh, h, 0, units, hProj);
                var next = new double[units];
                for (int u = 0; u < units; u++)
                {
                    switch (kind)
                    {
                        case RecurrentKind.Lstm:
                        {
                            double i = Apply(recurrentActivation, xProj[u] + hProj[u]);
                            double f = Apply(recurrentActivation, xProj[units + u] + hProj[units + u]);
                            double g = Apply(activation, xProj[2 * units + u] + hProj[2 * units + u]);
                            double o = Apply(recurrentActivation, xProj[3 * units + u] + hProj[3 * units + u]);
                            c[u] = f * c[u] + i * g;
                            next[u] = o * Apply(activation, c[u]);
                            break;
                        }
                        case RecurrentKind.Gru:
                        {
                            double r = Apply(recurrentActivation, xProj[u] + hProj[u]);
                            double z = Apply(recurrentActivation, xProj[units + u] + hProj[units + u]);
                            double n = Apply(activation, xProj[2 * units + u] + r * hProj[2 * units + u]);
                            next[u] = (1 - z) * n + z * h[u];
                            break;
                        }
                        default:
                            next[u] = Apply(activation, xProj[u] + hProj[u]);
                            break;
                    }
                }
                h = next;
                Array.Copy(h, 0, sequence, (b * time + t) * units, units);
            }
            Array.Copy(h, 0, finalH, b * units, units);
            Array.Copy(c, 0, finalC, b * units, units);
        }
        return (sequence, kind == RecurrentKind.Lstm ? new[] { finalH, finalC } : new[] { finalH });
    }

    /// <summary>Gates per cell: 4 for LSTM, 3 for GRU, 1 for SimpleRNN.</summary>
    public static int GateCount(RecurrentKind kind) => kind switch { RecurrentKind.Lstm => 4, RecurrentKind.Gru => 3, _ => 1 };

    /// <summary>An element-wise activation in double precision (softmax is not element-wise and is rejected).</summary>
    public static double Apply(Activation activation, double x) => activation switch
    {
        Activation.Linear => x,
        Activation.Relu => Math.Max(x, 0),
        Activation.Elu => x > 0 ? x : Math.Exp(x) - 1,
        Activation.Gelu => 0.5 * x * (1 + Erf(x / Math.Sqrt(2))),
        Activation.Tanh => Math.Tanh(x),
        Activation.Sigmoid => 1 / (1 + Math.Exp(-x)),
        Activation.HardSigmoid => Math.Clamp(0.2 * x + 0.5, 0, 1),
        _ => throw new ArgumentOutOfRangeException(nameof(activation), activation, "Not an element-wise activation."),
    };

    private static void Project(float[] weight, float[]? bias, double[] source, int offset, int width, double[] result)
    {
        for (int row = 0; row < result.Length; row++)
        {
            double sum = bias is null ? 0 : bias[row];
            for (int k = 0; k < width; k++) sum += weight[row * width + k] * source[offset + k];
            result[row] = sum;
        }
    }

    /// <summary>The error function to about 1e-15 (a Taylor series near zero, a continued fraction beyond).</summary>
    private static double Erf(double x)
    {
        double ax = Math.Abs(x);
        if (ax < 2.5)
        {
            // erf(x) = 2/√π Σ (−1)ⁿ x^(2n+1) / (n! (2n+1))
            double term = ax, sum = ax;
            for (int n = 1; n < 60; n++)
            {
                term *= -ax * ax / n;
                sum += term / (2 * n + 1);
            }
            return Math.Sign(x) * 2 / Math.Sqrt(Math.PI) * sum;
        }
        // erfc(x) = exp(−x²)/√π · 1/(x + 1/2/(x + 1/(x + 3/2/(x + …))))
        double fraction = 0;
        for (int n = 60; n >= 1; n--) fraction = n / 2.0 / (ax + fraction);
        double erfc = Math.Exp(-ax * ax) / Math.Sqrt(Math.PI) / (ax + fraction);
        return Math.Sign(x) * (1 - erfc);
    }
}
