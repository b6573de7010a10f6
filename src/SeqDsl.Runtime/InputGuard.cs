using System;
using System.Linq;
using TorchSharp;

namespace SeqDsl.Runtime;

/// <summary>
/// Checks a model's input before any layer runs. A shape mismatch inside libtorch's matmul can abort the
/// whole process; this turns it into an <see cref="ArgumentException"/> that says what was expected.
/// </summary>
public static class InputGuard
{
    /// <summary>Throws unless <paramref name="input"/> is (batch, time, features) float, or (batch, time) int64 when <paramref name="tokens"/>.</summary>
    public static void Check(torch.Tensor input, string modelName, long? time, long? features, bool tokens)
    {
        ArgumentNullException.ThrowIfNull(input);
        string expected = tokens
            ? $"(batch, {time?.ToString() ?? "time"}) int64 token ids"
            : $"(batch, {time?.ToString() ?? "time"}, {features}) float32";
        string received = "(" + string.Join(", ", input.shape.Select(d => d.ToString())) + ") " + input.dtype.ToString().ToLowerInvariant();
        int rank = tokens ? 2 : 3;
        bool ok = input.dim() == rank
                  && (time is null || input.shape[1] == time)
                  && (tokens ? input.dtype == torch.int64 || input.dtype == torch.int32 : input.is_floating_point() && input.shape[2] == features);
        if (!ok)
            throw new ArgumentException($"Model '{modelName}' expects input {expected}; received {received}.", nameof(input));
    }

    /// <summary>Throws unless <paramref name="input"/> is (batch, features) float: one vector per sample, as an episodes task's summary and first_last representations give.</summary>
    public static void CheckVectors(torch.Tensor input, string modelName, long features)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (input.dim() == 2 && input.is_floating_point() && input.shape[1] == features) return;
        string received = "(" + string.Join(", ", input.shape.Select(d => d.ToString())) + ") " + input.dtype.ToString().ToLowerInvariant();
        throw new ArgumentException($"Model '{modelName}' expects input (batch, {features}) float32; received {received}.", nameof(input));
    }
}
