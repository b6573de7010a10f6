using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;

namespace SeqDsl.Runtime.Reporting;

/// <summary>The results summary <c>train</c> prints at the end of a run, in the lecture's terms: does the model beat the naive baseline?</summary>
public static class ResultsTable
{
    private const string Missing = "n/a";

    /// <summary>
    /// Renders an aligned text table with the rows naive baseline (validation), model at its best epoch (validation) and
    /// model on test (plus the naive baseline on test when known), each as normalized MAE and MAE in the target's unit,
    /// followed by a verdict per split such as <c>model beats the naive baseline by 8.6%</c>. With several targets the
    /// columns are MAE and MSE averaged over horizon and targets (normalized; the targets share no unit), followed by each
    /// target's test figures; when a channel-independent model forecasts more columns than its targets, a last table
    /// gives the averages over all of them.
    /// </summary>
    public static string Render(MetricsReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var text = new StringBuilder();
        if (report.TargetStd is double std)
        {
            string unit = DisplayUnit(report.TargetUnit ?? "");
            text.Append("Results: ").Append(report.Experiment).Append(" (target ").Append(report.Target)
                .Append(", std ").Append(std.ToString("G4", CultureInfo.InvariantCulture)).Append(' ').Append(unit).Append(")\n");
            AppendTable(text, ["", "MAE (normalized)", $"MAE ({unit})"],
                SummaryRows(report).Select(r => new[] { r.Label, Format(r.Mae, "F4"), Format(r.Mae * std, "F2") }));
        }
        else
        {
            text.Append("Results: ").Append(report.Experiment).Append(" (targets ").Append(report.Target)
                .Append("; normalized units, averaged over horizon and targets)\n");
            AppendTable(text, ["", "MAE", "MSE"], SummaryRows(report).Select(r => new[] { r.Label, Format(r.Mae, "F4"), Format(r.Mse, "F4") }));
        }
        text.Append(Verdict("", report.BestValMae, report.NaiveValMae));
        text.Append(Verdict("on test, ", report.TestMae, report.NaiveTestMae));
        if (report.Channels.Count > 1)
        {
            text.Append("\nPer target (normalized):\n");
            AppendTable(text, ["", "val MAE", "test MAE", "test MSE", "naive test MAE"], report.Channels.Select(c =>
                new[] { c.Channel, Format(c.ValMae, "F4"), Format(c.TestMae, "F4"), Format(c.TestMse, "F4"), Format(c.NaiveTestMae, "F4") }));
        }
        if (report.AllChannels is { } all)
        {
            text.Append("\nAveraged over ").Append(all.Channel).Append(" (the series the model is trained on; normalized):\n");
            AppendTable(text, ["", "val MAE", "val MSE", "test MAE", "test MSE"],
            [
                ["model", Format(all.ValMae, "F4"), Format(all.ValMse, "F4"), Format(all.TestMae, "F4"), Format(all.TestMse, "F4")],
                ["naive baseline", Format(all.NaiveValMae, "F4"), Missing, Format(all.NaiveTestMae, "F4"), Format(all.NaiveTestMse, "F4")],
            ]);
        }
        return text.ToString();
    }

    private static IEnumerable<(string Label, double? Mae, double? Mse)> SummaryRows(MetricsReport report)
    {
        yield return ("naive baseline", report.NaiveValMae, null);
        yield return (report.BestEpoch is int best ? $"model (best epoch {best})" : "model (best epoch)", report.BestValMae, report.BestValMse);
        // Test numbers are only comparable with the baseline on the same split, so it gets its own row when known.
        if (report.NaiveTestMae is not null)
            yield return ("naive baseline on test", report.NaiveTestMae, report.Extra.TryGetValue("naive_test_mse", out double mse) ? mse : null);
        yield return ("model on test", report.TestMae, report.TestMse);
    }

    /// <summary>A header, a rule and the rows, each column as wide as its widest cell.</summary>
    private static void AppendTable(StringBuilder text, string[] header, IEnumerable<string[]> rows)
    {
        var cells = rows.ToList();
        int[] widths = Enumerable.Range(0, header.Length)
            .Select(c => cells.Select(row => row[c].Length).Append(header[c].Length).Max())
            .ToArray();
        AppendRow(text, header, widths);
        text.Append('-', widths.Sum() + 2 * (widths.Length - 1)).Append('\n');
        foreach (var row in cells)
            AppendRow(text, row, widths);
    }

    private static void AppendRow(StringBuilder text, string[] row, int[] widths)
    {
        // Labels left-aligned, numbers right-aligned so that decimal points line up.
        text.Append(row[0].PadRight(widths[0]));
        for (int c = 1; c < row.Length; c++)
            text.Append("  ").Append(row[c].PadLeft(widths[c]));
        text.Append('\n');
    }

    private static string Verdict(string prefix, double? model, double? naive)
    {
        if (model is not double m || naive is not double n || !double.IsFinite(m) || !double.IsFinite(n) || n <= 0)
            return "";
        double percent = (n - m) / n * 100;
        string amount = Math.Abs(percent).ToString("F1", CultureInfo.InvariantCulture);
        return m < n
            ? $"{prefix}model beats the naive baseline by {amount}%\n"
            : $"{prefix}model does not beat the naive baseline ({amount}% worse)\n";
    }

    private static string Format(double? value, string format)
        => value is double v ? v.ToString(format, CultureInfo.InvariantCulture) : Missing;

    /// <summary>Spells the usual ASCII unit names the way people read them.</summary>
    internal static string DisplayUnit(string unit) => unit switch
    {
        "degC" or "deg C" => "°C",
        "degF" or "deg F" => "°F",
        "" => "target units",
        _ => unit,
    };
}
