using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using SeqDsl.Runtime.Data;
using SeqDsl.Runtime.Reporting;
using SeqDsl.Runtime.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace SeqDsl.Runtime.Experiments;

/// <summary>Where tensors live during a run.</summary>
public enum DeviceChoice
{
    /// <summary>CUDA when available, else the CPU.</summary>
    Auto,
    /// <summary>The CPU.</summary>
    Cpu,
    /// <summary>An NVIDIA GPU; an error when CUDA is not available.</summary>
    Cuda,
}

/// <summary>Command-line overrides of a spec's settings for one run.</summary>
public sealed record RunOptions
{
    /// <summary>Overrides training.epochs.</summary>
    public int? Epochs { get; init; }
    /// <summary>Overrides training.steps_per_epoch.</summary>
    public int? StepsPerEpoch { get; init; }
    /// <summary>Overrides training.validation_steps.</summary>
    public int? ValidationSteps { get; init; }
    /// <summary>A data file that replaces the spec's source (CSV; a Jena-format file for the climate sources; an episodes set's stays or observations).</summary>
    public string? DataPath { get; init; }
    /// <summary>An episodes task's outcomes or labels file, beside <see cref="DataPath"/>; replaces the spec's.</summary>
    public string? OutcomesPath { get; init; }
    /// <summary>Run folder; default runs/&lt;model name&gt;.</summary>
    public string? OutputDirectory { get; init; }
    /// <summary>Where tensors live.</summary>
    public DeviceChoice Device { get; init; } = DeviceChoice.Auto;
    /// <summary>Overrides training.seed.</summary>
    public long? Seed { get; init; }
    /// <summary>Continue from the run folder's last checkpoint.</summary>
    public bool Resume { get; init; }
    /// <summary>CPU threads for libtorch; default: libtorch's choice.</summary>
    public int? Threads { get; init; }
    /// <summary>Checkpoint to evaluate; default the run folder's best.pt.</summary>
    public string? Checkpoint { get; init; }
    /// <summary>How a CSV's timestamps must be ordered; default <see cref="TimeOrderPolicy.Require"/>.</summary>
    public TimeOrderPolicy TimeOrder { get; init; } = TimeOrderPolicy.Require;
    /// <summary>An episodes task's k-fold cross-validation by record: k runs, each testing on one fold; null: the spec's split.</summary>
    public int? Folds { get; init; }
    /// <summary>The fold (0-based) this run tests on, when <see cref="Folds"/> is set; the cross-validation sets it per run.</summary>
    internal int? Fold { get; init; }
    /// <summary>The index of the sweep run this is (<c>train --run</c>, set by the sweep): its folder is a member of ensembles, so it reports none itself.</summary>
    internal int? SweepRunIndex { get; init; }
}

/// <summary>A series ready for windows: normalized, on the device, with what it takes to report in target units.</summary>
public sealed class PreparedData : IDisposable
{
    internal PreparedData(Tensor data, TimeSeriesFrame frame, int[] targetColumns, int[] forecastColumns, Normalizer? normalizer, string description)
    {
        Tensor = data;
        Frame = frame;
        TargetColumns = targetColumns;
        ForecastColumns = forecastColumns;
        Normalizer = normalizer;
        Description = description;
    }

    /// <summary>(rows, columns) float32 on the run's device.</summary>
    public Tensor Tensor { get; }
    /// <summary>The raw (unnormalized) frame.</summary>
    public TimeSeriesFrame Frame { get; }
    /// <summary>Index of the target column (the first, with several).</summary>
    public int TargetColumn => TargetColumns[0];
    /// <summary>Indices of the target columns, in the spec's order.</summary>
    public IReadOnlyList<int> TargetColumns { get; }
    /// <summary>
    /// Indices of the columns the model forecasts and is trained on, in the order of its output's channels: the targets,
    /// or every column for a channel-independent model.
    /// </summary>
    public IReadOnlyList<int> ForecastColumns { get; }
    /// <summary>Where each target lies among <see cref="ForecastColumns"/>: the channels the model is scored on.</summary>
    public IReadOnlyList<int> ScoredChannels => TargetColumns.Select(c => ForecastColumns.ToList().IndexOf(c)).ToArray();
    /// <summary>The training split's statistics, when the spec normalizes.</summary>
    public Normalizer? Normalizer { get; }
    /// <summary>One line for the console: source, rows, columns.</summary>
    public string Description { get; }
    /// <summary>Multiplies a normalized error into the (first) target's units.</summary>
    public double TargetScale => Normalizer is null ? 1.0 : Normalizer.Std[TargetColumn];
    /// <summary>Whether errors can be stated in a target unit: there is one target (several share no unit).</summary>
    public bool HasTargetUnit => TargetColumns.Count == 1;

