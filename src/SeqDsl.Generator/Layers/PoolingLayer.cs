using SeqDsl.Generator.Analysis;
using SeqDsl.Generator.Catalog;
using SeqDsl.Generator.Emit;
using SeqDsl.Generator.Model;

namespace SeqDsl.Generator.Layers;

internal sealed record PoolingSettings(long PoolSize, long? Strides, Padding Padding) : LayerSettings;

/// <summary>max_pooling1d and average_pooling1d: a window over time, (time, features) → (time', features).</summary>
internal sealed class PoolingLayer : LayerDef<PoolingSettings>
{
    private static readonly OptionDef PoolSize = LayerOptions.Positive("pool_size", "Size of the pooling window.", "2");
    private static readonly OptionDef Strides = new("strides", OptionType.Integer, "Step of the pooling window; null means pool_size.") { Default = "null", Nullable = true, Minimum = 0, MinimumExclusive = true };
    private static readonly OptionDef PaddingOption = new("padding", OptionType.Choice, "valid: no padding; same: pad so that the output length is ceil(time / strides).") { Default = "valid", Choices = new[] { "valid", "same" }, RuntimeEnum = nameof(Layers.Padding) };

    private PoolingLayer(string kind, string kerasName, string description) : base(kind, kerasName, kerasName, description, PoolSize, Strides, PaddingOption)
    {
    }

    public static readonly PoolingLayer Max = new("max_pooling1d", "MaxPooling1D", "Max pooling over the time axis.");
    public static readonly PoolingLayer Average = new("average_pooling1d", "AveragePooling1D", "Average pooling over the time axis.");

    protected override PoolingSettings BindSettings(LayerOptionReader options)
        => new(options.Int(PoolSize), options.NullableInt(Strides), options.Choice<Padding>(PaddingOption));

    protected override LayerShape? Infer(LayerInference layer, PoolingSettings settings)
    {
        if (!layer.NeedsTime()) return null;
        long pool = settings.PoolSize;
        return layer.SlidTime(pool, settings.Strides ?? pool, settings.Padding != Padding.Valid, $"A pool of {pool} steps", "use a smaller pool_size, 'padding: same', or fewer pooling layers.") is Dim time
            ? LayerShape.WithoutParameters(TensorShape.Sequence(time, layer.Input.Features))
            : null;
    }

    protected override string Construct(LayerConstruction layer, PoolingSettings settings)
        => $"new {RuntimeType}({layer.NameLiteral}, new {Runtime("Pooling1DOptions")}(){layer.Initializers()})";
}

/// <summary>global_max_pooling1d and global_average_pooling1d: (time, features) → (features).</summary>
internal sealed class GlobalPoolingLayer : LayerDef<NoSettings>
{
    private GlobalPoolingLayer(string kind, string kerasName, string description) : base(kind, kerasName, kerasName, description)
    {
    }

    public static readonly GlobalPoolingLayer Max = new("global_max_pooling1d", "GlobalMaxPooling1D", "Maximum over the whole time axis: (batch, time, features) to (batch, features).");
    public static readonly GlobalPoolingLayer Average = new("global_average_pooling1d", "GlobalAveragePooling1D", "Mean over the whole time axis: (batch, time, features) to (batch, features).");

    protected override NoSettings BindSettings(LayerOptionReader options) => NoSettings.Instance;

    protected override LayerShape? Infer(LayerInference layer, NoSettings settings)
        => layer.NeedsTime() ? LayerShape.WithoutParameters(TensorShape.Vector(layer.Input.Features)) : null;

    protected override string Construct(LayerConstruction layer, NoSettings settings) => $"new {RuntimeType}({layer.NameLiteral})";
}
