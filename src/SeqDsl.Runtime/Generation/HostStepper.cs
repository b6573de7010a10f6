using System;
using System.Collections.Generic;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using SeqDsl.Runtime.Layers;
using SeqDsl.Runtime.Text;
using TorchSharp;
using static TorchSharp.torch;

namespace SeqDsl.Runtime.Generation;

/// <summary>
/// Stateful generation on the CPU in managed code: one character costs one cell step per layer on plain float
/// arrays, with no tensor created and no native call.
/// </summary>
/// <remarks>
/// A single step of a batch of one is a few small matrix-vector products (LSTM(128): 512×128), far too little
/// work to pay for the dozens of TorchSharp calls a tensor step makes; here it takes microseconds. The weights are
/// copied from the modules when the stepper is built (once per <see cref="TextGenerator.Generate"/> call), so a
/// model trained further between calls is seen. The first layer reads the character itself: for one-hot input
/// its input projection is one column of the weight matrix (kept transposed, so it is a contiguous row), for
/// index input an embedding row. Stacks of embedding, GRU/LSTM/SimpleRNN (forward in time), dropout (inactive)
/// and dense layers with elementwise activations are supported; anything else makes <see cref="TryCreate"/>
/// return null and generation steps with tensors instead. Results match the tensor path to float rounding.
/// The hot methods are compiled optimized from their first call: a generation of a few hundred characters ends
/// before tiered compilation would promote them.
/// </remarks>
internal sealed class HostStepper
{
    private readonly HostLayer[] layers;
    private readonly float[] logits;

    private HostStepper(HostLayer[] layers)
    {
        this.layers = layers;
        logits = new float[layers[^1].Width];
    }

    /// <summary>Width of what <see cref="Step"/> returns.</summary>
    public int OutputWidth => logits.Length;

    /// <summary>
    /// Builds a stepper for the layers of a model on the CPU, or returns null (with the reason) when some layer,
    /// option or device is outside what it runs.
    /// </summary>
    public static HostStepper? TryCreate(IReadOnlyList<nn.Module<Tensor, Tensor>> modules, int vocabularySize, TextEncoding encoding, out string? reason)
    {
        var built = new List<HostLayer>();
        // Width of the vector reaching the next layer; null while it is still the character itself.
        int? width = null;
        for (int i = 0; i < modules.Count; i++)
        {
            var module = modules[i];
            bool last = i == modules.Count - 1;
            foreach (var (_, parameter) in module.named_parameters())
            {
                if (parameter.device_type != DeviceType.CPU || parameter.dtype != ScalarType.Float32)
                {
                    reason = $"layer '{module.GetName()}' holds {parameter.dtype} parameters on {parameter.device}";
                    return null;
                }
            }
            HostLayer? layer;
            switch (module)
            {
                case Layers.Dropout:
                    continue;
                case Layers.Embedding embedding when width is null && encoding == TextEncoding.Indices && embedding.InputDim == vocabularySize:
                    layer = new HostEmbedding(embedding);
                    break;
                case RecurrentLayer recurrent when !recurrent.Options.GoBackwards:
                    layer = HostRecurrent.TryCreate(recurrent, width, vocabularySize, encoding);
                    break;
                case Dense dense:
                    layer = HostDense.TryCreate(dense, width, vocabularySize, encoding, last);
                    break;
                default:
                    layer = null;
                    break;
            }
            if (layer is null)
            {
                reason = $"layer '{module.GetName()}' ({module.GetType().Name}) is not one the managed step runs with these options";
                return null;
            }
            built.Add(layer);
            width = layer.Width;
        }
        if (built.Count == 0)
        {
            reason = "the model has no layer the managed step runs";
            return null;
        }
        reason = null;
        return new HostStepper(built.ToArray());
    }

    /// <summary>Feeds one character; returns the last layer's output before its activation (the logits), valid until the next call.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public ReadOnlySpan<float> Step(int token)
    {
        ReadOnlySpan<float> vector = default;
        bool isToken = true;
        foreach (var layer in layers)
        {
            vector = layer.Forward(token, isToken, vector);
            isToken = false;
        }
        vector.CopyTo(logits);
        return logits;
    }

    /// <summary>A layer's step: reads the character (<c>isToken</c>) or the previous layer's output.</summary>
    private abstract class HostLayer
    {
        public abstract int Width { get; }

        public abstract ReadOnlySpan<float> Forward(int token, bool isToken, ReadOnlySpan<float> input);
    }

    private sealed class HostEmbedding : HostLayer
    {
        private readonly float[] table;
        private readonly int width;

        public HostEmbedding(Layers.Embedding embedding)
        {
            table = Copy(embedding.Table);
            width = (int)embedding.OutputDim;
        }

        public override int Width => width;

