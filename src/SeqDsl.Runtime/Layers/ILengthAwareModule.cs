using static TorchSharp.torch;

namespace SeqDsl.Runtime.Layers;

/// <summary>
/// A module that reads padded batches of variable-length sequences: <c>lengths</c> gives each record's real
/// steps, and nothing of a record's padding reaches its real outputs. Recurrent layers, the bidirectional wrapper and the
/// model class generated for an episodes spec implement it.
/// </summary>
public interface ILengthAwareModule
{
    /// <summary>
    /// Runs the module on <paramref name="input"/> (batch, time, features), padded after each record's end, with
    /// <paramref name="lengths"/> (batch) int64 real steps (each in 1..time, on the CPU or the input's device). With
    /// return_sequences the outputs at real steps are those of the unpadded record (the padding steps' outputs are
    /// unspecified); without it the output is the state after the record's last real step. Backward directions start
    /// at each record's own last real step.
    /// </summary>
    Tensor forward(Tensor input, Tensor lengths);
}
