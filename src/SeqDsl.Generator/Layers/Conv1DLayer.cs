using SeqDsl.Generator.Analysis;
using SeqDsl.Generator.Catalog;
using SeqDsl.Generator.Emit;
using SeqDsl.Generator.Model;
using SeqDsl.Runtime.Layers;

namespace SeqDsl.Generator.Layers;

internal sealed record Conv1DSettings(long Filters, long KernelSize, long Strides, Padding Padding, long DilationRate, Activation Activation, bool UseBias) : LayerSettings;

/// <summary>Keras Conv1D over the time axis: (time, features) → (time', filters).</summary>
internal sealed class Conv1DLayer : LayerDef<Conv1DSettings>
{
    private static readonly OptionDef Filters = LayerOptions.Positive("filters", "Number of output filters.", required: true);
    private static readonly OptionDef KernelSize = LayerOptions.Positive("kernel_size", "Length of the convolution window.", required: true);
    private static readonly OptionDef Strides = LayerOptions.Positive("strides", "Step of the convolution window.", "1");
    private static readonly OptionDef PaddingOption = new("padding", OptionType.Choice, "valid: no padding; same: output length ceil(time / strides); causal: left padding so that output t depends on inputs up to t.") { Default = "valid", Choices = new[] { "valid", "same", "causal" }, RuntimeEnum = nameof(Layers.Padding) };
    private static readonly OptionDef DilationRate = LayerOptions.Positive("dilation_rate", "Dilation of the convolution window.", "1");
    private static readonly OptionDef ActivationOption = LayerOptions.Activation("linear");
    private static readonly OptionDef UseBias = LayerOptions.UseBias();

    public Conv1DLayer() : base("conv1d", "Conv1D", "Conv1D", "1D convolution over the time axis.", Filters, KernelSize, Strides, PaddingOption, DilationRate, ActivationOption, UseBias)
    {
    }

    protected override Conv1DSettings BindSettings(LayerOptionReader options) => new(
        options.Int(Filters), options.Int(KernelSize), options.Int(Strides), options.Choice<Padding>(PaddingOption),
        options.Int(DilationRate), options.Choice<Activation>(ActivationOption), options.Bool(UseBias));

    protected override (OptionDef Key, string Message)? Conflict(Conv1DSettings settings, string context)
        => settings.Strides > 1 && settings.DilationRate > 1
            ? (DilationRate, $"'strides' ({settings.Strides}) and 'dilation_rate' ({settings.DilationRate}) in {context} cannot both be greater than 1 (Keras rejects this combination too)")
            : null;

    protected override LayerShape? Infer(LayerInference layer, Conv1DSettings settings)
    {
        if (!layer.NeedsTime()) return null;
        checked
        {
            long filters = settings.Filters;
            var parameters = Count.Of(layer.Input.Features * (settings.KernelSize * filters)) + Count.Of(settings.UseBias ? filters : 0);
            long span = PaddingMath.Span(settings.KernelSize, settings.DilationRate);
            return layer.SlidTime(span, settings.Strides, settings.Padding != Padding.Valid, $"A kernel spanning {span} steps", "use a smaller kernel_size or dilation_rate, 'padding: same', or a longer input.") is Dim time
                ? LayerShape.WithParameters(TensorShape.Sequence(time, Dim.Of(filters)), parameters)
                : null;
        }
    }

    protected override string Construct(LayerConstruction layer, Conv1DSettings settings)
        => $"new {RuntimeType}({layer.NameLiteral}, {layer.InputFeatures}, new {Runtime("Conv1DOptions")}({settings.Filters}, {settings.KernelSize}){layer.Initializers(Filters, KernelSize)})";
}
