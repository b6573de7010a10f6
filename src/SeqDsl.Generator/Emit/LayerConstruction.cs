using System.Collections.Generic;
using System.Linq;
using SeqDsl.Generator.Catalog;
using SeqDsl.Generator.Helpers;
using SeqDsl.Generator.Layers;
using SeqDsl.Generator.Model;

namespace SeqDsl.Generator.Emit;

/// <summary>What a layer kind's emitted construction sees of one layer: the layer, its name as a literal, its input features.</summary>
internal sealed class LayerConstruction
{
    public LayerConstruction(LayerPlan plan)
    {
        Layer = plan.Spec;
        NameLiteral = Escape.StringLiteral(plan.Spec.Name);
        InputFeatures = plan.InputShape.Tokens ? "0" : plan.InputShape.Features.ToCSharp();
        Paths = plan.Paths;
        Channels = plan.Channels;
    }

    /// <summary>The episodes step channels the layer reads by meaning (see <see cref="LayerShape.ReadsChannels"/>); null otherwise.</summary>
    public EpisodeChannels? Channels { get; }

    /// <summary>A block's paths; their layers are the model's fields, created before the block.</summary>
    public EquatableArray<PathPlan> Paths { get; }

    /// <summary>The runtime path of the block's <paramref name="index"/>-th path: its layers' fields, in order.</summary>
    public string Path(int index)
        => $"new {LayerDef.Runtime("LayerPath")}({string.Join(", ", Paths[index].Layers.Select(l => "this." + l.FieldName))})";

    public LayerSpec Layer { get; }
    public string NameLiteral { get; }
    /// <summary>The input's features as a C# expression (0 for token ids).</summary>
    public string InputFeatures { get; }

    public string Initializers(params OptionDef[] skip) => Initializers(Layer, skip);

    /// <summary>
    /// An object initializer with the options the spec sets, in the spec's order, except those the runtime
    /// type's constructor takes (<paramref name="skip"/>): " { Dropout = 0.2 }". Each runtime options property
    /// is the option's name in PascalCase; a choice is a member of its option's <see cref="OptionDef.RuntimeEnum"/>.
    /// </summary>
    public static string Initializers(LayerSpec layer, params OptionDef[] skip)
    {
        var parts = new List<string>();
        foreach (var option in layer.Options)
        {
            var def = layer.Definition.Find(option.Key)!;
            if (def == LayerOptions.Name || skip.Contains(def) || def.Type is OptionType.LayerList or OptionType.LayerLists) continue;
            string value = def.Type switch
            {
                OptionType.Integer => option.Value == "null" ? "null" : option.Value,
                OptionType.Number => ModelEmitter.Number(option.Value),
                OptionType.Boolean => option.Value,
                OptionType.Choice => $"{LayerDef.Runtime(def.RuntimeEnum!)}.{Text.ToPascalCase(option.Value)}",
                _ => Escape.StringLiteral(option.Value),
            };
            parts.Add($"{Text.ToPascalCase(option.Key)} = {value}");
        }
        return parts.Count == 0 ? "" : " { " + string.Join(", ", parts) + " }";
    }
}
