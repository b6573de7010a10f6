using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using ScottPlot;
using SeqDsl.Runtime.IO;

namespace SeqDsl.Runtime.Sweeps;

/// <summary>
/// The leaderboard as people read it: a console table, leaderboard.csv, leaderboard.md and leaderboard.png (the validation
/// curves of the best runs), all with the same columns — rank, index, experiment, one column per swept key, state, the
/// best validation figure, the test figures, best epoch, epochs, seconds. An undefined figure is empty in the CSV and "—"
/// elsewhere; NaN is never written.
/// </summary>
public static class LeaderboardFiles
{
    /// <summary>The files written into the sweep folder.</summary>
    public const string Csv = "leaderboard.csv", Markdown = "leaderboard.md", Png = "leaderboard.png";

    /// <summary>How many runs' validation curves the PNG shows.</summary>
    public const int PlottedRuns = 5;

    // Room for the legend below the axes: one line per plotted run.
    private const int LegendHeight = 140;

    private const string Undefined = "—";

    /// <summary>The column headers.</summary>
    public static IReadOnlyList<string> Header(Leaderboard board)
    {
        var monitors = board.Monitors;
        var header = new List<string> { "rank", "index", "experiment" };
        header.AddRange(board.SettingKeys);
        header.Add("state");
        if (monitors.Count > 1) header.Add("monitor");
        header.Add(monitors.Count == 1 ? "best " + monitors[0] : "best val");
        header.AddRange(board.TestNames);
        header.AddRange(new[] { "best epoch", "epochs", "seconds" });
        return header;
    }

    /// <summary>One row's cells, in <see cref="Header"/>'s order; null where a figure is undefined.</summary>
    /// <param name="board">The leaderboard.</param>
    /// <param name="row">The row.</param>
    /// <param name="exact">Numbers with every digit (the CSV) rather than 4 decimals and 1 for seconds.</param>
    public static IReadOnlyList<string?> Cells(Leaderboard board, LeaderboardRow row, bool exact)
    {
        string? Number(double? value, string format) =>
            value is double v && double.IsFinite(v) ? v.ToString(exact ? "R" : format, CultureInfo.InvariantCulture) : null;
        string? Whole(int? value) => value?.ToString(CultureInfo.InvariantCulture);
        var cells = new List<string?> { Whole(row.Rank), Whole(row.Index), row.Experiment };
        cells.AddRange(board.SettingKeys.Select(key => row.Settings.FirstOrDefault(s => s.Key == key)?.Value));
        cells.Add(row.State);
        if (board.Monitors.Count > 1) cells.Add(row.Monitor);
        cells.Add(Number(row.BestValue, "F4"));
        cells.AddRange(board.TestNames.Select(name => Number(row.Test.FirstOrDefault(t => t.Name == name)?.Value, "F4")));
        cells.AddRange(new[] { Whole(row.BestEpoch), Whole(row.Epochs), Number(row.Seconds, "F1") });
        return cells;
    }

    /// <summary>The console table: a title line, then columns padded to their widths.</summary>
    public static string RenderTable(Leaderboard board)
    {
        var header = Header(board);
        var rows = board.Rows.Select(r => Cells(board, r, exact: false).Select(c => c ?? Undefined).ToArray()).ToList();
        var widths = header.Select((h, i) => rows.Select(r => r[i].Length).Append(h.Length).Max()).ToArray();
        var text = new StringBuilder();
        text.Append("Leaderboard: ").Append(board.Sweep).Append(" (").Append(board.Rows.Count(r => r.Rank is not null))
            .Append(" of ").Append(board.Rows.Count).Append(" runs ranked)\n");
        void Line(IReadOnlyList<string> cells) =>
            text.Append(string.Join("  ", cells.Select((c, i) => i < 2 ? c.PadLeft(widths[i]) : c.PadRight(widths[i]))).TrimEnd()).Append('\n');
        Line(header);
        text.Append(new string('-', widths.Sum() + 2 * (widths.Length - 1))).Append('\n');
        foreach (var row in rows) Line(row);
        return text.ToString();
    }

