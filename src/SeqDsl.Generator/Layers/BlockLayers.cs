using System.Collections.Generic;
using System.Linq;
using SeqDsl.Generator.Analysis;
using SeqDsl.Generator.Catalog;
using SeqDsl.Generator.Diagnostics;
using SeqDsl.Generator.Emit;
using SeqDsl.Generator.Helpers;
using SeqDsl.Generator.Model;

namespace SeqDsl.Generator.Layers;

/// <summary>How a branches block merges its paths; members are named as the runtime's <c>BranchMerge</c>.</summary>
internal enum BranchMerge { Sum, Mean, Concat }

internal sealed record BranchesSettings(BranchMerge Merge, long Axis) : LayerSettings;

/// <summary>
/// A layer whose options hold lists of layers (<see cref="OptionType.LayerList"/>, <see cref="OptionType.LayerLists"/>):
/// the parser reads them into <see cref="LayerSpec.Paths"/>, inference runs each path from the block's input, and the
/// generated code passes the paths' layers (fields of the model) to the runtime block.
/// </summary>
internal abstract class BlockLayer<TSettings> : LayerDef<TSettings> where TSettings : LayerSettings
{
    protected BlockLayer(string kind, string runtimeClass, string description, params OptionDef[] options)
        : base(kind, runtimeClass, runtimeClass, description, options)
    {
    }

    /// <summary>The inferred paths, or null after a path reported a diagnostic.</summary>
    protected static List<(PathPlan Plan, TensorShape Output)>? InferPaths(LayerInference layer, TensorShape input)
    {
        var paths = new List<(PathPlan, TensorShape)>();
        foreach (var path in layer.Layer.Paths)
        {
            if (layer.InferPath(path, input) is not { } inferred) return null;
            paths.Add(inferred);
        }
        return paths;
    }

    protected static LayerShape WithPaths(TensorShape output, IEnumerable<(PathPlan Plan, TensorShape Output)> paths)
        => LayerShape.WithoutParameters(output) with { Paths = paths.Select(p => p.Plan).ToEquatableArray() };

    protected static string Describe(IEnumerable<(PathPlan Plan, TensorShape Output)> paths)
        => string.Join(", ", paths.Select(p => $"{(p.Plan.Label.Length == 0 ? "its layers" : p.Plan.Label)} {p.Output}"));
}

/// <summary>Paths that read the same input, merged by sum, mean or concatenation (several heads, skip paths).</summary>
internal sealed class BranchesLayer : BlockLayer<BranchesSettings>
{
    private static readonly OptionDef Merge = new("merge", OptionType.Choice, "How the paths' outputs are combined: sum and mean need equal shapes; concat joins them along 'axis'.") { Default = "sum", Choices = new[] { "sum", "mean", "concat" }, RuntimeEnum = nameof(BranchMerge) };
    private static readonly OptionDef Axis = new("axis", OptionType.Integer, "concat: the axis, Keras style (1 time, 2 features for (batch, time, features); -1 the last).") { Default = "-1", Minimum = -2, Maximum = 2 };
    private static readonly OptionDef PathsOption = new("paths", OptionType.LayerLists, "The paths, each a list of layers run in order on the block's input; an empty list passes the input through. Their layers are named <block>_path<n>_<kind>_<k> unless named.") { Required = true };

    public BranchesLayer() : base("branches", "Branches", "Runs several lists of layers on the same input and merges their outputs.", Merge, Axis, PathsOption)
    {
    }

    public override string PathLabel(OptionDef option, int index) => $"path{index + 1}";

    protected override BranchesSettings BindSettings(LayerOptionReader options) => new(options.Choice<BranchMerge>(Merge), options.Int(Axis));

    protected override LayerShape? Infer(LayerInference layer, BranchesSettings settings)
    {
        if (InferPaths(layer, layer.Input) is not { } paths) return null;
        var first = paths[0].Output;
        if (settings.Merge != BranchMerge.Concat)
        {
            if (paths.All(p => p.Output == first)) return WithPaths(first, paths);
            layer.Report(SeqDiagnostics.BlockShapes, layer.Layer.Name, layer.Layer.Kind, settings.Merge.ToString().ToLowerInvariant(),
                $"its paths return {Describe(paths)}; '{settings.Merge.ToString().ToLowerInvariant()}' needs equal shapes (merge: concat joins different widths)");
            return null;
        }
        int rank = first.Rank;
        long axis = settings.Axis < 0 ? rank + settings.Axis : settings.Axis;
        if (axis < 1 || axis >= rank || paths.Any(p => p.Output.Rank != rank || p.Output.Tokens))
        {
            layer.Report(SeqDiagnostics.BlockShapes, layer.Layer.Name, layer.Layer.Kind, $"concatenate along axis {settings.Axis}",
                $"its paths return {Describe(paths)}; the axis must be 1..{rank - 1} (or negative from the end) of outputs of one rank");
            return null;
        }
        int at = (int)axis - 1; // Dims leave out the batch axis
        for (int i = 0; i < rank - 1; i++)
        {
            if (i != at && paths.Any(p => p.Output.Dims[i] != first.Dims[i]))
            {
                layer.Report(SeqDiagnostics.BlockShapes, layer.Layer.Name, layer.Layer.Kind, $"concatenate along axis {settings.Axis}",
                    $"its paths return {Describe(paths)}; every axis but {axis} must agree");
                return null;
            }
        }
        var joined = paths.Select(p => p.Output.Dims[at]).ToList();
        var length = joined.Any(d => d.IsOpen) ? Dim.Open : joined.Skip(1).Aggregate(joined[0], Add);
        var dims = first.Dims.ToArray();
        dims[at] = length;
        return WithPaths(new TensorShape(dims.ToEquatableArray()), paths);
    }

