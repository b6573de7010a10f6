using System.Collections.Generic;
using SeqDsl.Generator.Analysis;
using SeqDsl.Generator.Catalog;
using SeqDsl.Generator.Diagnostics;
using SeqDsl.Generator.Emit;
using SeqDsl.Generator.Helpers;
using SeqDsl.Generator.Model;

namespace SeqDsl.Generator.Layers;

internal sealed record GruDSettings(long Units, double Dropout, double RecurrentDropout, bool ReturnSequences) : LayerSettings;

/// <summary>
/// gru_d: GRU-D (Che et al. 2018), the runtime's <c>GruD</c>. It reads an episodes task's step channels by meaning (values,
/// indicators, hours since observed, statics), so it is the model's first layer and the preprocessing must make them.
/// </summary>
internal sealed class GruDLayer : LayerDef<GruDSettings>
{
    // Units, recurrent dropout and return_sequences mean what they mean for gru; dropout reads the cell's own inputs.
    private static readonly OptionDef Units = RecurrentLayer.Units;
    private static readonly OptionDef Dropout = LayerOptions.Fraction("dropout", "Fraction of the cell's inputs (decayed values, indicators, statics) to drop: one mask per sequence, reused at every step.", "0");
    private static readonly OptionDef RecurrentDropout = RecurrentLayer.RecurrentDropout;
    private static readonly OptionDef ReturnSequences = RecurrentLayer.ReturnSequences;

    public GruDLayer()
        : base("gru_d", "GRU-D", "GruD",
            "Gated recurrent unit with decay (Che et al. 2018): a GRU whose inputs decay from the last observed value toward the training mean, and whose state decays, with the hours since each variable was observed. "
            + "The first layer of an episodes spec with missing_indicators, time_since_observed, scaling: standardize and imputation: forward_fill. Always runs the step loop.",
            Units, Dropout, RecurrentDropout, ReturnSequences)
    {
    }

    public override PaddedInput PaddedInput => PaddedInput.LengthAware;

    public override string TimeAxisHint(string name) => $" Set 'return_sequences: true' on '{name}' to keep the time axis.";

    protected override GruDSettings BindSettings(LayerOptionReader options) => new(
        options.Int(Units), options.Number(Dropout), options.Number(RecurrentDropout), options.Bool(ReturnSequences));

    protected override LayerShape? Infer(LayerInference layer, GruDSettings settings)
    {
        if (!layer.NeedsTime()) return null;
        if (Unreadable(layer.Channels) is { } problem)
        {
            layer.Report(SeqDiagnostics.ChannelsUnreadable, layer.Layer.Name, layer.Layer.Kind,
                "decays each variable's last observed value toward its training mean, and its state, with the hours since the variable was observed", problem);
            return null;
        }
        long variables = layer.Channels!.Variables;
        // The cell is a GRU over the decayed values, the indicators and the statics: every input channel but the hours.
        var cellInput = TensorShape.Sequence(layer.Input.Time, Dim.Of(checked(layer.Input.Features.Value - variables)));
        var cell = RecurrentLayer.Gru.InferRecurrent(cellInput, new RecurrentSettings(settings.Units, Activation.Tanh, Activation.Sigmoid,
            UseBias: true, settings.Dropout, settings.RecurrentDropout, settings.ReturnSequences, GoBackwards: false));
        checked
        {
            var decays = Count.Of(2 * variables) + Count.Of(settings.Units * variables) + Count.Of(settings.Units);
            // Keras has no GRU-D; its column adds the same decays to the GRU's Keras count.
            return new LayerShape(cell.Output, cell.Parameters + decays, cell.KerasParameters + decays) { ReadsChannels = true };
        }
    }

    /// <summary>What keeps the layer from reading <paramref name="channels"/> by meaning; null when nothing does.</summary>
    private static string? Unreadable(EpisodeChannels? channels)
    {
        if (channels is null)
            return "it reads an episodes task's steps channel by channel, so it must be the first of the model's layers in a spec with 'episodes' and 'representation: sequence'";
        var missing = new List<string>();
        if (!channels.MissingIndicators) missing.Add("'missing_indicators: true' (received false; it reads whether each variable was observed)");
        if (!channels.TimeSinceObserved) missing.Add("'time_since_observed: true' (received false; its decays read the hours since observed)");
        if (channels.Scaling != Scaling.Standardize)
            missing.Add($"'scaling: standardize' (received {Text.ToSnakeCase(channels.Scaling.ToString())}; it decays toward the training mean, which standardizing makes 0)");
        if (channels.Imputation != Imputation.ForwardFillThenMedian)
            missing.Add($"'imputation: forward_fill' (received {Text.ToSnakeCase(channels.Imputation.ToString())}; it decays the last observed value, which forward filling carries)");
        return missing.Count == 0 ? null : "under 'episodes.preprocessing' it needs " + string.Join(", ", missing);
    }

    protected override string Construct(LayerConstruction layer, GruDSettings settings)
        => $"new {RuntimeType}({layer.NameLiteral}, {layer.InputFeatures}, {layer.Channels!.Variables}, new {Runtime("RecurrentOptions")}({settings.Units}){layer.Initializers(Units)})";
}
