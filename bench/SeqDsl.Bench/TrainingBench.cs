using System.Diagnostics;
using SeqDsl.Runtime.Experiments;
using SeqDsl.Runtime.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace SeqDsl.Bench;

/// <summary>A model generated from a spec, with the batch shape the benchmark feeds it.</summary>
internal sealed record BenchModel(string Name, string Spec, Func<nn.Module<Tensor, Tensor>> Create, long[] InputShape, TrainingSpec Training, int Classes = 0);

/// <summary>
/// Training steps as <see cref="Trainer"/> runs them (a dispose scope per step; zero_grad, forward, loss, backward,
/// clipping when the spec asks for it, optimizer step, the loss read back as a number), on one random batch made
/// before timing starts, with the optimizer and loss of the model's spec.
/// </summary>
internal static class TrainingBench
{
    private const int Batch = 128;
    private const int Vocabulary = 57;

    private static readonly BenchModel[] Models =
    {
        new("gru32", "weather_gru.yaml", () => new WeatherGruModel(), new long[] { Batch, 240, 14 }, WeatherGruModel.Experiment.Training!),
        new("gru32_dropout", "weather_gru_dropout.yaml", () => new WeatherGruDropoutModel(), new long[] { Batch, 240, 14 }, WeatherGruDropoutModel.Experiment.Training!),
        new("stacked_gru", "weather_stacked_gru.yaml", () => new WeatherStackedGruModel(), new long[] { Batch, 240, 14 }, WeatherStackedGruModel.Experiment.Training!),
        new("bigru32", "weather_bidirectional_gru.yaml", () => new WeatherBidirectionalGruModel(), new long[] { Batch, 240, 14 }, WeatherBidirectionalGruModel.Experiment.Training!),
        new("conv1d_gru480", "bench/SeqDsl.Bench/specs/conv1d_gru_480.yaml", () => new Conv1DGru480Model(), new long[] { Batch, 480, 14 },
            // The bench spec has no data section, so no training section: weather_conv1d_gru.yaml's settings (rmsprop, mae).
            new TrainingSpec { Optimizer = new OptimizerOptions(OptimizerKind.RmsProp), Loss = LossKind.Mae }),
        new("char_lstm", "char_lstm.yaml", () => new CharLstmModel(Vocabulary), new long[] { Batch, 60, Vocabulary }, CharLstmModel.Experiment.Training!, Vocabulary),
    };

    public static IEnumerable<string> ModelNames => Models.Select(m => m.Name).Append(DiagnosisBench.Name);

    public static int Step(Options options)
    {
        var name = options.Required("model");
        if (name == DiagnosisBench.Name) return DiagnosisBench.Step(options);
        var spec = Models.FirstOrDefault(m => m.Name == name)
            ?? throw new ArgumentException($"unknown model '{name}'; one of {string.Join(", ", ModelNames)}");
        int threads = Program.Configure(options);
        int warmup = options.Int("warmup", 3), steps = Math.Max(1, options.Int("steps", 15));

        manual_seed(42);
        using var model = spec.Create();
        var (x, y) = RandomBatch(spec);
        var times = Run(model, spec.Training, x, y, warmup, steps);
        long parameters = model.parameters().Sum(p => p.numel());
        Report(spec.Name, options.Int("round", 1), threads, warmup, times, parameters,
            $"{spec.Spec}, {parameters:N0} params, input {string.Join("x", spec.InputShape)}, {spec.Training.Optimizer.Kind} lr {spec.Training.Optimizer.EffectiveLearningRate}, {spec.Training.Loss}{(spec.Training.ClipNorm is double c ? $", clip {c}" : "")}");
        x.Dispose();
        y.Dispose();
        return 0;
    }

    /// <summary>Prints a model's step times (the readable line and the RESULT line perf.sh tabulates).</summary>
    internal static void Report(string model, int round, int threads, int warmup, double[] times, long parameters, string description)
    {
        double median = Program.Median(times);
        Console.WriteLine($"seqdsl {model,-14} ({description}, {threads} threads): median {Program.F(median)} ms over {times.Length} steps after {warmup} warm-up");
        Program.Result(new()
        {
            ["kind"] = "step",
            ["impl"] = "seqdsl",
            ["model"] = model,
            ["round"] = round,
            ["threads"] = threads,
            ["warmup"] = warmup,
            ["median_ms"] = median,
            ["times_ms"] = times,
            ["parameters"] = parameters,
        });
    }

