using System;
using System.Collections.Generic;
using System.Linq;
using ScottPlot;
using SeqDsl.Runtime.Episodes;
using SeqDsl.Runtime.IO;

namespace SeqDsl.Runtime.Reporting;

/// <summary>One label's ROC curve; no points (empty arrays) when the label has one class and so no curve.</summary>
/// <param name="Label">The label.</param>
/// <param name="FalsePositiveRate">The curve's x values, from 0 to 1.</param>
/// <param name="TruePositiveRate">The curve's y values, from 0 to 1.</param>
/// <param name="Auroc">The area under it; null when undefined.</param>
public sealed record RocSeries(string Label, double[] FalsePositiveRate, double[] TruePositiveRate, double? Auroc)
{
    /// <summary>Whether there is a curve to draw (both classes occur).</summary>
    public bool HasCurve => FalsePositiveRate.Length > 0 && FalsePositiveRate.Length == TruePositiveRate.Length;
}

/// <summary>The ROC figure of an episodes run: one curve per label with its AUROC in the legend, and the chance diagonal.</summary>
public static class RocPlot
{
    /// <summary>
    /// Per label, its ROC curve and AUROC from row-major (records, labels) <paramref name="scores"/> (probabilities)
    /// and <paramref name="labels"/> (0/1), as <see cref="MultiLabelMetrics.Compute"/> takes them.
    /// </summary>
    /// <exception cref="ArgumentException">Sizes that do not form (records, labels) matrices, or a non-finite score.</exception>
    public static IReadOnlyList<RocSeries> Curves(IReadOnlyList<string> names, IReadOnlyList<double> scores, IReadOnlyList<float> labels)
    {
        int labelCount = names.Count;
        if (labelCount == 0 || scores.Count != labels.Count || scores.Count % labelCount != 0)
            throw new ArgumentException($"{scores.Count} scores and {labels.Count} labels do not form (records, {labelCount}) matrices.");
        int records = scores.Count / labelCount;
        return names.Select((name, l) =>
        {
            var s = Enumerable.Range(0, records).Select(r => scores[r * labelCount + l]).ToArray();
            var y = Enumerable.Range(0, records).Select(r => labels[r * labelCount + l] >= 0.5f).ToArray();
            var curve = BinaryMetrics.RocCurve(s, y);
            return new RocSeries(name, curve?.FalsePositiveRate ?? [], curve?.TruePositiveRate ?? [], BinaryMetrics.Auroc(s, y));
        }).ToArray();
    }

    /// <summary>
    /// Writes a PNG of the size of <see cref="LossPlot"/> with one curve per label (its AUROC in the legend), the chance
    /// diagonal dashed, and axes "False positive rate" and "True positive rate" from 0 to 1; a label without a curve is
    /// listed in the legend as undefined. The file is replaced atomically.
    /// </summary>
    /// <param name="path">Where to write the PNG; its directory is created if needed.</param>
    /// <param name="title">The figure title, e.g. "ROC, test split".</param>
    /// <param name="series">The labels' curves.</param>
    public static void Write(string path, string title, IReadOnlyList<RocSeries> series)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        ArgumentNullException.ThrowIfNull(series);
        byte[] png = Render(title, series);
        AtomicFile.Write(path, stream => stream.Write(png));
    }

    /// <summary>Renders the figure as PNG bytes.</summary>
    internal static byte[] Render(string title, IReadOnlyList<RocSeries> series)
    {
        using var plot = new Plot();
        // Twenty colours for the synthetic set's twelve labels: Category20 comes in dark and light pairs, so the ten dark
        // ones go first and neighbouring labels never get the two shades of one hue.
        var palette = new ScottPlot.Palettes.Category20();
        Color ColorOf(int i) => palette.GetColor(2 * i % 20 + 2 * i / 20 % 2);
        var chance = plot.Add.Line(0, 0, 1, 1);
        chance.LineColor = Colors.Gray;
        chance.LinePattern = LinePattern.Dashed;
        chance.LegendText = "chance (0.500)";

        var undefined = new List<string>();
        for (int i = 0; i < series.Count; i++)
        {
            var s = series[i];
            if (!s.HasCurve)
            {
                undefined.Add(s.Label);
                continue;
            }
            var line = plot.Add.ScatterLine(s.FalsePositiveRate, s.TruePositiveRate, ColorOf(i));
            line.LineWidth = 2;
            line.LegendText = $"{s.Label} ({(s.Auroc is double a ? a.ToString("F3", System.Globalization.CultureInfo.InvariantCulture) : "AUROC undefined")})";
        }
        if (undefined.Count > 0)
            plot.Legend.ManualItems.Add(new LegendItem { LabelText = $"undefined (one class): {string.Join(", ", undefined)}" });

        plot.Title(title);
        plot.XLabel("False positive rate");
        plot.YLabel("True positive rate");
        // A small margin keeps curves along the edges (a perfect label's TPR of 1) from hiding under the frame.
        plot.Axes.SetLimits(-0.02, 1.02, -0.02, 1.02);
        plot.ShowLegend(Alignment.LowerRight);
        return plot.GetImageBytes(LossPlot.Width, LossPlot.Height, ImageFormat.Png);
    }
}
