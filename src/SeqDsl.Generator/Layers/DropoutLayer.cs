using SeqDsl.Generator.Analysis;
using SeqDsl.Generator.Catalog;
using SeqDsl.Generator.Emit;

namespace SeqDsl.Generator.Layers;

internal sealed record DropoutSettings(double Rate) : LayerSettings;

/// <summary>Keras Dropout: the shape passes through.</summary>
internal sealed class DropoutLayer : LayerDef<DropoutSettings>
{
    private static readonly OptionDef Rate = LayerOptions.Fraction("rate", "Fraction of the input units to drop.", required: true);

    public DropoutLayer() : base("dropout", "Dropout", "Dropout", "Sets a fraction of inputs to 0 at training time.", Rate)
    {
    }

    public override PaddedInput PaddedInput => PaddedInput.PerStep;

    protected override DropoutSettings BindSettings(LayerOptionReader options) => new(options.Number(Rate));

    protected override LayerShape? Infer(LayerInference layer, DropoutSettings settings) => LayerShape.WithoutParameters(layer.Input);

    protected override string Construct(LayerConstruction layer, DropoutSettings settings)
        => $"new {RuntimeType}({layer.NameLiteral}, {ModelEmitter.Number(settings.Rate)})";
}
