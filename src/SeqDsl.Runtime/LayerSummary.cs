namespace SeqDsl.Runtime;

/// <summary>One row of a model's build-time layer table.</summary>
/// <param name="Name">The layer's name in the spec (also its field and weight-key prefix).</param>
/// <param name="Type">The Keras class the layer mirrors (GRU, Dense, …).</param>
/// <param name="OutputShape">Output shape including the batch axis; null marks the batch and open axes.</param>
/// <param name="Parameters">Trainable parameters in TorchSharp's layout.</param>
/// <param name="KerasParameters">The same layer's count in Keras (differs for LSTM and SimpleRNN: one bias vector there).</param>
/// <param name="Spec">The layer as written in the spec, in one line of flow YAML.</param>
/// <param name="Line">1-based line of the layer in the spec file.</param>
public sealed record LayerSummary(string Name, string Type, long?[] OutputShape, long Parameters, long KerasParameters, string Spec, int Line)
{
    /// <summary>0 for a layer of the model's list; 1 for a layer inside a block of it (a branches path, a residual body), and so on.</summary>
    public int Depth { get; init; }

    /// <summary>Keras notation, e.g. (None, 240, 32).</summary>
    public string ShapeText => "(" + string.Join(", ", System.Array.ConvertAll(OutputShape, d => d?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "None")) + ")";
}
