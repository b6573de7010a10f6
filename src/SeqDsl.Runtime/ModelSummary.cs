using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using TorchSharp;

namespace SeqDsl.Runtime;

/// <summary>Keras-style model summaries and parameter counting.</summary>
public static class ModelSummary
{
    /// <summary>Renders the table Keras's model.summary() prints: layer (type), output shape, parameters, totals.</summary>
    /// <param name="modelName">The model's name.</param>
    /// <param name="specFile">The spec file's name.</param>
    /// <param name="layers">The layer rows.</param>
    /// <param name="wrapping">Lines printed under the title that say how the layers are applied (e.g. to each channel separately); none for a plain stack.</param>
    public static string Render(string modelName, string specFile, IReadOnlyList<LayerSummary> layers, IReadOnlyList<string>? wrapping = null)
    {
        // A block's layers are indented under it, two spaces per level; its row counts only its own parameters.
        var rows = layers.Select(l => (Layer: new string(' ', 2 * l.Depth) + $"{l.Name} ({l.Type})", Shape: l.ShapeText, Params: Format(l.Parameters))).ToList();
        int layerWidth = System.Math.Max("Layer (type)".Length, rows.Count == 0 ? 0 : rows.Max(r => r.Layer.Length)) + 2;
        int shapeWidth = System.Math.Max("Output Shape".Length, rows.Count == 0 ? 0 : rows.Max(r => r.Shape.Length)) + 2;
        int paramWidth = System.Math.Max("Param #".Length, rows.Count == 0 ? 0 : rows.Max(r => r.Params.Length));
        int width = layerWidth + shapeWidth + paramWidth;

        long total = layers.Sum(l => l.Parameters);
        long keras = layers.Sum(l => l.KerasParameters);
        var text = new StringBuilder();
        text.Append("Model: \"").Append(modelName).Append("\" (").Append(specFile).Append(")\n");
        foreach (var line in wrapping ?? System.Array.Empty<string>())
            text.Append(line).Append('\n');
        text.Append('_', width).Append('\n');
        text.Append("Layer (type)".PadRight(layerWidth)).Append("Output Shape".PadRight(shapeWidth)).Append("Param #".PadLeft(paramWidth)).Append('\n');
        text.Append('=', width).Append('\n');
        for (int i = 0; i < rows.Count; i++)
        {
            text.Append(rows[i].Layer.PadRight(layerWidth)).Append(rows[i].Shape.PadRight(shapeWidth)).Append(rows[i].Params.PadLeft(paramWidth)).Append('\n');
            text.Append(i == rows.Count - 1 ? '=' : '_', width).Append('\n');
        }
        text.Append("Total params: ").Append(Format(total)).Append('\n');
        text.Append("Trainable params: ").Append(Format(total)).Append('\n');
        if (keras != total)
            text.Append("(Keras counts ").Append(Format(keras)).Append(": its LSTM and SimpleRNN keep one bias vector, PyTorch two.)\n");
        return text.ToString();
    }

    /// <summary>The number of trainable parameters a module really holds.</summary>
    public static long CountParameters(torch.nn.Module module)
        => module.parameters().Where(p => p.requires_grad).Sum(p => p.numel());

    private static string Format(long value) => value.ToString("N0", CultureInfo.InvariantCulture);
}
