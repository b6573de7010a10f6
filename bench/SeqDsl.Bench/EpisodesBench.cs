using System.Diagnostics;
using SeqDsl.Runtime.Episodes;

namespace SeqDsl.Bench;

/// <summary>
/// Loads and preprocesses an episode set as the diagnosis task does: PhysioNet 2012 from its archive and outcomes
/// file (or the built-in synthetic ICU set), the literature's four labels, a stratified 70/15/15 record split, then
/// hourly means over the first 48 hours, forward fill then the training median, missingness indicators, hours since
/// observed, [0, 1] scaling and static inputs, fitted on the training records.
/// </summary>
internal static class EpisodesBench
{
    public static int Run(Options options)
    {
        string source = options.String("source", "physionet2012");
        int repeat = Math.Max(1, options.Int("repeat", 3));
        var timings = new Dictionary<string, List<double>>();
        void Time(string step, Stopwatch watch) { (timings.TryGetValue(step, out var list) ? list : timings[step] = new()).Add(watch.Elapsed.TotalSeconds); watch.Restart(); }

        EpisodeSet set = null!;
        EpisodeLabels labels = null!;
        EpisodeSplit split = null!;
        PreparedEpisodes prepared = null!;
        for (int round = 0; round < repeat; round++)
        {
            var total = Stopwatch.StartNew();
            var watch = Stopwatch.StartNew();
            IReadOnlyList<LabelDefinition> definitions;
            if (source == "synthetic-icu")
            {
                set = SyntheticIcu.Generate(new SyntheticIcuOptions { Records = options.Int("records", 2000) });
                definitions = SyntheticIcu.OutcomeNames.Take(12).Select(n => new LabelDefinition(n, n)).ToArray();
            }
            else
            {
                set = PhysioNet2012Source.Load(options.Required("stays"), options.Required("outcomes"));
                definitions = EpisodeLabelSets.PhysioNet2012;
            }
            Time("load", watch);
            labels = EpisodeLabels.Resolve(set, definitions);
            split = EpisodeSplit.ByFractions(labels, 0.7, 0.15, seed: 1);
            Time("labels and split", watch);
            var preprocessing = EpisodePreprocessor.Fit(set, split.Train, new EpisodePreprocessingOptions
            {
                HorizonMinutes = source == "synthetic-icu" ? null : 48 * 60,
                MaxSteps = source == "synthetic-icu" ? 14 * 24 : null,
                MissingIndicators = true, TimeSinceObserved = true, StaticInputs = true,
                EmptyEpisodes = EmptyEpisodePolicy.KeepOneStep,
            }, labels.DerivedFromStatics);
            Time("fit", watch);
            prepared = preprocessing.Transform(set);
            Time("transform", watch);
            Time("total", total);
        }

        Console.WriteLine($"source: {set.SourceName}");
        Console.WriteLine($"records: {set.Records.Count:N0} (train {split.Train.Length:N0}, validation {split.Validation.Length:N0}, test {split.Test.Length:N0})");
        Console.WriteLine($"variables: {set.Variables.Count} time-varying, {set.StaticNames.Count} static ({string.Join(", ", set.StaticNames)}); observations: {set.Records.Sum(r => (long)r.Observations.Length):N0}");
        if (set.UnknownVariables.Count > 0)
            Console.WriteLine($"unknown variables left out: {string.Join(", ", set.UnknownVariables.Select(u => $"{u.Name} ({u.Count})"))}");
        Console.WriteLine($"features per step: {prepared.Features}; steps per record: mean {prepared.Lengths.Average():F1}, max {prepared.MaxLength}; records of a single step: {prepared.Lengths.Count(l => l == 1)}");
        var all = Enumerable.Range(0, set.Records.Count).ToArray();
        var prevalence = labels.Prevalence(all);
        Console.WriteLine("label prevalence (all / train / test):");
        var train = labels.Prevalence(split.Train);
        var test = labels.Prevalence(split.Test);
        for (int l = 0; l < labels.Names.Count; l++)
            Console.WriteLine($"  {labels.Names[l],-26} {prevalence[l]:P1}  {train[l]:P1}  {test[l]:P1}");
        Console.WriteLine($"time (median of {repeat}; the first run includes JIT):");
        foreach (var (step, seconds) in timings)
            Console.WriteLine($"  {step,-18} {Program.Median(seconds):F2} s   (first {seconds[0]:F2} s)");
        Program.Result(new Dictionary<string, object?>
        {
            ["bench"] = "episodes", ["source"] = source, ["records"] = set.Records.Count, ["variables"] = set.Variables.Count,
            ["seconds"] = Program.Median(timings["total"]), ["first_seconds"] = timings["total"][0],
        });
        return 0;
    }
}