    /// <inheritdoc/>
    public void Dispose() => Tensor.Dispose();
}

/// <summary>
/// Runs one experiment end to end: loads and normalizes the data, reports the baseline, trains with
/// checkpoints and progress, evaluates on the test split, and writes history.csv/json, loss.png and
/// metrics.json into the run folder.
/// </summary>
public sealed class ExperimentRunner
{
    private readonly RunSetup _setup;
    private ExperimentSpec _spec => _setup.Spec;
    private RunOptions _options => _setup.Options;
    private TextWriter _out => _setup.Out;
    private ITrainingProgress _progress => _setup.Progress;

    /// <summary>Creates a runner; nothing runs until a command method is called.</summary>
    public ExperimentRunner(ExperimentSpec spec, RunOptions? options = null, TextWriter? output = null, ITrainingProgress? progress = null)
    {
        _setup = new RunSetup(spec, options, output, progress);
    }

    /// <summary>The run folder.</summary>
    public string OutputDirectory => _setup.OutputDirectory;

    private DataSpec Data => _spec.Data ?? throw new ExperimentException(
        $"{_spec.SpecFile} describes a model but no experiment: add a 'data' section (source, target, window, splits) to train or evaluate it.");

    /// <summary>Resolves the device, failing clearly when CUDA is asked for but missing.</summary>
    public Device ResolveDevice() => _setup.ResolveDevice();

    /// <summary>Loads the source (or --data), keeps the columns, normalizes with the training rows and moves the series to the device.</summary>
    public PreparedData PrepareData(Device device)
    {
        var data = Data;
        TimeSeriesFrame frame;
        string origin;
        if (_options.DataPath is { } path)
        {
            frame = CsvSource.Load(path, CsvOptionsFor(data));
            origin = path;
        }
        else
        {
            switch (data.Source)
            {
                case DataSourceKind.SyntheticClimate:
                    frame = SyntheticClimate.Generate(data.Rows, seed: 42);
                    origin = $"synthetic-climate ({data.Rows:N0} rows)";
                    break;
                case DataSourceKind.JenaClimate:
                    frame = JenaClimate.Load(new JenaClimateOptions { Sha256 = data.Sha256 });
                    origin = "jena-climate";
                    break;
                case DataSourceKind.Ett:
                {
                    string file = DataCache.Ensure(DownloadableFile.Ett(data.Series, data.Sha256));
                    frame = CsvSource.Load(file, CsvOptionsFor(data) with { DateColumn = PublicDataSets.EttDateColumn });
                    origin = $"{data.Series} ({file})";
                    break;
                }
                default:
                {
                    string file = data.Url is { } url
                        ? DataCache.Ensure(DownloadableFile.FromUrl(url, data.Sha256))
                        : SpecPaths.RequireExisting(_spec, "data.path", data.Path ?? throw new ExperimentException(
                            $"{_spec.SpecFile}: the csv source has no 'path' or 'url'; add one under 'data' or pass --data path/to/file.csv."), "--data");
                    frame = CsvSource.Load(file, CsvOptionsFor(data));
                    origin = file;
                    break;
                }
            }
        }
        if (data.Columns is { Count: > 0 } columns && !columns.SequenceEqual(frame.Columns))
            frame = frame.Select(columns);
        int[] targets = data.Targets.Select(frame.IndexOf).ToArray();
        // A channel-independent model forecasts every column as a series of its own; otherwise the model forecasts its targets.
        int[] forecast = _spec.ChannelIndependent ? Enumerable.Range(0, frame.ColumnCount).ToArray() : targets;

        Normalizer? normalizer = null;
        var normalized = frame;
        if (data.Normalize)
        {
            // Statistics of the rows training reads: its windows' inputs and targets (for the ETT protocol these
            // are exactly its 12 months; for the lecture's split [0, 200000] they end delay rows later).
            int trainEnd = data.Train.MaxIndex is int max ? (int)data.Window.Geometry.LastTarget(max) + 1 : frame.Rows;
            normalizer = Normalizer.Fit(frame, data.Train.MinIndex, Math.Min(trainEnd, frame.Rows));
            normalized = normalizer.Apply(frame);
        }
        var tensor = normalized.ToTensor(device);
        try
        {
            CheckSplits(tensor, forecast, origin);
        }
        catch
        {
            tensor.Dispose();
            throw;
        }
        string description = $"{origin}: {frame.Rows:N0} rows × {frame.ColumnCount} columns, " +
            (targets.Length == 1 ? $"target '{data.TargetText}'" : $"{targets.Length} targets ({data.TargetText})") +
            (_spec.ChannelIndependent ? $"; channel-independent: trained on all {forecast.Length} columns as separate series" : "");
        return new PreparedData(tensor, frame, targets, forecast, normalizer, description);
    }

