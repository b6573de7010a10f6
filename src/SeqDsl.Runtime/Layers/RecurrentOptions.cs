namespace SeqDsl.Runtime.Layers;

/// <summary>Options shared by <see cref="Gru"/>, <see cref="Lstm"/> and <see cref="SimpleRnn"/>, named as in Keras.</summary>
/// <param name="Units">Width of the hidden state.</param>
public sealed record RecurrentOptions(long Units)
{
    /// <summary>Activation of the candidate state and of the output (LSTM); the only one of a SimpleRNN.</summary>
    public Activation Activation { get; init; } = Activation.Tanh;

    /// <summary>Activation of the gates (GRU r, z; LSTM i, f, o). Unused by SimpleRNN.</summary>
    public Activation RecurrentActivation { get; init; } = Activation.Sigmoid;

    /// <summary>Whether the layer has bias vectors.</summary>
    public bool UseBias { get; init; } = true;

    /// <summary>Dropout rate on the inputs; one mask per sequence, reused at every step (training only).</summary>
    public double Dropout { get; init; }

    /// <summary>Dropout rate on the recurrent state; one mask per sequence, reused at every step (training only).</summary>
    public double RecurrentDropout { get; init; }

    /// <summary>Return the hidden state of every step (batch, time, units) instead of the last one (batch, units).</summary>
    public bool ReturnSequences { get; init; }

    /// <summary>Process the sequence from the last step to the first; returned sequences stay in that reversed order.</summary>
    public bool GoBackwards { get; init; }

    /// <summary>Kernel choice; see <see cref="RecurrentImplementation"/>.</summary>
    public RecurrentImplementation Implementation { get; init; } = RecurrentImplementation.Auto;
}
