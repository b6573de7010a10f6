using SeqDsl.Generator.Analysis;
using SeqDsl.Generator.Catalog;
using SeqDsl.Generator.Emit;
using SeqDsl.Generator.Model;

namespace SeqDsl.Generator.Layers;

internal sealed record MovingAverageSettings(long Kernel) : LayerSettings;

/// <summary>A moving average over time that keeps the length (DLinear's trend): (time, features) → (time, features).</summary>
internal sealed class MovingAverageLayer : LayerDef<MovingAverageSettings>
{
    /// <summary>The kernel option, shared with the decomposition block.</summary>
    internal static readonly OptionDef Kernel = LayerOptions.Positive("kernel",
        "Steps each average spans (DLinear: 25). The series is padded with its first value before and its last value after, (kernel - 1) / 2 steps each (an even kernel's extra step after), so the length is kept.",
        required: true);

    public MovingAverageLayer() : base("moving_average", "MovingAverage", "MovingAverage",
        "Moving average over the time axis with stride 1 and the series' end values repeated beyond its ends; keeps the time length.", Kernel)
    {
    }

    protected override MovingAverageSettings BindSettings(LayerOptionReader options) => new(options.Int(Kernel));

    protected override LayerShape? Infer(LayerInference layer, MovingAverageSettings settings)
        => layer.NeedsTime() ? LayerShape.WithoutParameters(layer.Input) : null;

    protected override string Construct(LayerConstruction layer, MovingAverageSettings settings)
        => $"new {RuntimeType}({layer.NameLiteral}, {RuntimeOptions(settings)})";

    internal static string RuntimeOptions(MovingAverageSettings settings) => $"new {Runtime("MovingAverageOptions")}({settings.Kernel})";
}