    private CsvOptions CsvOptionsFor(DataSpec data) => new()
    {
        DateColumn = data.DateColumn,
        DateFormat = data.DateFormat,
        Columns = data.Columns,
        Missing = data.Missing,
        TimeOrder = _options.TimeOrder,
    };

    /// <summary>
    /// Fails unless every split has room for a window in the loaded rows: the spec's splits were checked against the
    /// source's size at build time, but --data or a CSV of another length changes it, and a split without windows
    /// must stop the run before training rather than after.
    /// </summary>
    private void CheckSplits(Tensor data, int[] targetColumns, string origin)
    {
        var splits = new (string Name, SplitRange? Range)[] { ("train", Data.Train), ("val", Data.Validation), ("test", Data.Test) };
        foreach (var (name, range) in splits)
        {
            if (range is null) continue;
            try
            {
                // Without host blocks: only the bounds are checked, nothing is copied.
                using var probe = new WindowGenerator(data, targetColumns, Data.Window, range.MinIndex, range.MaxIndex, shuffle: false, seed: 0, hostBlocks: false);
            }
            catch (ArgumentException e)
            {
                // The generator's reason without the parameter name and value that ArgumentException appends.
                string reason = e.Message;
                int appended = reason.IndexOf(" (Parameter '", StringComparison.Ordinal);
                if (appended >= 0) reason = reason[..appended];
                throw new ExperimentException(
                    $"{origin}: the {name} split {range} of {_spec.SpecFile} has no room for a window in the data's {data.shape[0]:N0} rows " +
                    $"(lookback {Data.Window.Lookback}, delay {Data.Window.Delay}, horizon {Data.Window.Horizon}): {reason} " +
                    "Use a longer series or change the splits.");
            }
        }
    }

    /// <summary>A window generator over one split, with the columns the model forecasts as targets.</summary>
    public WindowGenerator Windows(PreparedData prepared, SplitRange split, bool shuffle, long seed)
        => new(prepared.Tensor, prepared.ForecastColumns, Data.Window, split.MinIndex, split.MaxIndex, shuffle, seed);

    /// <summary>The model's errors on <paramref name="steps"/> sequential batches of a split, per forecast channel, in eval mode without gradients.</summary>
    public ChannelErrors ScoreModel(torch.nn.Module<Tensor, Tensor> model, PreparedData prepared, SplitRange split, int steps)
    {
        bool wasTraining = model.training;
        model.eval();
        try
        {
            using var noGrad = torch.no_grad();
            using var generator = Windows(prepared, split, shuffle: false, seed: 0);
            using var errors = new ChannelErrorSums(prepared.ForecastColumns.Count, prepared.Tensor.device);
            for (int step = 0; step < steps; step++)
            {
                using var scope = NewDisposeScope();
                var (inputs, targets) = generator.Next();
                errors.Add(model.call(inputs), targets);
            }
            return errors.Result();
        }
        finally
        {
            model.train(wasTraining);
        }
    }

    /// <summary>Validation batches per epoch: the spec's number, or one pass over the validation rows.</summary>
    public int ValidationSteps(PreparedData prepared)
    {
        if (Data.Validation is not { } val) return 0;
        if (_options.ValidationSteps is int overridden) return overridden;
        if (_spec.Training.ValidationSteps is int fixedSteps) return fixedSteps;
        return Math.Max(1, Windows(prepared, val, shuffle: false, seed: 0).StepsPerPass);
    }

    private int TestSteps(PreparedData prepared)
        => Data.Test is { } test ? Math.Max(1, Windows(prepared, test, shuffle: false, seed: 0).StepsPerPass) : 0;

    /// <summary>The spec's baseline over exactly the batches of a split that the model is scored on.</summary>
    public BaselineResult? Baseline(PreparedData prepared, SplitRange? split, int steps)
    {
        if (split is null || steps <= 0) return null;
        var generator = Windows(prepared, split, shuffle: false, seed: 0);
        return _spec.Baseline.Kind switch
        {
            BaselineKind.Naive => Baselines.Naive(generator, steps),
            BaselineKind.SeasonalNaive => Baselines.SeasonalNaive(generator, steps, _spec.Baseline.Season),
            _ => null,
        };
    }

