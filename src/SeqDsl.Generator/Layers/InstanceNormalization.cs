using System.Collections.Generic;
using System.Linq;
using SeqDsl.Generator.Catalog;
using SeqDsl.Generator.Diagnostics;
using SeqDsl.Generator.Model;
using SeqDsl.Generator.Parsing;

namespace SeqDsl.Generator.Layers;

/// <summary>
/// The spec's top-level 'normalization': instance normalization around the whole layer list (NLinear's subtract-last,
/// RevIN). Everything about it is here: its catalog entry, its binding, which models it can wrap (SEQ3011), its row of
/// the layer table and the runtime object the generated class creates (<c>SeqDsl.Runtime.Layers.InstanceNormalization</c>).
/// </summary>
internal static class InstanceNormalization
{
    /// <summary>The runtime class as generated code names it.</summary>
    public static string RuntimeType => LayerDef.Runtime("InstanceNormalization");

    public static readonly OptionDef Option = new("normalization", OptionType.Variant,
        "Instance normalization around the whole model: each window is normalized with its own statistics per channel before the first layer, and the output mapped back with the same statistics. subtract_last: NLinear's (the window's last value); revin: RevIN's (mean and standard deviation over the window, optionally with a learnable weight and bias per channel). A (None, horizon) output takes the target column's statistics; a (None, horizon, features) output each channel's.")
    {
        Variants = new[]
        {
            new VariantDef("subtract_last", "Subtract each window's last value per channel; add it back to the output (NLinear)."),
            new VariantDef("revin", "Reversible instance normalization (RevIN): subtract the window's mean and divide by its standard deviation per channel; undo both on the output.",
                new OptionDef("affine", OptionType.Boolean, "A learnable weight (ones) and bias (zeros) per channel after normalizing, undone before de-normalizing: 2 parameters per input feature.") { Default = "true" },
                new OptionDef("eps", OptionType.Number, "Added to the variance before its square root.") { Default = "1E-05", Minimum = 0, MinimumExclusive = true }),
        },
    };

    /// <summary>The normalization's values as the parser read them (the variant at 'normalization', its options below it) as typed settings.</summary>
    public static InstanceNormSettings Bind(SettingValues values, SourceSpan span)
    {
        var kind = values.Raw(Option.Name) == "revin" ? InstanceNormKind.Revin : InstanceNormKind.SubtractLast;
        string revin = Option.Name + ".";
        var given = new List<string>();
        foreach (var variant in Option.Variants)
            foreach (var option in variant.Options)
                if (values.Find(Option.Name + "." + option.Name) is { } value) given.Add($"{option.Name}: {value.Value}");
        string name = values.Raw(Option.Name)!;
        string specText = $"{Option.Name}: " + (given.Count == 0 ? name : $"{{ {name}: {{ {string.Join(", ", given)} }} }}");
        return kind == InstanceNormKind.Revin
            ? new InstanceNormSettings(kind, values.Bool(revin + "affine"), values.Number(revin + "eps"), specText, span)
            : new InstanceNormSettings(kind, false, 0, specText, span);
    }

    /// <summary>The Keras-style type of its row in the layer table.</summary>
    public static string TypeName(InstanceNormSettings settings) => settings.Kind == InstanceNormKind.Revin ? "RevIN" : "SubtractLast";

    /// <summary>
    /// The normalization around <paramref name="plan"/>'s layers, or null after reporting SEQ3011: it needs a series task's
    /// (None, time, features) input, and an output it can map back, (None, horizon) from the target's channel or
    /// (None, horizon, features) per channel.
    /// </summary>
    public static NormalizationPlan? Plan(string path, ModelPlan plan, InstanceNormSettings settings, List<DiagnosticInfo> diagnostics)
    {
        var experiment = plan.Spec.Experiment;
        var input = plan.InputShape;
        var output = plan.OutputShape;
        long? target = null;
        string? problem =
            experiment.Text is not null ? "a text task's input is characters (one-hot or token ids), not a series with statistics of its own"
            : experiment.Episodes is not null ? "an episodes task's records are padded to the longest of each batch, so statistics over a window would read the padding"
            : !input.HasTime || input.Tokens || !input.Features.IsNumber ? $"its input {input} is not (None, time, features)"
            : plan.Layers[plan.Layers.Count - 1].Spec.Settings is DenseSettings { Activation: Activation.Softmax } ? "the last layer ends in a softmax, whose probabilities de-normalizing would not keep"
            : null;
        if (problem is null && output.Rank == 3 && output.Features == input.Features)
            target = 0; // per channel; the target channel is unused
        else if (problem is null && output.Rank == 2)
        {
            target = input.Features.Is(1) ? 0
                : experiment.Data is { Targets.Count: 1 } data && ExperimentBinder.KnownColumns(data) is { } columns && columns.Contains(data.Targets[0]) ? columns.ToList().IndexOf(data.Targets[0])
                : null;
            if (target is null)
                problem = $"its output {output} is one series, but the input has {input.Features} features and no 'data' section names the target column whose statistics map the output back";
        }
        else if (problem is null)
            problem = $"its output {output} is neither (None, horizon), from the target's statistics, nor (None, horizon, {input.Features}), per input channel";
        if (problem is not null)
        {
            diagnostics.Add(DiagnosticInfo.Create(SeqDiagnostics.NormalizationUnsupported, path, settings.Span, settings.SpecText, problem));
            return null;
        }
        var parameters = settings.Kind == InstanceNormKind.Revin && settings.Affine ? Count.Of(input.Features) * 2 : Count.Zero;
        return new NormalizationPlan(settings, input, parameters, target!.Value);
    }

    /// <summary>The C# expression that creates the runtime normalization.</summary>
    public static string Construct(NormalizationPlan plan)
    {
        var settings = plan.Settings;
        string options = $"new {LayerDef.Runtime("InstanceNormOptions")}({LayerDef.Runtime(nameof(InstanceNormKind))}.{settings.Kind})";
        var init = new List<string>();
        if (settings.Kind == InstanceNormKind.Revin)
        {
            init.Add($"Affine = {(settings.Affine ? "true" : "false")}");
            init.Add($"Eps = {Emit.ModelEmitter.Number(settings.Eps)}");
        }
        if (plan.TargetChannel != 0) init.Add($"TargetChannel = {plan.TargetChannel}");
        if (init.Count > 0) options += " { " + string.Join(", ", init) + " }";
        return $"new {RuntimeType}({Emit.Escape.StringLiteral(settings.Name)}, {plan.Shape.Features.ToCSharp()}, {options})";
    }
}