        public override ReadOnlySpan<float> Forward(int token, bool isToken, ReadOnlySpan<float> input) =>
            table.AsSpan(token * width, width);
    }

    private sealed class HostDense : HostLayer
    {
        private readonly Affine affine;
        private readonly float[] output;
        private readonly Activation? activation;

        private HostDense(Affine affine, Activation? activation)
        {
            this.affine = affine;
            this.activation = activation;
            output = new float[affine.Outputs];
        }

        public static HostDense? TryCreate(Dense dense, int? width, int vocabularySize, TextEncoding encoding, bool last)
        {
            // The last layer hands over its logits (its activation is the sampler's business), as the tensor path does.
            Activation? activation = last ? null : dense.Options.Activation;
            if (activation is { } a && !Elementwise.Supports(a) && a != Activation.Softmax)
                return null;
            var affine = Affine.TryCreate(dense.Kernel, dense.Bias, width, vocabularySize, encoding);
            return affine is null ? null : new HostDense(affine, activation);
        }

        public override int Width => output.Length;

        public override ReadOnlySpan<float> Forward(int token, bool isToken, ReadOnlySpan<float> input)
        {
            affine.Apply(token, isToken, input, output);
            if (activation == Activation.Softmax)
                Elementwise.Softmax(output);
            else if (activation is { } a)
                Elementwise.Apply(a, output);
            return output;
        }
    }

    private sealed class HostRecurrent : HostLayer
    {
        private readonly RecurrentKind kind;
        private readonly int units;
        private readonly Affine input;
        private readonly Affine hidden;
        private readonly Activation activation;
        private readonly Activation recurrentActivation;
        private readonly float[] inputProjection;
        private readonly float[] hiddenProjection;
        private readonly float[] h;
        private readonly float[] c;

        private HostRecurrent(RecurrentLayer layer, Affine input, Affine hidden)
        {
            kind = layer.Kind;
            units = (int)layer.Options.Units;
            activation = layer.Options.Activation;
            recurrentActivation = layer.Options.RecurrentActivation;
            this.input = input;
            this.hidden = hidden;
            inputProjection = new float[input.Outputs];
            hiddenProjection = new float[hidden.Outputs];
            h = new float[units];
            c = new float[kind == RecurrentKind.Lstm ? units : 0];
        }

        public static HostRecurrent? TryCreate(RecurrentLayer layer, int? width, int vocabularySize, TextEncoding encoding)
        {
            if (!Elementwise.Supports(layer.Options.Activation) ||
                (layer.Kind != RecurrentKind.SimpleRnn && !Elementwise.Supports(layer.Options.RecurrentActivation)))
                return null;
            var (wih, whh, bih, bhh) = layer.Weights();
            var input = Affine.TryCreate(wih, bih, width, vocabularySize, encoding);
            var hidden = Affine.TryCreate(whh, bhh, (int)layer.Options.Units, vocabularySize, encoding);
            return input is null || hidden is null ? null : new HostRecurrent(layer, input, hidden);
        }

        public override int Width => units;

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public override ReadOnlySpan<float> Forward(int token, bool isToken, ReadOnlySpan<float> x)
        {
            input.Apply(token, isToken, x, inputProjection);
            hidden.Apply(0, false, h, hiddenProjection);
            var xp = inputProjection.AsSpan();
            var hp = hiddenProjection.AsSpan();
            int u = units;
            switch (kind)
            {
                case RecurrentKind.Lstm:
                {
                    // Gate order (i, f, g, o), as torch stores them.
                    for (int j = 0; j < xp.Length; j++) xp[j] += hp[j];
                    Elementwise.Apply(recurrentActivation, xp[..(2 * u)]);
                    Elementwise.Apply(activation, xp.Slice(2 * u, u));
                    Elementwise.Apply(recurrentActivation, xp.Slice(3 * u, u));
                    for (int j = 0; j < u; j++)
                        c[j] = xp[u + j] * c[j] + xp[j] * xp[2 * u + j];
                    c.AsSpan().CopyTo(h);
                    Elementwise.Apply(activation, h);
                    for (int j = 0; j < u; j++) h[j] *= xp[3 * u + j];
                    break;
                }
                case RecurrentKind.Gru:
                {
                    // Gate order (r, z, n), reset applied after the recurrent product (Keras reset_after=True).
                    for (int j = 0; j < 2 * u; j++) xp[j] += hp[j];
                    Elementwise.Apply(recurrentActivation, xp[..(2 * u)]);
                    var n = xp.Slice(2 * u, u);
                    for (int j = 0; j < u; j++) n[j] += xp[j] * hp[2 * u + j];
                    Elementwise.Apply(activation, n);
                    for (int j = 0; j < u; j++) h[j] = n[j] + xp[u + j] * (h[j] - n[j]);
                    break;
                }
                default:
                {
                    for (int j = 0; j < u; j++) h[j] = xp[j] + hp[j];
                    Elementwise.Apply(activation, h);
                    break;
                }
            }
            return h;
        }
    }