    /// <summary>`baseline`: prints the baseline on the validation and test splits.</summary>
    public MetricsReport RunBaseline()
    {
        _setup.ConfigureTorch();
        var device = ResolveDevice();
        using var prepared = PrepareData(device);
        _out.WriteLine(prepared.Description);
        var val = Baseline(prepared, Data.Validation, ValidationSteps(prepared));
        var test = Baseline(prepared, Data.Test, TestSteps(prepared));
        var report = Scored(NewReport(prepared), prepared, null, null, val, test);
        _out.WriteLine(ResultsTable.Render(report));
        return report;
    }

    /// <summary>`train`: the whole experiment. Returns the metrics also written to metrics.json.</summary>
    public MetricsReport Train()
    {
        var data = Data;
        var training = _spec.Training;
        long seed = _setup.Seed;
        var (device, folderLock) = _setup.StartTraining();
        using var runLock = folderLock;

        using var prepared = PrepareData(device);
        torch.manual_seed(seed);
        var model = _spec.CreateModel(ModelSizes.None);
        model.to(device);

        _out.WriteLine(_spec.Summary());
        _out.WriteLine(prepared.Description);
        var window = data.Window;
        int validationSteps = ValidationSteps(prepared);
        _out.WriteLine($"windows: lookback {window.Lookback}, step {window.Step}, delay {window.Delay}, horizon {window.Horizon}, batch {window.BatchSize}; " +
                       $"train {data.Train}, val {data.Validation?.ToString() ?? "-"}, test {data.Test?.ToString() ?? "-"}; device {device.type.ToString().ToLowerInvariant()}");
        _setup.ReportKernels(model, device);

        var naiveVal = Baseline(prepared, data.Validation, validationSteps);
        if (naiveVal is not null)
        {
            var scored = naiveVal.Channels.Select(prepared.ScoredChannels);
            _out.WriteLine(prepared.HasTargetUnit
                ? $"{naiveVal.Name} baseline on validation: MAE {scored.Mae:F4} ({scored.Mae * prepared.TargetScale:F3} {TargetUnit(data.TargetText)}) over {naiveVal.Batches} batches"
                : $"{naiveVal.Name} baseline on validation: MAE {scored.Mae:F4}, MSE {scored.Mse:F4} (normalized, averaged over {scored.Count} targets) over {naiveVal.Batches} batches");
        }

        var options = _setup.TrainerOptions(validationSteps, seed, training.Loss);
        var stopwatch = Stopwatch.StartNew();
        using var trainer = new Trainer(model, options, device, _progress);
        var history = RunFolder.Fit(trainer, _progress,
            () => Windows(prepared, data.Train, data.Shuffle, seed),
            data.Validation is { } validation ? () => Windows(prepared, validation, shuffle: false, seed: 0) : null);
        double seconds = stopwatch.Elapsed.TotalSeconds;
        RunFolder.WriteHistory(history, OutputDirectory, $"{_spec.Name}: training and validation loss",
            naiveVal?.Mae, naiveVal is null ? "baseline" : $"{naiveVal.Name} baseline (val)");

        // Test with the best weights, as Keras's ModelCheckpoint(save_best_only) would leave them, and only with weights
        // of this run: a best.pt that another run left in the folder says nothing about this one.
        string best = options.CheckpointPath!;
        bool ownBest = File.Exists(best) && Checkpoint.ReadInfo(best)?.RunId == trainer.RunId;
        if (ownBest)
            Checkpoint.Load(model, best);
        else
            _out.WriteLine($"note: {best} was not written by this run, so the model is not scored on test.");
        int testSteps = TestSteps(prepared);
        var test = testSteps > 0 && ownBest ? ScoreModel(model, prepared, data.Test!, testSteps) : null;
        var naiveTest = Baseline(prepared, data.Test, testSteps);

        var bestRecord = history.Epochs.Where(e => e.ValMae is not null).OrderBy(e => e.ValLoss).FirstOrDefault();
        // With one forecast channel the best epoch's validation figures are the history's; with several, the best weights
        // are scored again so that each channel (and the targets among them) has its own.
        ChannelErrors? val = null;
        if (prepared.ForecastColumns.Count > 1 && ownBest && validationSteps > 0)
            val = ScoreModel(model, prepared, data.Validation!, validationSteps);
        else if (prepared.ForecastColumns.Count == 1 && bestRecord is { ValMae: double valMae, ValMse: double valMse })
            val = ChannelErrors.Single(valMae, valMse);
        var report = Scored(NewReport(prepared), prepared, val, test, naiveVal, naiveTest) with
        {
            BestEpoch = bestRecord?.Epoch,
            Epochs = history.Epochs.Count,
            TrainSeconds = seconds,
        };
        report.Write(Path.Combine(OutputDirectory, "metrics.json"));
        _out.WriteLine();
        _out.WriteLine(ResultsTable.Render(report));
        _setup.ReportRunFolder("metrics.json, history.csv, history.json, loss.png, best.pt, last.pt");
        return report;
    }