    /// <summary>
    /// Runs <paramref name="warmup"/> then <paramref name="steps"/> timed training steps, each in a dispose scope with the
    /// loss it returns read back as a number; returns each timed step's milliseconds.
    /// </summary>
    internal static double[] Time(int warmup, int steps, Func<Tensor> step)
    {
        var times = new double[steps];
        double lastLoss = 0;
        for (int i = -warmup; i < steps; i++)
        {
            long start = Stopwatch.GetTimestamp();
            using (var scope = NewDisposeScope())
                lastLoss = step().to_type(ScalarType.Float64).item<double>();
            if (i >= 0) times[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        }
        if (!double.IsFinite(lastLoss)) throw new InvalidOperationException($"the loss is {lastLoss}");
        return times;
    }

    /// <summary>
    /// Trains GRU(32) for --steps steps, reading VmRSS after every step. Growth compares step --at with the last
    /// step; since RSS moves between two levels from one step to the next (the allocator hands large per-step buffers
    /// back to the system and maps them again), each point is the highest VmRSS over the 20 steps ending there. The
    /// single reading at each point and VmHWM are reported beside it.
    /// </summary>
    public static int Memory(Options options)
    {
        int threads = Program.Configure(options);
        int steps = Math.Max(2, options.Int("steps", 2000));
        int at = Math.Clamp(options.Int("at", 100), 1, steps - 1);
        int window = Math.Min(20, at);
        var spec = Models[0];
        manual_seed(42);
        using var model = spec.Create();
        var (x, y) = RandomBatch(spec);
        var rss = new long[steps + 1];
        long hwmAt = 0, managedAt = 0, committedAt = 0;
        var clock = Stopwatch.StartNew();
        // The runtime's own Trainer (what `train` runs), one epoch of --steps steps over the same batch.
        var progress = new RssProgress(step =>
        {
            rss[step] = Rss.Kb("VmRSS");
            if (step == at)
            {
                hwmAt = Rss.Kb("VmHWM");
                managedAt = GC.GetTotalMemory(false);
                committedAt = GC.GetGCMemoryInfo().TotalCommittedBytes;
            }
        });
        using (var trainer = new Trainer(model, new TrainerOptions
        {
            Epochs = 1, StepsPerEpoch = steps, ValidationSteps = 0,
            Loss = spec.Training.Loss, Optimizer = spec.Training.Optimizer, ClipNorm = spec.Training.ClipNorm,
        }, CPU, progress))
        {
            trainer.Fit(() => new FixedBatch(x, y), null);
        }
        var times = progress.StepTimes;
        long managedEnd = GC.GetTotalMemory(false), committedEnd = GC.GetGCMemoryInfo().TotalCommittedBytes;
        long hwmEnd = Rss.Kb("VmHWM");
        double seconds = clock.Elapsed.TotalSeconds;
        long MaxBefore(int step) => rss.Skip(step - window + 1).Take(window).Max();
        long maxAt = MaxBefore(at), maxEnd = MaxBefore(steps);
        double Growth(long from, long to) => 100.0 * (to - from) / from;
        double growth = Growth(maxAt, maxEnd), rawGrowth = Growth(rss[at], rss[steps]), hwmGrowth = Growth(hwmAt, hwmEnd);
        static string Mb(long kb) => $"{kb / 1024.0:F1} MB";
        int every = Math.Max(1, steps / 10);
        Console.WriteLine($"seqdsl memory gru32: {steps} steps in {Program.F(seconds)} s ({threads} threads); VmRSS at steps " +
                          string.Join(", ", Enumerable.Range(1, steps).Where(s => s % every == 0 || s == at).Select(s => $"{s}: {Mb(rss[s])}")));
        Console.WriteLine($"  highest VmRSS over the {window} steps up to step {at}: {Mb(maxAt)}, up to step {steps}: {Mb(maxEnd)}: growth {growth:F2}%");
        Console.WriteLine($"  single readings after step {at}: {Mb(rss[at])}, after step {steps}: {Mb(rss[steps])} ({rawGrowth:+0.00;-0.00}%); " +
                          $"VmHWM {Mb(hwmAt)} -> {Mb(hwmEnd)} ({hwmGrowth:+0.00;-0.00}%)");
        Console.WriteLine($"  .NET heap (GC.GetTotalMemory) {Mb(managedAt / 1024)} -> {Mb(managedEnd / 1024)}, GC committed {Mb(committedAt / 1024)} -> {Mb(committedEnd / 1024)}; " +
                          $"gen0/1/2 collections {GC.CollectionCount(0)}/{GC.CollectionCount(1)}/{GC.CollectionCount(2)}");
        Program.Result(new()
        {
            ["kind"] = "memory",
            ["model"] = spec.Name,
            ["steps"] = steps,
            ["at"] = at,
            ["window"] = window,
            ["rss_at_mb"] = maxAt / 1024.0,
            ["rss_end_mb"] = maxEnd / 1024.0,
            ["growth_pct"] = growth,
            ["raw_at_mb"] = rss[at] / 1024.0,
            ["raw_end_mb"] = rss[steps] / 1024.0,
            ["raw_growth_pct"] = rawGrowth,
            ["hwm_at_mb"] = hwmAt / 1024.0,
            ["hwm_end_mb"] = hwmEnd / 1024.0,
            ["hwm_growth_pct"] = hwmGrowth,
            ["managed_at_mb"] = managedAt / 1048576.0,
            ["managed_end_mb"] = managedEnd / 1048576.0,
            ["gc_committed_at_mb"] = committedAt / 1048576.0,
            ["gc_committed_end_mb"] = committedEnd / 1048576.0,
            ["seconds"] = seconds,
            ["median_step_ms"] = Program.Median(times),
        });
        x.Dispose();
        y.Dispose();
        return 0;
    }

    private static (Tensor X, Tensor Y) RandomBatch(BenchModel spec)
    {
        if (spec.Classes > 0)
        {
            using var ids = randint(0, spec.Classes, new[] { spec.InputShape[0], spec.InputShape[1] }, dtype: ScalarType.Int64);
            return (nn.functional.one_hot(ids, spec.Classes).to_type(ScalarType.Float32),
                    randint(0, spec.Classes, new[] { spec.InputShape[0] }, dtype: ScalarType.Int64));
        }
        return (randn(spec.InputShape), randn(spec.InputShape[0], 1));
    }

    /// <summary>Runs warm-up then timed steps of <paramref name="model"/> with the spec's optimizer and loss (see <see cref="Time"/>).</summary>
    private static double[] Run(nn.Module<Tensor, Tensor> model, TrainingSpec training, Tensor x, Tensor y, int warmup, int steps)
    {
        model.train();
        var parameters = model.parameters().ToArray();
        using var optimizer = Optimizers.Create(parameters, training.Optimizer);
        return Time(warmup, steps, () =>
        {
            optimizer.zero_grad();
            Tensor loss = training.Loss == LossKind.CategoricalCrossEntropy && model is ILogitsModel withLogits
                ? Losses.CrossEntropy(withLogits.Logits(x), y, fromLogits: true)
                : Losses.Compute(training.Loss, model.call(x), y);
            loss.backward();
            if (training.ClipNorm is double clip) nn.utils.clip_grad_norm_(parameters, clip);
            optimizer.step();
            return loss;
        });
    }
}

/// <summary>Fields of /proc/self/status.</summary>
internal static class Rss
{
    public static long Kb(string field)
    {
        foreach (var line in File.ReadLines("/proc/self/status"))
        {
            if (!line.StartsWith(field + ":", StringComparison.Ordinal)) continue;
            var parts = line[(field.Length + 1)..].Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries);
            return long.Parse(parts[0], System.Globalization.CultureInfo.InvariantCulture);
        }
        return 0;
    }
}

/// <summary>One batch, served again and again.</summary>
internal sealed class FixedBatch : SeqDsl.Runtime.Data.IBatchSource
{
    private readonly Tensor _x, _y;
    public FixedBatch(Tensor x, Tensor y) { _x = x; _y = y; }
    public (Tensor Inputs, Tensor Targets) Next() => (_x.alias(), _y.alias());
}

/// <summary>Calls back after every training step, and times the steps.</summary>
internal sealed class RssProgress : ITrainingProgress
{
    private readonly Action<int> _afterStep;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    public RssProgress(Action<int> afterStep) => _afterStep = afterStep;
    public List<double> StepTimes { get; } = new();
    public void EpochStarted(int epoch, int epochs, int steps) => _clock.Restart();
    public void StepCompleted(int step, double loss)
    {
        StepTimes.Add(_clock.Elapsed.TotalMilliseconds);
        _afterStep(step);
        _clock.Restart();
    }
    public void ValidationStarted(int steps) { }
    public void EpochCompleted(EpochRecord record) { }
}
