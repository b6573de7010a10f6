using System.Linq;
using SeqDsl.Generator.Analysis;
using SeqDsl.Generator.Catalog;
using SeqDsl.Generator.Emit;
using SeqDsl.Generator.Model;

namespace SeqDsl.Generator.Layers;

internal sealed record RecurrentSettings(
    long Units,
    Activation Activation,
    Activation? RecurrentActivation,
    bool UseBias,
    double Dropout,
    double RecurrentDropout,
    bool ReturnSequences,
    bool GoBackwards) : LayerSettings;

/// <summary>
/// gru, lstm and simple_rnn: one kind each, differing in gate count, runtime class and whether they have gates
/// of their own activation. The runtime's <c>RecurrentKind</c> has a member per kind named as its class.
/// </summary>
internal sealed class RecurrentLayer : LayerDef<RecurrentSettings>
{
    internal static readonly OptionDef Units = LayerOptions.Units("Dimensionality of the output space (the hidden state).");
    private static readonly OptionDef ActivationOption = LayerOptions.Activation("tanh", "Activation of the candidate state and output. Anything other than tanh (relu for simple_rnn) runs the step loop instead of the fused kernel.");
    private static readonly OptionDef RecurrentActivation = LayerOptions.Activation("sigmoid", "Activation of the gates. Keras 2.3+ uses sigmoid; Keras 2.0 used hard_sigmoid (runs the step loop).", "recurrent_activation");
    private static readonly OptionDef UseBias = LayerOptions.UseBias();
    private static readonly OptionDef Dropout = LayerOptions.Fraction("dropout", "Fraction of the input units to drop: one mask per sequence, reused at every time step (Gal & Ghahramani).", "0");
    internal static readonly OptionDef RecurrentDropout = LayerOptions.Fraction("recurrent_dropout", "Fraction of the recurrent state units to drop: one mask per sequence, reused at every step. Runs the step loop in training.", "0");
    internal static readonly OptionDef ReturnSequences = new("return_sequences", OptionType.Boolean, "Return the full sequence (batch, time, units) instead of the last output (batch, units).") { Default = "false" };
    private static readonly OptionDef GoBackwards = new("go_backwards", OptionType.Boolean, "Process the input sequence backwards (and return the reversed sequence).") { Default = "false" };

    private readonly long _gates;
    private readonly long _kerasBiasVectors;
    private readonly bool _hasGates;

    private RecurrentLayer(string kind, string kerasName, string runtimeClass, string description, long gates, long kerasBiasVectors, bool hasGates)
        : base(kind, kerasName, runtimeClass, description, OptionsOf(hasGates))
    {
        _gates = gates;
        _kerasBiasVectors = kerasBiasVectors;
        _hasGates = hasGates;
    }

    // Keras GRU with reset_after=True keeps two bias vectors per gate, as PyTorch does; Keras LSTM and SimpleRNN keep one.
    public static readonly RecurrentLayer Gru = new("gru", "GRU", "Gru", "Gated recurrent unit, Keras reset_after=True (the cuDNN/PyTorch formulation).", gates: 3, kerasBiasVectors: 2, hasGates: true);
    public static readonly RecurrentLayer Lstm = new("lstm", "LSTM", "Lstm", "Long short-term memory layer.", gates: 4, kerasBiasVectors: 1, hasGates: true);
    public static readonly RecurrentLayer SimpleRnn = new("simple_rnn", "SimpleRNN", "SimpleRnn", "Fully connected recurrent layer whose output is fed back as input.", gates: 1, kerasBiasVectors: 1, hasGates: false);

    private static OptionDef[] OptionsOf(bool hasGates) => new[]
    {
        Units, ActivationOption, hasGates ? RecurrentActivation : null, UseBias, Dropout, RecurrentDropout, ReturnSequences, GoBackwards,
    }.Where(o => o is not null).Select(o => o!).ToArray();

    public override bool IsRecurrent => true;

    public override PaddedInput PaddedInput => PaddedInput.LengthAware;

    public override string TimeAxisHint(string name) => $" Set 'return_sequences: true' on '{name}' to keep the time axis.";

    protected override RecurrentSettings BindSettings(LayerOptionReader options) => new(
        options.Int(Units), options.Choice<Activation>(ActivationOption), _hasGates ? options.Choice<Activation>(RecurrentActivation) : null,
        options.Bool(UseBias), options.Number(Dropout), options.Number(RecurrentDropout), options.Bool(ReturnSequences), options.Bool(GoBackwards));

    protected override LayerShape? Infer(LayerInference layer, RecurrentSettings settings)
        => layer.NeedsTime() ? InferRecurrent(layer.Input, settings) : null;

    /// <summary>Recurrent layers keep PyTorch's parameter layout (two bias vectors per gate); Keras's count is in <see cref="LayerShape.KerasParameters"/>.</summary>
    public LayerShape InferRecurrent(TensorShape input, RecurrentSettings settings)
    {
        checked
        {
            long units = settings.Units;
            var weights = (Count.Of(input.Features * units) + Count.Of(units * units)) * _gates;
            var parameters = weights + Count.Of(settings.UseBias ? 2 * _gates * units : 0);
            var kerasParameters = weights + Count.Of(settings.UseBias ? _kerasBiasVectors * _gates * units : 0);
            var output = settings.ReturnSequences ? TensorShape.Sequence(input.Time, Dim.Of(units)) : TensorShape.Vector(Dim.Of(units));
            return new LayerShape(output, parameters, kerasParameters);
        }
    }

    protected override string Construct(LayerConstruction layer, RecurrentSettings settings)
        => $"new {RuntimeType}({layer.NameLiteral}, {layer.InputFeatures}, {RuntimeOptions(layer.Layer, settings)})";

    /// <summary>The runtime's RecurrentOptions for a layer of this kind (also the layer a bidirectional wraps).</summary>
    public static string RuntimeOptions(LayerSpec layer, RecurrentSettings settings)
        => $"new {Runtime("RecurrentOptions")}({settings.Units}){LayerConstruction.Initializers(layer, Units)}";
}
