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
    /// followed by a verdict per split such as <c>model beats the naive baseline by 8.6%</c>.
    /// </summary>
    public static string Render(MetricsReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        string unit = DisplayUnit(report.TargetUnit);
        var rows = new List<(string Label, double? Mae)>
        {
            ("naive baseline", report.NaiveValMae),
            (report.BestEpoch is int best ? $"model (best epoch {best})" : "model (best epoch)", report.BestValMae),
        };
        // Test numbers are only comparable with the baseline on the same split, so it gets its own row when known.
        if (report.NaiveTestMae is not null)
            rows.Add(("naive baseline on test", report.NaiveTestMae));
        rows.Add(("model on test", report.TestMae));

        string[] header = ["", "MAE (normalized)", $"MAE ({unit})"];
        var cells = rows.Select(r => new[] { r.Label, Format(r.Mae, "F4"), Format(r.Mae * report.TargetStd, "F2") }).ToList();
        int[] widths = Enumerable.Range(0, header.Length)
            .Select(c => cells.Select(row => row[c].Length).Append(header[c].Length).Max())
            .ToArray();

        var text = new StringBuilder();
        text.Append("Results: ").Append(report.Experiment).Append(" (target ").Append(report.Target)
            .Append(", std ").Append(report.TargetStd.ToString("G4", CultureInfo.InvariantCulture)).Append(' ').Append(unit).Append(")\n");
        AppendRow(text, header, widths);
        text.Append('-', widths.Sum() + 2 * (widths.Length - 1)).Append('\n');
        foreach (var row in cells)
            AppendRow(text, row, widths);
        text.Append(Verdict("", report.BestValMae, report.NaiveValMae));
        text.Append(Verdict("on test, ", report.TestMae, report.NaiveTestMae));
        return text.ToString();
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
