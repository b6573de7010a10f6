using System;
using System.Linq;
using ScottPlot;
using SeqDsl.Runtime.IO;
using SeqDsl.Runtime.Training;

namespace SeqDsl.Runtime.Reporting;

/// <summary>The lecture's loss figure: training loss as dots, validation loss as a line, per epoch.</summary>
public static class LossPlot
{
    /// <summary>Width of the PNG in pixels.</summary>
    public const int Width = 800;

    /// <summary>Height of the PNG in pixels.</summary>
    public const int Height = 500;

    /// <summary>
    /// Writes an 800×500 PNG of training loss (dots) and validation loss (line) against the epoch, with title, axis labels
    /// "Epochs" and "Loss" and a legend; the file is replaced atomically. Epochs without validation, and non-finite losses
    /// of a diverged run, are left out rather than failing the run.
    /// </summary>
    /// <param name="history">The run's epochs.</param>
    /// <param name="path">Where to write the PNG; its directory is created if needed.</param>
    /// <param name="title">The figure title, e.g. "Training and validation loss".</param>
    /// <param name="baseline">Optional loss level drawn as a dashed horizontal line, e.g. the naive baseline's MAE.</param>
    /// <param name="baselineLabel">Legend text of the baseline line.</param>
    public static void Write(TrainingHistory history, string path, string title, double? baseline = null, string baselineLabel = "naive baseline")
    {
        ArgumentNullException.ThrowIfNull(history);
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        byte[] png = Render(history, title, baseline, baselineLabel);
        AtomicFile.Write(path, stream => stream.Write(png));
    }

    /// <summary>Renders the figure as PNG bytes.</summary>
    internal static byte[] Render(TrainingHistory history, string title, double? baseline, string baselineLabel)
    {
        using var plot = new Plot();
        // The lecture's matplotlib figure: "bo" for training, "b" for validation.
        var color = Colors.Blue;
        var training = history.Epochs.Where(e => double.IsFinite(e.Loss)).ToArray();
        if (training.Length > 0)
        {
            var dots = plot.Add.ScatterPoints(training.Select(e => (double)e.Epoch).ToArray(), training.Select(e => e.Loss).ToArray(), color);
            dots.MarkerSize = 7;
            dots.LegendText = "Training loss";
        }

        var validation = history.Epochs.Where(e => e.ValLoss is double v && double.IsFinite(v)).ToArray();
        if (validation.Length > 0)
        {
            var line = plot.Add.ScatterLine(validation.Select(e => (double)e.Epoch).ToArray(), validation.Select(e => e.ValLoss!.Value).ToArray(), color);
            line.LineWidth = 2;
            line.LegendText = "Validation loss";
            if (validation.Length == 1)
            {
                // One point makes no line; an open circle keeps it visible and apart from the training dot.
                line.MarkerShape = MarkerShape.OpenCircle;
                line.MarkerSize = 9;
            }
        }

        if (baseline is double level && double.IsFinite(level))
        {
            var reference = plot.Add.HorizontalLine(level, 1.5f, Colors.Gray, LinePattern.Dashed);
            reference.LegendText = baselineLabel;
        }

        plot.Title(title);
        plot.XLabel("Epochs");
        plot.YLabel("Loss");
        plot.Axes.AutoScale();
        // Epochs are whole numbers; fractional ticks like 1.5 would suggest otherwise.
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic { IntegerTicksOnly = true };
        if (history.Epochs.Count > 0)
        {
            // With one epoch (or a flat curve) autoscaling has no span; give it one so the point sits mid-plot.
            int last = history.Epochs.Max(e => e.Epoch);
            plot.Axes.SetLimitsX(0.5, Math.Max(last, 1) + 0.5);
        }
        plot.ShowLegend(Alignment.UpperRight);
        return plot.GetImageBytes(Width, Height, ImageFormat.Png);
    }
}
