namespace SeqDsl.Runtime.Layers;

/// <summary>Element-wise (or, for <see cref="Softmax"/>, last-axis) activation functions, named as in Keras.</summary>
public enum Activation
{
    /// <summary>Identity.</summary>
    Linear,
    /// <summary>max(x, 0).</summary>
    Relu,
    /// <summary>Exponential linear unit with alpha 1.</summary>
    Elu,
    /// <summary>Exact (erf-based) GELU, the Keras default.</summary>
    Gelu,
    /// <summary>Hyperbolic tangent.</summary>
    Tanh,
    /// <summary>Logistic sigmoid.</summary>
    Sigmoid,
    /// <summary>Keras 2 piecewise-linear sigmoid: clip(0.2x + 0.5, 0, 1).</summary>
    HardSigmoid,
    /// <summary>Softmax over the last axis.</summary>
    Softmax,
}

/// <summary>Padding of convolutions and poolings along the time axis, as in Keras.</summary>
public enum Padding
{
    /// <summary>No padding; only full windows are used.</summary>
    Valid,
    /// <summary>Pads so that the output length is ceil(length / stride), extra padding on the right (TensorFlow rule).</summary>
    Same,
    /// <summary>Pads on the left only, so that output step t sees no input after t (convolutions only).</summary>
    Causal,
}

/// <summary>How <see cref="Bidirectional"/> combines the forward and backward outputs.</summary>
public enum MergeMode
{
    /// <summary>Concatenate on the feature axis (width doubles).</summary>
    Concat,
    /// <summary>Element-wise sum.</summary>
    Sum,
    /// <summary>Element-wise product.</summary>
    Mul,
    /// <summary>Element-wise mean.</summary>
    Ave,
}

/// <summary>Recurrent cell type.</summary>
public enum RecurrentKind
{
    /// <summary>Gated recurrent unit (Keras reset_after=True).</summary>
    Gru,
    /// <summary>Long short-term memory.</summary>
    Lstm,
    /// <summary>Fully connected recurrence h' = act(W x + U h + b).</summary>
    SimpleRnn,
}

/// <summary>Which kernel a recurrent layer runs.</summary>
public enum RecurrentImplementation
{
    /// <summary>The fused torch kernel when the options allow it, the step loop otherwise.</summary>
    Auto,
    /// <summary>Always the fused torch kernel; options it cannot express are rejected.</summary>
    Fused,
    /// <summary>Always the step-by-step loop.</summary>
    Loop,
}
