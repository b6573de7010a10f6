using SeqDsl.Runtime.Episodes;
using SeqDsl.Runtime.Experiments;
using SeqDsl.Runtime.Layers;
using SeqDsl.Runtime.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace SeqDsl.Runtime.Tests.Experiments;

/// <summary>
/// A tiny hand-written model of an episodes task, independent of the recurrent layers: a per-step two-layer perceptron
/// whose logits are averaged over the steps so far (a causal cumulative mean). Padding comes after a record's real steps,
/// so it never reaches the logits of a real step, and the last real step's logits are the mean over the whole record.
/// Flat inputs (batch, features) get the same perceptron once.
/// </summary>
internal sealed class TinyEpisodeModel : nn.Module<Tensor, Tensor>, ILengthAwareModule, ISeqDslModel
{
    private readonly TorchSharp.Modules.Linear _hidden;
    private readonly TorchSharp.Modules.Linear _output;

    public TinyEpisodeModel(int features, int labels, bool flat = false) : base("TinyEpisode")
    {
        _hidden = nn.Linear(features, 8);
        _output = nn.Linear(8, labels);
        Input = new ModelInput(flat ? 1 : null, features, false, flat ? $"(None, {features})" : $"(None, None, {features})");
        RegisterComponents();
    }

    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var logits = _output.call(_hidden.call(input).tanh());
        if (input.dim() == 2) return logits.MoveToOuterDisposeScope();
        var steps = arange(1, logits.shape[1] + 1, dtype: ScalarType.Float32, device: logits.device).view(1, -1, 1);
        return (logits.cumsum(1) / steps).MoveToOuterDisposeScope();
    }

    /// <summary>The cumulative mean never looks ahead, so the lengths are not needed to keep padding out of real steps.</summary>
    public Tensor forward(Tensor input, Tensor lengths) => forward(input);

    public string ModelName => "TinyEpisode";
    public string SpecFile => "tiny_episode.yaml";
    public ModelSizes Sizes => ModelSizes.None;
    public ModelInput Input { get; }
    public IReadOnlyList<LayerSummary> Layers => Array.Empty<LayerSummary>();
    public long ParameterCount => parameters().Sum(p => p.numel());
    public IReadOnlyList<nn.Module<Tensor, Tensor>> LayerModules => new nn.Module<Tensor, Tensor>[] { _hidden, _output };
    public string Summary() => ModelName;
}

/// <summary>Specs of a small synthetic diagnosis task for the runner's tests.</summary>
internal static class EpisodeTestSpecs
{
    /// <summary>Three scored labels with prevalences of 15 to 30 % and one auxiliary label.</summary>
    public static readonly LabelDefinition[] Labels =
    {
        new("sepsis", "sepsis"),
        new("hypertension", "hypertension"),
        new("shock", "shock"),
        new("died", "in_hospital_death", Auxiliary: true),
    };

    /// <summary>120 synthetic records, the first 48 hours hourly, 2 epochs of a tiny model; <paramref name="features"/> overrides the model's input width.</summary>
    public static ExperimentSpec Small(EpisodeRepresentation representation = EpisodeRepresentation.Sequence, int? features = null,
        IReadOnlyList<LabelDefinition>? labels = null, Scaling scaling = Scaling.MinMax, int epochs = 2)
    {
        int variables = EpisodeLayout.SyntheticIcuVariables.Length;
        int width = features ?? representation switch
        {
            EpisodeRepresentation.Summary => EpisodeLayout.SummaryFeatures(variables, 0),
            EpisodeRepresentation.FirstLast => EpisodeLayout.FirstLastFeatures(3, variables),
            _ => variables,
        };
        var labelList = labels ?? Labels;
        bool flat = representation != EpisodeRepresentation.Sequence;
        return new ExperimentSpec("TinyEpisode", "tiny_episode.yaml",
            _ => new TinyEpisodeModel(width, labelList.Count, flat),
            _ => Array.Empty<LayerSummary>(),
            _ => 0)
        {
            Episodes = new EpisodesSpec(EpisodeSourceKind.SyntheticIcu)
            {
                Records = 120,
                SourceSeed = 1,
                Labels = labelList,
                Preprocessing = new EpisodePreprocessingOptions { HorizonMinutes = 48 * 60, Scaling = scaling },
                Representation = representation,
                FirstLastSteps = 3,
                BatchSize = 16,
                TargetReplication = 0.5,
                PositiveWeighting = PositiveWeighting.Balanced,
            },
            Training = new TrainingSpec { Optimizer = new OptimizerOptions(OptimizerKind.Adam) { LearningRate = 0.01 }, Epochs = epochs, Seed = 42 },
        };
    }

    /// <summary>Writes <paramref name="set"/> as a long CSV (statics as rows at time 0) and its outcomes as a labels CSV.</summary>
    public static void WriteLongCsv(EpisodeSet set, string observations, string labels)
    {
        using (var writer = new StreamWriter(observations))
        {
            writer.WriteLine("record,time,variable,value");
            foreach (var record in set.Records)
            {
                for (int s = 0; s < set.StaticNames.Count; s++)
                    if (record.Statics[s] is double value)
                        writer.WriteLine(FormattableString.Invariant($"{record.Id},0,{set.StaticNames[s]},{value}"));
                foreach (var o in record.Observations)
                    writer.WriteLine(FormattableString.Invariant($"{record.Id},{o.Minutes},{set.Variables[o.Variable]},{o.Value}"));
            }
        }
        using var labelWriter = new StreamWriter(labels);
        labelWriter.WriteLine("record," + string.Join(",", set.OutcomeNames));
        foreach (var record in set.Records)
            labelWriter.WriteLine(record.Id + "," + string.Join(",", record.Outcomes.Select(v => FormattableString.Invariant($"{v}"))));
    }
}