    private static Dim Add(Dim left, Dim right)
    {
        if (left.IsSymbolic && right.IsSymbolic && left.Size != right.Size)
            throw new System.InvalidOperationException("an axis of two named sizes");
        return new Dim(checked(left.Constant + right.Constant), checked(left.Coefficient + right.Coefficient), left.IsSymbolic ? left.Size : right.Size, false);
    }

    protected override string Construct(LayerConstruction layer, BranchesSettings settings)
        => $"new {RuntimeType}({layer.NameLiteral}, new {Runtime("LayerPath")}[] {{ {string.Join(", ", Enumerable.Range(0, layer.Paths.Count).Select(layer.Path))} }}, {Runtime(nameof(BranchMerge))}.{settings.Merge}{(settings.Merge == BranchMerge.Concat ? $", axis: {settings.Axis}" : "")})";
}

/// <summary>A skip connection around a list of layers: input + layers(input); the layers keep the input's shape.</summary>
internal sealed class ResidualLayer : BlockLayer<NoSettings>
{
    private static readonly OptionDef LayersOption = new("layers", OptionType.LayerList, "The layers whose output is added to the block's input; they must keep its shape. Named <block>_<kind>_<k> unless named.") { Required = true };

    public ResidualLayer() : base("residual", "Residual", "Adds the block's input to the output of its layers (a skip connection).", LayersOption)
    {
    }

    public override string PathLabel(OptionDef option, int index) => "";

    protected override NoSettings BindSettings(LayerOptionReader options) => NoSettings.Instance;

    protected override LayerShape? Infer(LayerInference layer, NoSettings settings)
    {
        if (InferPaths(layer, layer.Input) is not { } paths) return null;
        if (paths[0].Output == layer.Input) return WithPaths(layer.Input, paths);
        layer.Report(SeqDiagnostics.BlockShapes, layer.Layer.Name, layer.Layer.Kind, "add its input to its layers' output",
            $"its input is {layer.Input} and {Describe(paths)}; the layers must keep the input's shape");
        return null;
    }

    protected override string Construct(LayerConstruction layer, NoSettings settings)
        => $"new {RuntimeType}({layer.NameLiteral}, {layer.Path(0)})";
}

/// <summary>DLinear's series decomposition: a moving-average trend and the remainder, each through its own layers, summed.</summary>
internal sealed class DecompositionLayer : BlockLayer<MovingAverageSettings>
{
    private static readonly OptionDef Trend = new("trend", OptionType.LayerList, "The layers the trend (the moving average) runs through, e.g. [ flatten, { dense: { units: 96 } } ]. Named <block>_trend_<kind>_<k> unless named.") { Required = true };
    private static readonly OptionDef Seasonal = new("seasonal", OptionType.LayerList, "The layers the remainder (input - trend) runs through; their output has the trend layers' shape. Named <block>_seasonal_<kind>_<k> unless named.") { Required = true };

    public DecompositionLayer() : base("decomposition", "SeriesDecomposition",
        "Splits the input into a moving-average trend and the remainder, runs each through its own layers and sums the two outputs (DLinear).",
        MovingAverageLayer.Kernel, Trend, Seasonal)
    {
    }

    public override string PathLabel(OptionDef option, int index) => option.Name;

    protected override MovingAverageSettings BindSettings(LayerOptionReader options) => new(options.Int(MovingAverageLayer.Kernel));

    protected override LayerShape? Infer(LayerInference layer, MovingAverageSettings settings)
    {
        if (!layer.NeedsTime() || InferPaths(layer, layer.Input) is not { } paths) return null;
        if (paths[0].Output == paths[1].Output) return WithPaths(paths[0].Output, paths);
        layer.Report(SeqDiagnostics.BlockShapes, layer.Layer.Name, layer.Layer.Kind, "sum its trend and seasonal outputs",
            $"they are {Describe(paths)}; both heads must return the same shape");
        return null;
    }

