using SeqDsl.Runtime.Episodes;

namespace SeqDsl.Runtime.Tests.Episodes;

/// <summary>Small hand-made episode sets whose preprocessing and labels can be worked out by hand.</summary>
internal static class EpisodeTestSets
{
    public static readonly string[] Variables = { "hr", "sbp" };
    public static readonly string[] Statics = { "Age", "ICUType" };
    public static readonly string[] Outcomes = { "death", "los" };

    /// <summary>
    /// a: hr 80 and 90 in hour 0, sbp 120 in hour 1, hr 70 in hour 2; Age 60, ICUType 2; died, 2 days.
    /// b: hr 100 and sbp 140 in hour 0, sbp 100 in hour 1; Age missing, ICUType 3; survived, 5 days.
    /// c: hr 60 in hour 3; Age 80, ICUType 1; survived, 1 day.
    /// </summary>
    public static EpisodeSet Three(string name = "three") => new(name, Variables, Statics, Outcomes, new[]
    {
        new EpisodeRecord("a", new[] { new Observation(10, 0, 80), new Observation(20, 0, 90), new Observation(70, 1, 120), new Observation(130, 0, 70) },
            new double?[] { 60, 2 }, new double?[] { 1, 2 }),
        new EpisodeRecord("b", new[] { new Observation(0, 0, 100), new Observation(5, 1, 140), new Observation(65, 1, 100) },
            new double?[] { null, 3 }, new double?[] { 0, 5 }),
        new EpisodeRecord("c", new[] { new Observation(200, 0, 60) }, new double?[] { 80, 1 }, new double?[] { 0, 1 }),
    });

    /// <summary><paramref name="count"/> records without observations, every <paramref name="positiveEvery"/>-th one dead.</summary>
    public static EpisodeSet Labelled(int count, int positiveEvery) => new("labelled", Variables, Statics, Outcomes,
        Enumerable.Range(0, count).Select(i => new EpisodeRecord($"r{i}", Array.Empty<Observation>(), new double?[] { 50, 1 },
            new double?[] { i % positiveEvery == 0 ? 1 : 0, i % 7 })).ToArray());
}