    /// <summary>leaderboard.csv's text: RFC 4180 quoting, invariant numbers with every digit, empty where undefined.</summary>
    public static string RenderCsv(Leaderboard board)
    {
        static string Field(string? value) =>
            value is null ? "" : value.IndexOfAny(new[] { ',', '"', '\n', '\r' }) >= 0 ? "\"" + value.Replace("\"", "\"\"") + "\"" : value;
        var text = new StringBuilder();
        text.Append(string.Join(",", Header(board).Select(Field))).Append('\n');
        foreach (var row in board.Rows)
            text.Append(string.Join(",", Cells(board, row, exact: true).Select(Field))).Append('\n');
        return text.ToString();
    }

    /// <summary>leaderboard.md's text: a heading and a GitHub table ('|' in a cell escaped), "—" where undefined.</summary>
    public static string RenderMarkdown(Leaderboard board)
    {
        static string Cell(string? value) => value is null ? Undefined : value.Replace("|", "\\|").Replace("\n", " ");
        var header = Header(board);
        var text = new StringBuilder();
        text.Append("# Leaderboard: ").Append(Cell(board.Sweep)).Append("\n\n");
        text.Append("| ").Append(string.Join(" | ", header.Select(Cell))).Append(" |\n");
        text.Append('|').Append(string.Join("|", header.Select((_, i) => i < 2 ? "---:" : "---"))).Append("|\n");
        foreach (var row in board.Rows)
            text.Append("| ").Append(string.Join(" | ", Cells(board, row, exact: false).Select(Cell))).Append(" |\n");
        return text.ToString();
    }

    /// <summary>Writes leaderboard.csv, .md and .png into the sweep folder, each atomically; returns their paths.</summary>
    public static IReadOnlyList<string> Write(Leaderboard board)
    {
        string csv = Path.Combine(board.Folder, Csv), markdown = Path.Combine(board.Folder, Markdown), png = Path.Combine(board.Folder, Png);
        AtomicFile.WriteText(csv, RenderCsv(board));
        AtomicFile.WriteText(markdown, RenderMarkdown(board));
        byte[] image = RenderCurves(board);
        AtomicFile.Write(png, stream => stream.Write(image));
        return new[] { csv, markdown, png };
    }

    /// <summary>The validation curves of the <see cref="PlottedRuns"/> best ranked runs, one line each, as an 800×640 PNG (the legend below the axes).</summary>
    internal static byte[] RenderCurves(Leaderboard board)
    {
        using var plot = new Plot();
        var best = board.Rows.Where(r => r.Rank is not null && r.Curve.Count > 0).Take(PlottedRuns).ToArray();
        var palette = new ScottPlot.Palettes.Category10();
        for (int i = 0; i < best.Length; i++)
        {
            var row = best[i];
            var line = plot.Add.ScatterLine(row.Curve.Select(p => (double)p.Epoch).ToArray(), row.Curve.Select(p => p.Value).ToArray(), palette.GetColor(i));
            line.LineWidth = 2;
            line.MarkerShape = MarkerShape.FilledCircle;
            line.MarkerSize = 6;
            line.LegendText = $"#{row.Rank} run {SweepPlan.RunFolderName(row.Index)} {row.Experiment}" +
                              (row.Settings.Count > 0 ? " " + string.Join(", ", row.Settings) : "");
        }
        var monitors = best.Select(r => r.Monitor).Distinct().ToArray();
        string figure = monitors.Length == 1 ? monitors[0]! : "validation figure";
        plot.Title(best.Length == 0 ? $"{board.Sweep}: no finished run yet" : $"{board.Sweep}: {figure} of the best {best.Length}");
        plot.XLabel("Epochs");
        plot.YLabel(figure);
        plot.Axes.AutoScale();
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic { IntegerTicksOnly = true };
        if (best.Length > 0)
            plot.Axes.SetLimitsX(0.5, Math.Max(1, best.Max(r => r.Curve.Max(p => p.Epoch))) + 0.5);
        // Below the axes: the legend names every swept value, and inside the data area it would hide the curves.
        plot.ShowLegend(Edge.Bottom);
        return plot.GetImageBytes(Reporting.LossPlot.Width, Reporting.LossPlot.Height + LegendHeight, ImageFormat.Png);
    }
}