    protected override string Construct(LayerConstruction layer, MovingAverageSettings settings)
        => $"new {RuntimeType}({layer.NameLiteral}, {MovingAverageLayer.RuntimeOptions(settings)}, {layer.Path(0)}, {layer.Path(1)})";
}

/// <summary>
/// The episodes task's static descriptors through their own layers, joined to every step: the runtime's <c>StaticBranch</c>.
/// A model with one reads the statics once per record, so its first layer sees only the time-varying channels.
/// </summary>
internal sealed class StaticBranchLayer : BlockLayer<NoSettings>
{
    private static readonly OptionDef LayersOption = new("layers", OptionType.LayerList,
        "The layers the statics (None, statics) run through once per record, e.g. [ { dense: { units: 16, activation: relu } } ]; they return one vector per record. An empty list joins the statics as they are. Named <block>_<kind>_<k> unless named.") { Required = true };

    public StaticBranchLayer() : base("static_branch", "StaticBranch",
        "Runs the record's static descriptors (episodes, 'static_inputs: true') through its own layers once and joins the result to every step of its input; the model's first layer then reads only the time-varying channels.",
        LayersOption)
    {
    }

    public override string PathLabel(OptionDef option, int index) => "";

    /// <summary>It adds the same vector to each step: a record's padding never reaches its real steps.</summary>
    public override PaddedInput PaddedInput => PaddedInput.PerStep;

    public override bool ReadsStatics => true;

    /// <summary>The hint for a layer of the branch that needs a time axis: the statics have none.</summary>
    public override string TimeAxisHint(string name) => $" '{name}' (static_branch) gives its layers the record's statics, one vector per record; put recurrent layers outside the branch.";

    protected override NoSettings BindSettings(LayerOptionReader options) => NoSettings.Instance;

    /// <summary>The statics a static branch of <paramref name="spec"/> reads (the last channels of every step), or why it has none.</summary>
    public static StaticChannels Available(ModelSpec spec)
    {
        const string Needs = "it reads the episodes task's static descriptors";
        if (spec.Experiment.Episodes is not { } episodes)
            return new StaticChannels(0, $"{Needs}, so the spec needs an 'episodes' section with 'representation: sequence'");
        if (episodes.Representation != EpisodeRepresentation.Sequence)
            return new StaticChannels(0, $"{Needs} at the end of each step, so it needs 'representation: sequence' (received {Text.ToSnakeCase(episodes.Representation.ToString())})");
        if (episodes.InputStatics.Length == 0)
            return new StaticChannels(0, episodes.Preprocessing.StaticInputs
                ? $"{Needs}, and the source's statics ({string.Join(", ", episodes.SourceStatics)}) are all excluded or a label's source"
                : $"{Needs}: set 'static_inputs: true' under 'episodes.preprocessing' (received false)");
        if (episodes.InputVariables.Length == 0)
            return new StaticChannels(0, $"{Needs} off each step, and 'include' and 'exclude' leave the steps no time-varying variable");
        return new StaticChannels(episodes.InputStatics.Length, null);
    }

    protected override LayerShape? Infer(LayerInference layer, NoSettings settings)
    {
        var statics = layer.Statics;
        if (statics is not { Problem: null })
        {
            layer.Report(SeqDiagnostics.ChannelsUnreadable, layer.Layer.Name, layer.Layer.Kind, "joins the record's static descriptors, through its layers, to every step",
                statics?.Problem ?? "it takes the statics off the model's input, so it must be one of the model's own layers, not inside a block");
            return null;
        }
        // The branch's layers read the statics, not the block's input: hints about their input come from the block.
        if (layer.InferPath(layer.Layer.Paths[0], TensorShape.Vector(Dim.Of(statics.Count)), layer.Layer) is not { } path) return null;
        if (path.Output.Rank != 2 || path.Output.Tokens || !path.Output.Features.IsNumber || !layer.Input.Features.IsNumber)
        {
            layer.Report(SeqDiagnostics.BlockShapes, layer.Layer.Name, layer.Layer.Kind, "join its layers' output to every step",
                $"its layers return {path.Output} from the statics (None, {statics.Count}); they must return one vector per record");
            return null;
        }
        var dims = layer.Input.Dims.ToArray();
        dims[dims.Length - 1] = Dim.Of(checked(layer.Input.Features.Value + path.Output.Features.Value));
        return WithPaths(new TensorShape(dims.ToEquatableArray()), new[] { path });
    }

    protected override string Construct(LayerConstruction layer, NoSettings settings)
        => $"new {RuntimeType}({layer.NameLiteral}, {layer.Path(0)})";
}
