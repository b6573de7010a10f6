using SeqDsl.Generator.Analysis;
using SeqDsl.Generator.Diagnostics;
using SeqDsl.Generator.Emit;
using SeqDsl.Generator.Model;

namespace SeqDsl.Generator.Layers;

/// <summary>Keras Flatten: (time, features) → (time · features); needs a fixed time length.</summary>
internal sealed class FlattenLayer : LayerDef<NoSettings>
{
    public FlattenLayer() : base("flatten", "Flatten", "Flatten", "Flattens (batch, time, features) to (batch, time * features); needs a fixed time length.")
    {
    }

    protected override NoSettings BindSettings(LayerOptionReader options) => NoSettings.Instance;

    protected override LayerShape? Infer(LayerInference layer, NoSettings settings)
    {
        var input = layer.Input;
        if (!input.HasTime) return LayerShape.WithoutParameters(input);
        if (input.Time.IsOpen)
        {
            layer.Report(SeqDiagnostics.FlattenOpenTime, layer.Layer.Name, input.ToString());
            return null;
        }
        return LayerShape.WithoutParameters(TensorShape.Vector(checked(input.Features * input.Time.Value)));
    }

    protected override string Construct(LayerConstruction layer, NoSettings settings) => $"new {RuntimeType}({layer.NameLiteral})";
}