    /// <summary>`evaluate`: scores a checkpoint on the validation and test splits.</summary>
    public MetricsReport Evaluate()
    {
        var data = Data;
        _setup.ConfigureTorch();
        var device = ResolveDevice();
        string checkpoint = _setup.ExistingCheckpoint();
        using var prepared = PrepareData(device);
        var model = _spec.CreateModel(ModelSizes.None);
        model.to(device);
        RunFolder.LoadWeights(model, checkpoint, _spec);
        int valSteps = ValidationSteps(prepared), testSteps = TestSteps(prepared);
        var val = valSteps > 0 ? ScoreModel(model, prepared, data.Validation!, valSteps) : null;
        var test = testSteps > 0 ? ScoreModel(model, prepared, data.Test!, testSteps) : null;
        var report = Scored(NewReport(prepared), prepared, val, test, Baseline(prepared, data.Validation, valSteps), Baseline(prepared, data.Test, testSteps));
        _out.WriteLine($"checkpoint: {checkpoint}");
        _out.WriteLine(ResultsTable.Render(report));
        return report;
    }

    private MetricsReport NewReport(PreparedData prepared) => new()
    {
        Experiment = _spec.Name,
        Target = Data.TargetText,
        TargetUnit = prepared.HasTargetUnit ? TargetUnit(Data.TargetText) : null,
        TargetStd = prepared.HasTargetUnit ? prepared.TargetScale : null,
    };

    /// <summary>
    /// The report's figures from per-channel errors: the headline metrics averaged over the targets (for a
    /// channel-independent model, the target columns among all it forecasts), each target's own when there are several,
    /// and the averages over every forecast column when these are more than the targets.
    /// </summary>
    private static MetricsReport Scored(MetricsReport report, PreparedData prepared, ChannelErrors? val, ChannelErrors? test, BaselineResult? naiveVal, BaselineResult? naiveTest)
    {
        var scored = prepared.ScoredChannels;
        ChannelMetrics Channel(string name, IReadOnlyList<int> channels)
        {
            ChannelErrors? Of(ChannelErrors? errors) => errors?.Select(channels);
            return new ChannelMetrics(name)
            {
                ValMae = Of(val)?.Mae, ValMse = Of(val)?.Mse, TestMae = Of(test)?.Mae, TestMse = Of(test)?.Mse,
                NaiveValMae = Of(naiveVal?.Channels)?.Mae, NaiveTestMae = Of(naiveTest?.Channels)?.Mae, NaiveTestMse = Of(naiveTest?.Channels)?.Mse,
            };
        }
        var targets = Channel("targets", scored);
        var forecast = prepared.ForecastColumns;
        return report with
        {
            NaiveValMae = targets.NaiveValMae,
            BestValMae = targets.ValMae,
            BestValMse = targets.ValMse,
            TestMae = targets.TestMae,
            TestMse = targets.TestMse,
            NaiveTestMae = targets.NaiveTestMae,
            Extra = targets.NaiveTestMse is double naiveMse ? new Dictionary<string, double> { ["naive_test_mse"] = naiveMse } : new Dictionary<string, double>(),
            Channels = scored.Count > 1 ? scored.Select(c => Channel(prepared.Frame.Columns[forecast[c]], new[] { c })).ToArray() : Array.Empty<ChannelMetrics>(),
            AllChannels = forecast.Count > scored.Count ? Channel($"all {forecast.Count} columns", Enumerable.Range(0, forecast.Count).ToArray()) : null,
        };
    }

    /// <summary>The unit in a column name such as "T (degC)" → "degC"; otherwise "units of &lt;column&gt;".</summary>
    public static string TargetUnit(string column)
    {
        int open = column.LastIndexOf('(');
        int close = column.LastIndexOf(')');
        return open >= 0 && close > open + 1 ? column.Substring(open + 1, close - open - 1) : $"units of {column}";
    }
}

/// <summary>A problem with an experiment that the user can fix (missing data, a bad flag value, no CUDA).</summary>
public sealed class ExperimentException : Exception
{
    /// <summary>Creates the exception with a message that says what to do.</summary>
    public ExperimentException(string message) : base(message) { }
}
