using System;

namespace SeqDsl.Runtime.Text;

/// <summary>How a <see cref="CharWindowSource"/> feeds the model.</summary>
public enum TextEncoding
{
    /// <summary>Inputs are one-hot vectors, (batch, MaxLen, vocabulary) float32, as the lecture's boolean <c>x</c>.</summary>
    OneHot,

    /// <summary>Inputs are character indices, (batch, MaxLen) int64, for an embedding layer.</summary>
    Indices,
}

/// <summary>
/// Shape of the character windows, as the lecture's <c>maxlen</c> and <c>step</c>, and the batch size.
/// </summary>
/// <param name="MaxLen">Characters per window (the lecture's <c>maxlen</c>); the next character is the target.</param>
/// <param name="Step">Characters between the starts of consecutive windows (the lecture's <c>step</c>).</param>
/// <param name="BatchSize">Windows per batch.</param>
public sealed record CharWindowOptions(int MaxLen = 60, int Step = 3, int BatchSize = 128)
{
    /// <summary>Characters per window (the lecture's <c>maxlen</c>); at least 1.</summary>
    public int MaxLen { get; init; } = Positive(MaxLen, nameof(MaxLen));

    /// <summary>Characters between the starts of consecutive windows; at least 1.</summary>
    public int Step { get; init; } = Positive(Step, nameof(Step));

    /// <summary>Windows per batch; at least 1.</summary>
    public int BatchSize { get; init; } = Positive(BatchSize, nameof(BatchSize));

    /// <summary>Whether each batch draws windows at random (seeded) instead of taking them in order.</summary>
    public bool Shuffle { get; init; } = true;

    /// <summary>Whether inputs are one-hot vectors or character indices.</summary>
    public TextEncoding Encoding { get; init; } = TextEncoding.OneHot;

    private static int Positive(int value, string name) =>
        value >= 1 ? value : throw new ArgumentException($"{name} must be at least 1, got {value}.", name);
}
