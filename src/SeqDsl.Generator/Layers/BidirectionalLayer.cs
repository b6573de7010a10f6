using SeqDsl.Generator.Analysis;
using SeqDsl.Generator.Catalog;
using SeqDsl.Generator.Emit;
using SeqDsl.Generator.Model;

namespace SeqDsl.Generator.Layers;

internal sealed record BidirectionalSettings(MergeMode MergeMode) : LayerSettings;

/// <summary>Keras Bidirectional around a recurrent layer (the spec's 'layer', <see cref="LayerSpec.Inner"/>).</summary>
internal sealed class BidirectionalLayer : LayerDef<BidirectionalSettings>
{
    private static readonly OptionDef Layer = new("layer", OptionType.Layer, "The recurrent layer to run in both directions, e.g. { gru: { units: 32 } }.") { Required = true };
    private static readonly OptionDef MergeModeOption = new("merge_mode", OptionType.Choice, "How the forward and backward outputs are combined.") { Default = "concat", Choices = new[] { "concat", "sum", "mul", "ave" }, RuntimeEnum = nameof(Layers.MergeMode) };

    public BidirectionalLayer() : base("bidirectional", "Bidirectional", "Bidirectional", "Runs a recurrent layer forwards and backwards and merges the two outputs.", Layer, MergeModeOption)
    {
    }

    public override PaddedInput PaddedInput => PaddedInput.LengthAware;

    public override string TimeAxisHint(string name) => $" Set 'return_sequences: true' in the layer wrapped by '{name}' to keep the time axis.";

    protected override BidirectionalSettings BindSettings(LayerOptionReader options) => new(options.Choice<MergeMode>(MergeModeOption));

    protected override LayerShape? Infer(LayerInference layer, BidirectionalSettings settings)
    {
        if (!layer.NeedsTime()) return null;
        var (inner, innerSettings) = Wrapped(layer.Layer);
        var one = inner.InferRecurrent(layer.Input, innerSettings);
        checked
        {
            var features = Dim.Of(settings.MergeMode == MergeMode.Concat ? 2 * innerSettings.Units : innerSettings.Units);
            return new LayerShape(one.Output.HasTime ? TensorShape.Sequence(one.Output.Time, features) : TensorShape.Vector(features),
                one.Parameters * 2, one.KerasParameters * 2);
        }
    }

    protected override string Construct(LayerConstruction layer, BidirectionalSettings settings)
    {
        var (inner, innerSettings) = Wrapped(layer.Layer);
        return $"new {RuntimeType}({layer.NameLiteral}, {Runtime("RecurrentKind")}.{inner.RuntimeClass}, {layer.InputFeatures}, {RecurrentLayer.RuntimeOptions(layer.Layer.Inner!, innerSettings)}, {Runtime(nameof(Layers.MergeMode))}.{settings.MergeMode})";
    }

    // The parser accepts only a recurrent layer as 'layer'.
    private static (RecurrentLayer Kind, RecurrentSettings Settings) Wrapped(LayerSpec layer)
        => ((RecurrentLayer)layer.Inner!.Definition, (RecurrentSettings)layer.Inner.Settings);
}
