using System;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using SeqDsl.Runtime.Layers;
using SeqDsl.Runtime.Text;
using static TorchSharp.torch;

namespace SeqDsl.Runtime.Generation;

/// <summary>What a layer's managed step reads: the character itself (<see cref="Width"/> null) or the previous layer's vector.</summary>
/// <param name="Width">Width of the vector reaching the layer; null while it is still the character.</param>
/// <param name="VocabularySize">Number of characters.</param>
/// <param name="Encoding">How the model reads a character: one-hot or an index.</param>
internal readonly record struct HostStepInput(int? Width, int VocabularySize, TextEncoding Encoding)
{
    /// <summary>Whether the layer reads the character as a one-hot vector.</summary>
    public bool IsOneHotCharacter => Width is null && Encoding == TextEncoding.OneHot;

    /// <summary>Whether the layer reads the character as an index.</summary>
    public bool IsCharacterIndex => Width is null && Encoding == TextEncoding.Indices;
}

/// <summary>A layer's managed step: reads the character (<c>isToken</c>) or the previous layer's output.</summary>
internal abstract class HostStep
{
    /// <summary>Width of what <see cref="Forward"/> returns.</summary>
    public abstract int Width { get; }

    /// <summary>One time step; the returned span is valid until the next call.</summary>
    public abstract ReadOnlySpan<float> Forward(int token, bool isToken, ReadOnlySpan<float> input);

    /// <summary>A copy of a tensor's values on the CPU, so that later training does not reach a built step.</summary>
    internal static float[] Copy(Tensor tensor)
    {
        using var contiguous = tensor.detach().contiguous();
        return contiguous.data<float>().ToArray();
    }
}

/// <summary>The managed step of <see cref="Embedding"/>: the character's row of the table.</summary>
internal sealed class HostEmbedding : HostStep
{
    private readonly float[] table;
    private readonly int width;

    private HostEmbedding(Embedding embedding)
    {
        table = Copy(embedding.Table);
        width = (int)embedding.OutputDim;
    }

    /// <summary>The step, or null unless the layer reads the character index over the whole vocabulary.</summary>
    public static HostEmbedding? TryCreate(Embedding embedding, HostStepInput input) =>
        input.IsCharacterIndex && embedding.InputDim == input.VocabularySize ? new HostEmbedding(embedding) : null;

    public override int Width => width;

    public override ReadOnlySpan<float> Forward(int token, bool isToken, ReadOnlySpan<float> input) =>
        table.AsSpan(token * width, width);
}

/// <summary>The managed step of <see cref="Dense"/>: an affine map and an elementwise activation.</summary>
internal sealed class HostDense : HostStep
{
    private readonly HostAffine affine;
    private readonly float[] output;
    private readonly Activation? activation;

    private HostDense(HostAffine affine, Activation? activation)
    {
        this.affine = affine;
        this.activation = activation;
        output = new float[affine.Outputs];
    }

    /// <summary>The step, or null for an activation or input width it does not run.</summary>
    public static HostDense? TryCreate(Dense dense, HostStepInput input, bool last)
    {
        // The last layer hands over its logits (its activation is the sampler's business), as the tensor step does.
        Activation? activation = last ? null : dense.Options.Activation;
        if (activation is { } a && !HostActivations.Supports(a) && a != Activation.Softmax)
            return null;
        var affine = HostAffine.TryCreate(dense.Kernel, dense.Bias, input);
        return affine is null ? null : new HostDense(affine, activation);
    }

    public override int Width => output.Length;

    public override ReadOnlySpan<float> Forward(int token, bool isToken, ReadOnlySpan<float> input)
    {
        affine.Apply(token, isToken, input, output);
        if (activation == Activation.Softmax)
            HostActivations.Softmax(output);
        else if (activation is { } a)
            HostActivations.Apply(a, output);
        return output;
    }
}

/// <summary>
/// The managed step of a <see cref="RecurrentLayer"/>: both projections here, the cell's gate maths in the layer's own
/// <see cref="RecurrentLayer.HostCell"/>.
/// </summary>
internal sealed class HostRecurrent : HostStep
{
    private readonly RecurrentLayer layer;
    private readonly HostAffine input;
    private readonly HostAffine hidden;
    private readonly float[] inputProjection;
    private readonly float[] hiddenProjection;
    private readonly float[] h;
    private readonly float[] c;

    private HostRecurrent(RecurrentLayer layer, HostAffine input, HostAffine hidden)
    {
        this.layer = layer;
        this.input = input;
        this.hidden = hidden;
        int units = (int)layer.Options.Units;
        inputProjection = new float[input.Outputs];
        hiddenProjection = new float[hidden.Outputs];
        h = new float[units];
        c = new float[layer.Kind == RecurrentKind.Lstm ? units : 0];
    }

    /// <summary>The step, or null for a layer that reads backwards, an activation or an input width it does not run.</summary>
    public static HostRecurrent? TryCreate(RecurrentLayer layer, HostStepInput x)
    {
        if (layer.Options.GoBackwards || !HostActivations.Supports(layer.Options.Activation) ||
            (layer.Kind != RecurrentKind.SimpleRnn && !HostActivations.Supports(layer.Options.RecurrentActivation)))
            return null;
        var (wih, whh, bih, bhh) = layer.Weights();
        var input = HostAffine.TryCreate(wih, bih, x);
        var hidden = HostAffine.TryCreate(whh, bhh, x with { Width = (int)layer.Options.Units });
        return input is null || hidden is null ? null : new HostRecurrent(layer, input, hidden);
    }

    public override int Width => h.Length;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public override ReadOnlySpan<float> Forward(int token, bool isToken, ReadOnlySpan<float> x)
    {
        input.Apply(token, isToken, x, inputProjection);
        hidden.Apply(0, false, h, hiddenProjection);
        layer.HostCell(inputProjection, hiddenProjection, h, c);
        return h;
    }
}

/// <summary>y = W x + b for W (outputs, inputs) in torch layout; x is a vector, or a character when one-hot.</summary>
internal sealed class HostAffine
{
    private readonly float[] weight;        // (outputs, inputs), row-major
    private readonly float[]? columns;      // (inputs, outputs): the transpose, for one-hot input
    private readonly float[] bias;

    private HostAffine(float[] weight, float[]? columns, float[] bias, int outputs, int inputs)
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
    public static HostAffine? TryCreate(Tensor weight, Tensor? bias, HostStepInput x)
    {
        int outputs = (int)weight.shape[0], inputs = (int)weight.shape[1];
        // The character itself: one-hot over the vocabulary (index input needs an embedding first).
        bool oneHot = x.Width is null;
        if (oneHot && (!x.IsOneHotCharacter || inputs != x.VocabularySize))
            return null;
        if (!oneHot && inputs != x.Width)
            return null;
        float[]? columns = null;
        if (oneHot)
        {
            using var transposed = weight.detach().t().contiguous();
            columns = HostStep.Copy(transposed);
        }
        var b = bias is null ? new float[outputs] : HostStep.Copy(bias);
        return new HostAffine(HostStep.Copy(weight), columns, b, outputs, inputs);
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

/// <summary>The activations, elementwise in place on floats, as <see cref="Activations.Apply"/> computes them on tensors.</summary>
internal static class HostActivations
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
