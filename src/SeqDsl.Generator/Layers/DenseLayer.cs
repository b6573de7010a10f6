using SeqDsl.Generator.Analysis;
using SeqDsl.Generator.Catalog;
using SeqDsl.Generator.Emit;
using SeqDsl.Generator.Model;

namespace SeqDsl.Generator.Layers;

internal sealed record DenseSettings(Dim Units, Activation Activation, bool UseBias) : LayerSettings;

/// <summary>Keras Dense on the last axis: (…, features) → (…, units).</summary>
internal sealed class DenseLayer : LayerDef<DenseSettings>
{
    private static readonly OptionDef Units = LayerOptions.Units("Dimensionality of the output space; 'vocab' in a text task, 'labels' (the label count) in an episodes task.", allowsVocab: true, allowsLabels: true);
    private static readonly OptionDef ActivationOption = LayerOptions.Activation("linear");
    private static readonly OptionDef UseBias = LayerOptions.UseBias();

    public DenseLayer() : base("dense", "Dense", "Dense", "Densely connected layer on the last axis.", Units, ActivationOption, UseBias)
    {
    }

    public override PaddedInput PaddedInput => PaddedInput.PerStep;

    protected override DenseSettings BindSettings(LayerOptionReader options)
        => new(options.Size(Units), options.Choice<Activation>(ActivationOption), options.Bool(UseBias));

    protected override LayerShape? Infer(LayerInference layer, DenseSettings settings)
    {
        var input = layer.Input;
        var units = settings.Units;
        var parameters = input.Features * units + (settings.UseBias ? Count.Of(units) : Count.Zero);
        return LayerShape.WithParameters(input.HasTime ? TensorShape.Sequence(input.Time, units) : TensorShape.Vector(units), parameters);
    }

    protected override string Construct(LayerConstruction layer, DenseSettings settings)
        => $"new {RuntimeType}({layer.NameLiteral}, {layer.InputFeatures}, new {Runtime("DenseOptions")}({settings.Units.ToCSharp()}){layer.Initializers(Units)})";
}