    /// <summary>y = W x + b for W (outputs, inputs) in torch layout; x is a vector, or a character when one-hot.</summary>
    private sealed class Affine
    {
        private readonly float[] weight;        // (outputs, inputs), row-major
        private readonly float[]? columns;      // (inputs, outputs): the transpose, for one-hot input
        private readonly float[] bias;

        private Affine(float[] weight, float[]? columns, float[] bias, int outputs, int inputs)
        {
            this.weight = weight;
            this.columns = columns;
            this.bias = bias;
            Outputs = outputs;
            Inputs = inputs;
        }

        public int Outputs { get; }

        public int Inputs { get; }

        /// <summary>Copies the weights; null when the input width does not fit (the tensor path then reports it).</summary>
        public static Affine? TryCreate(Tensor weight, Tensor? bias, int? width, int vocabularySize, TextEncoding encoding)
        {
            int outputs = (int)weight.shape[0], inputs = (int)weight.shape[1];
            // The character itself: one-hot over the vocabulary (index input needs an embedding first).
            bool oneHot = width is null;
            if (oneHot && (encoding != TextEncoding.OneHot || inputs != vocabularySize))
                return null;
            if (!oneHot && inputs != width)
                return null;
            float[]? columns = null;
            if (oneHot)
            {
                using var transposed = weight.detach().t().contiguous();
                columns = Copy(transposed);
            }
            var b = bias is null ? new float[outputs] : Copy(bias);
            return new Affine(Copy(weight), columns, b, outputs, inputs);
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void Apply(int token, bool isToken, ReadOnlySpan<float> x, Span<float> y)
        {
            if (isToken)
            {
                // W · onehot(token) is column `token` of W.
                var column = columns.AsSpan(token * Outputs, Outputs);
                for (int i = 0; i < y.Length; i++) y[i] = column[i] + bias[i];
                return;
            }
            var w = weight.AsSpan();
            for (int i = 0; i < Outputs; i++)
                y[i] = Dot(w.Slice(i * Inputs, Inputs), x) + bias[i];
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private static float Dot(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
        {
            var va = MemoryMarshal.Cast<float, Vector<float>>(a);
            var vb = MemoryMarshal.Cast<float, Vector<float>>(b);
            var sum = Vector<float>.Zero;
            for (int k = 0; k < va.Length; k++)
                sum += va[k] * vb[k];
            float total = Vector.Sum(sum);
            for (int k = va.Length * Vector<float>.Count; k < a.Length; k++)
                total += a[k] * b[k];
            return total;
        }
    }

    /// <summary>The activations, elementwise in place, as <see cref="Activations.Apply"/> computes them.</summary>
    private static class Elementwise
    {
        public static bool Supports(Activation activation) => activation is
            Activation.Linear or Activation.Relu or Activation.Elu or Activation.Tanh or Activation.Sigmoid or Activation.HardSigmoid;

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public static void Apply(Activation activation, Span<float> x)
        {
            switch (activation)
            {
                case Activation.Linear:
                    break;
                case Activation.Relu:
                    for (int i = 0; i < x.Length; i++) x[i] = Math.Max(x[i], 0f);
                    break;
                case Activation.Elu:
                    for (int i = 0; i < x.Length; i++) x[i] = x[i] > 0 ? x[i] : (float)(Math.Exp(x[i]) - 1.0);
                    break;
                case Activation.Tanh:
                    for (int i = 0; i < x.Length; i++) x[i] = MathF.Tanh(x[i]);
                    break;
                case Activation.Sigmoid:
                    for (int i = 0; i < x.Length; i++) x[i] = 1f / (1f + MathF.Exp(-x[i]));
                    break;
                case Activation.HardSigmoid:
                    for (int i = 0; i < x.Length; i++) x[i] = Math.Clamp(x[i] * 0.2f + 0.5f, 0f, 1f);
                    break;
                default:
                    throw new ArgumentOutOfRangeException(nameof(activation), activation, "Not an elementwise activation of the managed step.");
            }
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public static void Softmax(Span<float> x)
        {
            float max = float.NegativeInfinity;
            foreach (float v in x) max = Math.Max(max, v);
            double total = 0;
            for (int i = 0; i < x.Length; i++)
            {
                x[i] = MathF.Exp(x[i] - max);
                total += x[i];
            }
            for (int i = 0; i < x.Length; i++) x[i] = (float)(x[i] / total);
        }
    }

    private static float[] Copy(Tensor tensor)
    {
        using var contiguous = tensor.detach().contiguous();
        return contiguous.data<float>().ToArray();
    }
}
