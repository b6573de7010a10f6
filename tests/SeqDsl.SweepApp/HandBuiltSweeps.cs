using System.Globalization;
using SeqDsl.Runtime.Experiments;

namespace SeqDsl.SweepApp;

/// <summary>
/// The one place this program attaches sweeps by hand, until the generator emits them from a spec's sweep section:
/// SweepDense gets 2 learning rates × 2 seeds (4 runs, grid order, last key fastest), as
/// <c>sweep: { values: { training.optimizer.learning_rate: [0.001, 0.003], training.seed: [1, 2] } }</c> would give.
/// </summary>
public static class HandBuiltSweeps
{
    /// <summary>The swept learning rates, as the spec would write them.</summary>
    public static readonly string[] LearningRates = { "0.001", "0.003" };

    /// <summary>The swept seeds.</summary>
    public static readonly string[] Seeds = { "1", "2" };

    /// <summary><paramref name="experiments"/> with SweepDense's sweep attached.</summary>
    public static IReadOnlyList<ExperimentSpec> Attach(IReadOnlyList<ExperimentSpec> experiments) =>
        experiments.Select(e => e.Name == "SweepDense" ? e with { Sweep = DenseSweep(e) } : e).ToArray();

    private static SweepSpec DenseSweep(ExperimentSpec dense)
    {
        var runs = new List<SweepRun>();
        foreach (string rate in LearningRates)
        {
            foreach (string seed in Seeds)
            {
                var training = dense.Training with
                {
                    Optimizer = dense.Training.Optimizer with { LearningRate = double.Parse(rate, CultureInfo.InvariantCulture) },
                    Seed = long.Parse(seed, CultureInfo.InvariantCulture),
                };
                runs.Add(new SweepRun(runs.Count, dense with { Training = training },
                    new[] { new SweepSetting("training.optimizer.learning_rate", rate), new SweepSetting("training.seed", seed) }));
            }
        }
        return new SweepSpec(dense.Name, dense.SpecFile, runs);
    }
}
