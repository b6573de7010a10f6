using System.Collections.Generic;
using System.Globalization;
using System.IO;
using SeqDsl.Runtime.Data;
using SeqDsl.Runtime.Experiments;

namespace SeqDsl.Runtime.Sweeps;

/// <summary>
/// The command line's overrides of a sweep's runs, written as the flags that set them: <c>sweep</c> passes them on to each
/// <c>train --run</c> (and into the Kubernetes and Slurm commands), and a run folder records those that change its result.
/// </summary>
public static class SweepOverrides
{
    /// <summary>
    /// The overrides that change a run's result, in a fixed order: --epochs, --steps-per-epoch, --validation-steps, --data
    /// and --outcomes (as full paths, so that a child in another directory reads the same file), --time-order. A run
    /// folder records them (<see cref="SweepRunRecord.Overrides"/>): a run trained with other ones is another run.
    /// </summary>
    public static IReadOnlyList<string> Identity(RunOptions options) => Flags(options, withDevice: false);

    /// <summary>What <c>sweep</c> passes on to each run: <see cref="Identity"/> and --device (a run's result does not name its device).</summary>
    public static IReadOnlyList<string> PassThrough(RunOptions options) => Flags(options, withDevice: true);

    private static IReadOnlyList<string> Flags(RunOptions options, bool withDevice)
    {
        var flags = new List<string>();
        void Add(string flag, string value)
        {
            flags.Add(flag);
            flags.Add(value);
        }
        string Number(int n) => n.ToString(CultureInfo.InvariantCulture);
        if (options.Epochs is int epochs) Add("--epochs", Number(epochs));
        if (options.StepsPerEpoch is int steps) Add("--steps-per-epoch", Number(steps));
        if (options.ValidationSteps is int validation) Add("--validation-steps", Number(validation));
        if (options.DataPath is { } data) Add("--data", Path.GetFullPath(data));
        if (options.OutcomesPath is { } outcomes) Add("--outcomes", Path.GetFullPath(outcomes));
        if (options.TimeOrder != TimeOrderPolicy.Require)
            Add("--time-order", options.TimeOrder == TimeOrderPolicy.Sort ? "sort" : "as-is");
        if (withDevice && options.Device != DeviceChoice.Auto) Add("--device", options.Device.ToString().ToLowerInvariant());
        return Pairs(flags);
    }

    /// <summary>Flag-value pairs as one token each ("--epochs 1") for the record, split again by <see cref="Arguments"/>.</summary>
    private static IReadOnlyList<string> Pairs(List<string> flags)
    {
        var pairs = new List<string>();
        for (int i = 0; i < flags.Count; i += 2) pairs.Add(flags[i] + " " + flags[i + 1]);
        return pairs;
    }

    /// <summary>The pairs as command-line arguments: "--data /a b.csv" → "--data", "/a b.csv".</summary>
    public static IEnumerable<string> Arguments(IEnumerable<string> pairs)
    {
        foreach (string pair in pairs)
        {
            int space = pair.IndexOf(' ');
            yield return pair[..space];
            yield return pair[(space + 1)..];
        }
    }
}
