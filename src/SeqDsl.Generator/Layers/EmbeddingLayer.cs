using SeqDsl.Generator.Analysis;
using SeqDsl.Generator.Catalog;
using SeqDsl.Generator.Diagnostics;
using SeqDsl.Generator.Emit;
using SeqDsl.Generator.Model;

namespace SeqDsl.Generator.Layers;

internal sealed record EmbeddingSettings(Dim InputDim, long OutputDim) : LayerSettings;

/// <summary>Keras Embedding: int64 token ids (time) → (time, output_dim).</summary>
internal sealed class EmbeddingLayer : LayerDef<EmbeddingSettings>
{
    private static readonly OptionDef InputDim = new("input_dim", OptionType.Integer, "Size of the vocabulary: the largest token id plus one; 'vocab' in a text task.") { Required = true, Minimum = 0, MinimumExclusive = true, AllowsVocab = true };
    private static readonly OptionDef OutputDim = LayerOptions.Positive("output_dim", "Dimension of the dense embedding.", required: true);

    public EmbeddingLayer() : base("embedding", "Embedding", "Embedding", "Turns integer token ids (batch, time) into dense vectors (batch, time, output_dim).", InputDim, OutputDim)
    {
    }

    public override bool TakesTokens => true;

    protected override EmbeddingSettings BindSettings(LayerOptionReader options) => new(options.Size(InputDim), options.Int(OutputDim));

    protected override LayerShape? Infer(LayerInference layer, EmbeddingSettings settings)
    {
        var input = layer.Input;
        if (!input.Tokens)
        {
            layer.Report(SeqDiagnostics.TokenInput, layer.Layer.Name, layer.Layer.Kind, $"needs int64 token ids (batch, time) but receives {input}; make it the first layer and set 'dtype: int64' under 'input'");
            return null;
        }
        return LayerShape.WithParameters(TensorShape.Sequence(input.Time, Dim.Of(settings.OutputDim)), Count.Of(settings.InputDim * settings.OutputDim));
    }

    protected override string Construct(LayerConstruction layer, EmbeddingSettings settings)
        => $"new {RuntimeType}({layer.NameLiteral}, {settings.InputDim.ToCSharp()}, {settings.OutputDim})";
}
