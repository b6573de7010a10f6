using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text.Json;
using SeqDsl.Runtime.Episodes;
using SeqDsl.Runtime.Reporting;
using SeqDsl.Runtime.Sweeps;
using SeqDsl.Runtime.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace SeqDsl.Runtime.Experiments;

/// <summary>
/// Runs a diagnosis task over episodes (<see cref="ExperimentSpec.Episodes"/>): loads the records and their labels,
/// splits them by record, fits the preprocessing (and flat features) on the training records, trains with
/// <see cref="EpisodeTrainer"/>, tunes per-label thresholds on validation, and reports the model beside the base-rate
/// baseline on validation and test (metrics.json, roc.png). <c>evaluate</c> scores a checkpoint on the splits or, with
/// another set, scores that whole set with the run's own preprocessing (external validation).
/// </summary>
public sealed class EpisodeExperimentRunner
{
    /// <summary>The name of the baseline that scores every record with the training prevalence of each label.</summary>
    public const string BaseRateName = "base rate";

    private const string CalibrationFile = "calibration.json";

    private readonly RunSetup _setup;
    private readonly ITrainingProgress? _progressArgument;
    private ExperimentSpec _spec => _setup.Spec;
    private RunOptions _options => _setup.Options;
    private TextWriter _out => _setup.Out;

    /// <summary>Creates a runner; nothing runs until a command method is called.</summary>
    public EpisodeExperimentRunner(ExperimentSpec spec, RunOptions? options = null, TextWriter? output = null, ITrainingProgress? progress = null)
    {
        _setup = new RunSetup(spec, options, output, progress);
        _progressArgument = progress;
    }

    /// <summary>The run folder.</summary>
    public string OutputDirectory => _setup.OutputDirectory;

    private EpisodesSpec Episodes => _spec.Episodes ?? throw new ExperimentException($"{_spec.SpecFile} has no 'episodes' section.");

    /// <summary>
    /// `train`: the whole task. Writes preprocessing.json (and features.json), best.pt, last.pt, history.csv/json,
    /// loss.png, calibration.json, metrics.json and roc.png into the run folder and returns the report. With
    /// <see cref="RunOptions.Folds"/>, one such run per fold under fold-1 … fold-k, then cross-validation.json with
    /// the test figures' mean and standard deviation; the last fold's report is returned.
    /// </summary>
    public EpisodeReport Train()
    {
        if (_options.Folds is int folds && _options.Fold is null) return TrainFolds(folds);
        var episodes = Episodes;
        long seed = _setup.Seed;
        var (device, folderLock) = _setup.StartTraining();
        using var runLock = folderLock;

        var data = LoadData();
        var inputs = EpisodeInputs.Fit(episodes, data.Set, data.Split.Train, data.Labels);
        var train = inputs.Source(data.Set, data.Labels, data.Split.Train);
        var validation = inputs.Source(data.Set, data.Labels, data.Split.Validation);
        var test = data.TestSource(inputs);
        manual_seed(seed);
        var model = _spec.CreateModel(ModelSizes.None);
        CheckInputWidth(model, train.Features, inputs.FeatureNames(), data.Set.SourceName);
        model.to(device);
        _out.WriteLine(_spec.Summary());
        PrintSummary(data, train, device);
        _setup.ReportKernels(model, device);

        var options = TrainerOptions(data.Labels, data.Split.Train, seed);
        var clock = Stopwatch.StartNew();
        TrainingHistory history;
        string runId;
        using (var trainer = new EpisodeTrainer(model, options, device, _setup.Progress))
        {
            try
            {
                history = trainer.Fit(train, validation, id => inputs.Save(OutputDirectory, id));
            }
            finally
            {
                (_setup.Progress as IDisposable)?.Dispose();
            }
            runId = trainer.RunId!;
        }
        double seconds = clock.Elapsed.TotalSeconds;
        RunFolder.WriteHistory(history, OutputDirectory, $"{_spec.Name}: training and validation loss");

        // Scored with the best weights of this run only: a best.pt another run left says nothing about this one.
        string best = options.CheckpointPath!;
        var bestInfo = File.Exists(best) ? Checkpoint.ReadInfo(best) : null;
        int? bestEpoch = null;
        if (bestInfo?.RunId == runId)
        {
            Checkpoint.Load(model, best);
            bestEpoch = bestInfo.Epoch;
        }
        else
        {
            _out.WriteLine($"note: no epoch of this run improved the monitored {MonitorName(episodes.Monitor)} (it was undefined on validation), so the last epoch's weights are scored.");
        }
        var prevalence = Prevalence(data.Labels, data.Split.Train);
        var scorer = new SplitScorer(model, device, options);
        var (modelScores, thresholds) = scorer.Scores(bestEpoch is int epoch ? $"model (best epoch {epoch})" : "model (last epoch)", validation, test);
        var baseRate = BaseRate(prevalence, validation, test, data.Labels);
        var scoredNames = data.Labels.Names.Take(data.Labels.ScoredCount).ToArray();
        var calibration = new EpisodeCalibration(scoredNames, prevalence, thresholds);
        calibration.Save(OutputDirectory, runId);
        var predictions = ModelPredictions(scorer, data, validation, test);
        predictions.Save(OutputDirectory);
        var rowThresholds = new Dictionary<string, double?[]?>();
        (EpisodeScores Scores, EpisodePredictions Predictions)? trees = episodes.SummaryBaseline == EpisodeSummaryBaseline.GradientBoostedTrees
            ? TreesBaseline(inputs, data, train, validation, test, options, seed, predictions, runId, rowThresholds)
            : null;
        var ensembles = Ensembles(episodes.EnsembleWith, predictions, validation, test, options, trees?.Predictions, rowThresholds);
        // Again with the baselines' and ensembles' thresholds, which evaluate applies to another set.
        if (rowThresholds.Count > 0) (calibration with { Rows = rowThresholds }).Save(OutputDirectory, runId);

        var report = new EpisodeReport
        {
            Experiment = _spec.Name,
            Labels = data.Labels.Names.Take(data.Labels.ScoredCount).ToArray(),
            Model = modelScores,
            Ensembles = ensembles,
            Baselines = trees is null ? new[] { baseRate } : new[] { baseRate, trees.Value.Scores },
            BestEpoch = bestEpoch,
            Epochs = history.Epochs.Count,
            TrainSeconds = seconds,
            Monitor = MonitorName(episodes.Monitor),
            TestSource = data.TestDescription,
        };
        report.Write(Path.Combine(OutputDirectory, "metrics.json"));
        WriteRoc(Path.Combine(OutputDirectory, "roc.png"), $"{_spec.Name}: ROC, {data.TestDescription}", scorer, test, report.Labels);
        _out.WriteLine();
        _out.WriteLine(report.Render());
        _setup.ReportRunFolder($"{EpisodeInputs.PreprocessingFile}{(inputs.Features is null ? "" : ", " + EpisodeInputs.FeaturesFile)}, {CalibrationFile}, {EpisodePredictions.FileName}, "
            + $"{(trees is null ? "" : $"{SummaryTrees.FeaturesFile}, {SummaryTrees.TreesFile}, ")}history.csv, loss.png, metrics.json, roc.png, best.pt, last.pt");
        return report;
    }

    /// <summary>
    /// `evaluate`: scores <c>--checkpoint</c> (default the run's best.pt) with the preprocessing saved beside it. Without
    /// <c>--data</c> on the spec's validation and test splits; with <c>--data</c> (and <c>--outcomes</c>) on that whole set,
    /// written to <c>evaluation-&lt;name&gt;.json</c> beside the checkpoint.
    /// </summary>
    public EpisodeReport Evaluate()
    {
        var episodes = Episodes;
        _setup.ConfigureTorch();
        var device = _setup.ResolveDevice();
        string checkpoint = _setup.ExistingCheckpoint();
        string folder = Path.GetDirectoryName(Path.GetFullPath(checkpoint))!;
        var info = Checkpoint.ReadInfo(checkpoint)
            ?? throw new ExperimentException($"Checkpoint '{checkpoint}' records no run, so the preprocessing it was trained with cannot be told from another run's. Train again.");
        var inputs = EpisodeInputs.Load(folder, info.RunId, episodes);
        var model = _spec.CreateModel(ModelSizes.None);
        RunFolder.LoadWeights(model, checkpoint, _spec);
        model.to(device);
        _out.WriteLine($"checkpoint: {checkpoint} (epoch {info.Epoch})");

        EpisodeReport report;
        string? note = null;
        if (_options.DataPath is { } external)
        {
            var set = LoadSet(external, _options.OutcomesPath ?? episodes.Outcomes, "--data", _options.OutcomesPath is null ? "episodes.outcomes" : "--outcomes");
            var labels = ResolveLabels(set);
            var all = Enumerable.Range(0, set.Records.Count).ToArray();
            var source = inputs.Source(set, labels, all);
            CheckInputWidth(model, source.Features, inputs.FeatureNames(), set.SourceName);
            var calibration = EpisodeCalibration.Load(folder, info.RunId);
            CheckLabels(calibration.Labels, labels);
            var options = TrainerOptions(labels, all, 0);
            var scorer = new SplitScorer(model, device, options);
            var probabilities = scorer.Probabilities(source);
            var modelScores = SplitScorer.ScoresOf($"model (epoch {info.Epoch})", source, calibration.Thresholds, options, _ => probabilities);
            var baselines = new List<EpisodeScores>
            {
                SplitScorer.ScoresOf(BaseRateName, source, calibration.Thresholds, options, s => Repeat(calibration.TrainingPrevalence, s.Count)),
            };
            double[]? trees = null;
            if (episodes.SummaryBaseline == EpisodeSummaryBaseline.GradientBoostedTrees)
            {
                trees = SummaryTrees.Load(folder, info.RunId).Predict(set, all);
                baselines.Add(SplitScorer.ScoresOf(TreesName, source, calibration.ThresholdsOf(TreesName), options, _ => trees));
            }
            // The members this run's own files can score on this set: its trees and its own sweep's runs (each with its
            // checkpoint and preprocessing). Without every member, no row of all of them.
            var members = new List<EnsembleMember<double[]>>();
            foreach (string member in episodes.EnsembleWith)
            {
                if (member == TreesMember && trees is not null) members.Add(new(member, new[] { trees }));
                else if (member == OwnSweep) members.Add(new(member, OwnSweepOn(Path.Combine(Path.GetDirectoryName(folder) ?? ".", member), set, labels, all, device, options)));
            }
            var plan = EnsemblePlan(probabilities, members, runs => EpisodePredictions.Combine(runs, p => p.Average()), withAll: members.Count == episodes.EnsembleWith.Count);
            var ensembles = plan.SelectMany(entry => Combinations.Select(c =>
            {
                string row = EnsembleName(c.Name, entry.What);
                return SplitScorer.ScoresOf(row, source, calibration.ThresholdsOf(row), options, _ => EpisodePredictions.Combine(entry.Sources, c.Combine));
            })).ToList();
            string[] unscored = episodes.EnsembleWith.Except(members.Select(m => m.Name)).ToArray();
            if (unscored.Length > 0)
                note = $"note: the ensembles with {string.Join(", ", unscored)} are not scored here: evaluate scores this run's trees and its own sweep's runs only; evaluate each other member with its own checkpoint.";
            _out.WriteLine($"{set.SourceName}: {set.Records.Count:N0} records scored whole with the preprocessing fitted on run {info.RunId}'s training records.");
            report = new EpisodeReport
            {
                Experiment = _spec.Name,
                Labels = calibration.Labels,
                Model = modelScores,
                Ensembles = ensembles,
                Baselines = baselines,
                BestEpoch = info.Epoch,
                Monitor = MonitorName(episodes.Monitor),
                TestSource = $"{set.SourceName} ({set.Records.Count:N0} records)",
            };
            // set-b.tar.gz → evaluation-set-b.json: both extensions of an archive go.
            string name = Path.GetFileName(Path.TrimEndingDirectorySeparator(external));
            foreach (string extension in new[] { ".gz", ".tar", ".csv", ".txt" })
                if (name.EndsWith(extension, StringComparison.OrdinalIgnoreCase) && name.Length > extension.Length) name = name[..^extension.Length];
            report.Write(Path.Combine(folder, $"evaluation-{name}.json"));
        }
        else
        {
            var data = LoadData();
            var validation = inputs.Source(data.Set, data.Labels, data.Split.Validation);
            var test = data.TestSource(inputs);
            CheckInputWidth(model, validation.Features, inputs.FeatureNames(), data.Set.SourceName);
            var options = TrainerOptions(data.Labels, data.Split.Train, 0);
            var scorer = new SplitScorer(model, device, options);
            var (modelScores, _) = scorer.Scores($"model (epoch {info.Epoch})", validation, test);
            var baselines = new List<EpisodeScores> { BaseRate(Prevalence(data.Labels, data.Split.Train), validation, test, data.Labels) };
            var ensembles = new List<EpisodeScores>();
            if (episodes.SummaryBaseline == EpisodeSummaryBaseline.GradientBoostedTrees)
            {
                var mine = ModelPredictions(scorer, data, validation, test);
                var trees = TreesOnSplits(SummaryTrees.Load(folder, info.RunId), data, mine);
                baselines.Add(SplitScorer.Scores(TreesName, validation, test, options, split => split == validation ? trees.Validation : trees.Test).Scores);
                if (episodes.EnsembleWith.Contains(TreesMember))
                    ensembles = ScoredEnsembles(EnsemblePlan(mine, new[] { new EnsembleMember<EpisodePredictions>(TreesMember, new[] { trees }) }, Mean),
                        validation, test, options);
            }
            if (episodes.EnsembleWith.Any(m => m != TreesMember))
                note = "note: on the spec's splits evaluate rescores the model, its trees and their ensembles; the rows with other runs are in the run's metrics.json.";
            report = new EpisodeReport
            {
                Experiment = _spec.Name,
                Labels = data.Labels.Names.Take(data.Labels.ScoredCount).ToArray(),
                Model = modelScores,
                Ensembles = ensembles,
                Baselines = baselines,
                BestEpoch = info.Epoch,
                Monitor = MonitorName(episodes.Monitor),
                TestSource = data.TestDescription,
            };
        }
        if (note is not null) _out.WriteLine(note);
        _out.WriteLine(report.Render());
        return report;
    }

    /// <summary>`baseline`: the base rate (training prevalence) on the validation and test splits.</summary>
    public EpisodeReport RunBaseline()
    {
        var data = LoadData();
        var labels = data.Labels;
        int labelCount = labels.Names.Count;
        var validation = new LabelsOnly(SequenceBatchSource.Rows(labels, data.Split.Validation), labelCount);
        var test = data.TestSet is { } testSet
            ? new LabelsOnly(SequenceBatchSource.Rows(data.TestLabels!, Enumerable.Range(0, testSet.Records.Count).ToArray()), labelCount)
            : new LabelsOnly(SequenceBatchSource.Rows(labels, data.Split.Test), labelCount);
        var report = new EpisodeReport
        {
            Experiment = _spec.Name,
            Labels = labels.Names.Take(labels.ScoredCount).ToArray(),
            // No model here: the base rate takes the model's place in the table.
            Model = BaseRate(Prevalence(labels, data.Split.Train), validation, test, labels),
            Monitor = MonitorName(Episodes.Monitor),
            TestSource = data.TestDescription,
        };
        _out.WriteLine(report.Render());
        return report;
    }

    // ---- data ----

    /// <summary>The loaded records, their labels and split, and the other set that is the test set, if any.</summary>
    private sealed record LoadedData(EpisodeSet Set, EpisodeLabels Labels, EpisodeSplit Split, EpisodeSet? TestSet, EpisodeLabels? TestLabels)
    {
        public string TestDescription => TestSet is null ? $"test split ({Split.Test.Length:N0} records)" : $"{TestSet.SourceName} ({TestSet.Records.Count:N0} records)";

        public string[] TestIds => TestSet is null
            ? Split.Test.Select(r => Set.Records[r].Id).ToArray()
            : TestSet.Records.Select(r => r.Id).ToArray();

        public IEpisodeBatchSource TestSource(EpisodeInputs inputs) => TestSet is null
            ? inputs.Source(Set, Labels, Split.Test)
            : inputs.Source(TestSet, TestLabels!, Enumerable.Range(0, TestSet.Records.Count).ToArray());
    }

    private LoadedData LoadData()
    {
        var episodes = Episodes;
        var set = LoadSet(_options.DataPath ?? episodes.Path, _options.OutcomesPath ?? episodes.Outcomes,
            _options.DataPath is null ? "episodes.path" : "--data", _options.OutcomesPath is null ? "episodes.outcomes" : "--outcomes");
        var labels = ResolveLabels(set);
        EpisodeSet? testSet = null;
        EpisodeLabels? testLabels = null;
        EpisodeSplit split;
        try
        {
            if (_options.Fold is int fold)
            {
                if (episodes.TestPath is not null)
                    throw new ExperimentException($"--folds: {_spec.SpecFile} tests on a set of its own (episodes.splits.test_path); cross-validation splits one set.");
                split = EpisodeSplit.Fold(labels, _options.Folds!.Value, fold, episodes.ValidationFraction, episodes.SplitSeed);
            }
            else if (episodes.TestPath is { } testPath)
            {
                split = EpisodeSplit.WithTestSet(labels, episodes.ValidationFraction, episodes.SplitSeed);
                testSet = LoadSet(testPath, episodes.TestOutcomes, "episodes.splits.test_path", "episodes.splits.test_outcomes");
                testLabels = ResolveLabels(testSet);
            }
            else
            {
                split = EpisodeSplit.ByFractions(labels, episodes.TrainFraction, episodes.ValidationFraction, episodes.SplitSeed);
            }
        }
        catch (ArgumentOutOfRangeException e)
        {
            throw new ExperimentException($"{_spec.SpecFile}: {e.Message.Split(" (Parameter", 2)[0]}");
        }
        if (split.Train.Length == 0)
            throw new ExperimentException($"{set.SourceName}: the split leaves no training record of its {set.Records.Count} records; use more records or a larger train fraction in {_spec.SpecFile}.");
        var oneClass = labels.SingleClassLabels(split.Train);
        if (oneClass.Count > 0)
            throw new ExperimentException(
                $"{set.SourceName}: {string.Join(", ", oneClass.Select(l => $"label '{l}'"))} {(oneClass.Count == 1 ? "has" : "have")} only one class among the " +
                $"{split.Train.Length} training records, so {(oneClass.Count == 1 ? "it" : "they")} cannot be learned: use more records, another split seed, " +
                $"or leave {(oneClass.Count == 1 ? "the label" : "these labels")} out of {_spec.SpecFile}.");
        return new LoadedData(set, labels, split, testSet, testLabels);
    }

    private EpisodeLabels ResolveLabels(EpisodeSet set)
    {
        try
        {
            return EpisodeLabels.Resolve(set, Episodes.Labels);
        }
        catch (InvalidDataException e)
        {
            throw new ExperimentException($"{_spec.SpecFile}: {e.Message}");
        }
    }

    /// <summary>
    /// Reads a set in the spec's source format from <paramref name="path"/> and <paramref name="outcomes"/>; the keys
    /// name where each came from, for messages. The synthetic source without a path generates its records; with one
    /// (--data) it reads a long CSV of the synthetic set's variables, as <c>long-csv</c> would.
    /// </summary>
    private EpisodeSet LoadSet(string? path, string? outcomes, string pathKey, string outcomesKey)
    {
        var episodes = Episodes;
        string source = SourceName(episodes.Source);
        if (episodes.Source == EpisodeSourceKind.SyntheticIcu && path is null)
            return SyntheticIcu.Generate(new SyntheticIcuOptions { Records = episodes.Records, Seed = episodes.SourceSeed });
        if (path is null)
            throw new ExperimentException($"{_spec.SpecFile}: the {source} source needs its records: set {pathKey} in the spec or pass --data PATH.");
        path = Existing(pathKey, path, "--data", directoryAllowed: true);
        if (outcomes is null)
            throw new ExperimentException($"{_spec.SpecFile}: the {source} source needs the labels of '{path}': set {outcomesKey} in the spec or pass --outcomes PATH.");
        outcomes = Existing(outcomesKey, outcomes, "--outcomes", directoryAllowed: false);
        var set = episodes.Source switch
        {
            EpisodeSourceKind.PhysioNet2012 => PhysioNet2012Source.Load(path, outcomes, new PhysioNet2012Options { UnknownVariables = episodes.UnknownVariables }),
            EpisodeSourceKind.LongCsv => LongCsvEpisodeSource.Load(path, outcomes, (episodes.LongCsv ?? new LongCsvEpisodeOptions()) with { UnknownVariables = episodes.UnknownVariables }),
            _ => LongCsvEpisodeSource.Load(path, outcomes, new LongCsvEpisodeOptions
            {
                Variables = SyntheticIcu.Variables, Statics = SyntheticIcu.StaticNames, UnknownVariables = episodes.UnknownVariables,
            }),
        };
        if (set.UnknownVariables.Count > 0)
            _out.WriteLine($"note: {set.SourceName} has {set.UnknownVariables.Count} variable(s) that are not inputs of {_spec.Name}, left out: " +
                           string.Join(", ", set.UnknownVariables.Select(u => $"'{u.Name}' ({u.Count:N0} observations, first at {u.FirstSeen})")));
        return set;
    }

    /// <summary>
    /// A file a spec key names resolves against the spec's folder (<see cref="SpecPaths"/>); one a command-line option
    /// names (the key is the option, "--data") stays relative to the current directory.
    /// </summary>
    private string Existing(string key, string path, string flag, bool directoryAllowed)
    {
        if (!key.StartsWith("--", StringComparison.Ordinal))
            return SpecPaths.RequireExisting(_spec, key, path, flag, directoryAllowed);
        if (!File.Exists(path) && !(directoryAllowed && Directory.Exists(path)))
            throw new ExperimentException($"{key} '{path}' does not exist (relative to the current directory {Directory.GetCurrentDirectory()}).");
        return path;
    }

    private static string SourceName(EpisodeSourceKind kind) => kind switch
    {
        EpisodeSourceKind.PhysioNet2012 => "physionet-2012",
        EpisodeSourceKind.LongCsv => "long-csv",
        _ => "synthetic-icu",
    };

    private void PrintSummary(LoadedData data, IEpisodeBatchSource train, Device device)
    {
        var episodes = Episodes;
        var labels = data.Labels;
        _out.WriteLine($"{data.Set.SourceName}: {data.Set.Records.Count:N0} records, {data.Set.Variables.Count} variables, {data.Set.StaticNames.Count} static descriptors; " +
                       $"labels: {string.Join(", ", labels.Names.Take(labels.ScoredCount))}" +
                       (labels.Names.Count > labels.ScoredCount ? $" (auxiliary: {string.Join(", ", labels.Names.Skip(labels.ScoredCount))})" : ""));
        string testPart = data.TestSet is { } testSet ? $"test {testSet.Records.Count:N0} ({testSet.SourceName})" : $"test {data.Split.Test.Length:N0}";
        _out.WriteLine($"records: train {data.Split.Train.Length:N0}, validation {data.Split.Validation.Length:N0}, {testPart} (split seed {episodes.SplitSeed}); " +
                       $"device {device.type.ToString().ToLowerInvariant()}");
        string steps = train is SequenceBatchSource sequences
            ? $"steps per training record: median {Median(sequences.Lengths)}, longest {sequences.Lengths.Max()} ({episodes.Preprocessing.IntervalMinutes.ToString(CultureInfo.InvariantCulture)} min each); "
            : "";
        _out.WriteLine($"{steps}{train.Features} input features per {(train is SequenceBatchSource ? "step" : "record")} ({episodes.Representation.ToString().ToLowerInvariant()}), batch {episodes.BatchSize}");
        var prevalence = labels.Prevalence(data.Split.Train);
        _out.WriteLine("training prevalence: " + string.Join(", ", labels.Names.Select((n, i) => $"{n} {prevalence[i].ToString("P1", CultureInfo.InvariantCulture)}")));
    }

    private static int Median(IReadOnlyList<int> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length == 0 ? 0 : sorted[sorted.Length / 2];
    }

    /// <summary>Fails with the spec's and the data's widths when the model's input does not match the prepared features.</summary>
    private void CheckInputWidth(TorchSharp.torch.nn.Module model, int features, string[] featureNames, string source)
    {
        if (model is not ISeqDslModel described || described.Input.Features == features) return;
        string unit = Episodes.Representation == EpisodeRepresentation.Sequence ? "step" : "record";
        string names = string.Join(", ", featureNames.Take(8)) + (featureNames.Length > 8 ? $", … ({featureNames.Length} in all)" : "");
        throw new ExperimentException(
            $"{_spec.SpecFile}: the model reads {described.Input.Features} features per {unit} {described.Input.Shape}, counted at build time from the spec's " +
            $"source variables and preprocessing, but {source} prepares {features}: {names}. The spec's variables are not the data's: " +
            "name the variables in the spec (preprocessing include/exclude, long_csv variables), or read data with the variables the spec was built for.");
    }

    private EpisodeTrainerOptions TrainerOptions(EpisodeLabels labels, IReadOnlyList<int> training, long seed)
    {
        var episodes = Episodes;
        var spec = _spec.Training;
        return new EpisodeTrainerOptions
        {
            Epochs = _options.Epochs ?? spec.Epochs,
            BatchSize = episodes.BatchSize,
            LabelNames = labels.Names,
            ScoredCount = labels.ScoredCount,
            Loss = new EpisodeLossOptions
            {
                TargetReplication = episodes.TargetReplication,
                AuxiliaryWeight = episodes.AuxiliaryWeight,
                PositiveWeights = episodes.PositiveWeighting == PositiveWeighting.Balanced ? BalancedWeights(labels, training) : null,
            },
            Optimizer = spec.Optimizer,
            ClipNorm = spec.ClipNorm,
            LearningRateDecay = spec.LearningRateDecay,
            EarlyStoppingPatience = spec.EarlyStoppingPatience,
            Monitor = episodes.Monitor,
            PrecisionAt = episodes.PrecisionAt,
            CheckpointPath = Path.Combine(OutputDirectory, RunFolder.BestCheckpoint),
            LastCheckpointPath = Path.Combine(OutputDirectory, RunFolder.LastCheckpoint),
            Resume = _options.Resume,
            ModelName = _spec.Name,
            Seed = seed,
        };
    }

    /// <summary>Per label, negatives over positives among the training records (every label has both: checked when loading).</summary>
    private static float[] BalancedWeights(EpisodeLabels labels, IReadOnlyList<int> training) =>
        labels.Prevalence(training).Select(p => p > 0 ? (float)((1 - p) / p) : 1f).ToArray();

    private static double[] Prevalence(EpisodeLabels labels, IReadOnlyList<int> training) =>
        labels.Prevalence(training).Take(labels.ScoredCount).ToArray();

    private static string MonitorName(EpisodeMonitor monitor) => monitor == EpisodeMonitor.Loss ? "val_loss" : "val_" + EpisodeTrainer.MetricName(monitor);

    /// <summary>Each label of <paramref name="records"/> records scored with its training prevalence, row-major.</summary>
    private static double[] Repeat(double[] prevalence, int records)
    {
        var scores = new double[records * prevalence.Length];
        for (int r = 0; r < records; r++) Array.Copy(prevalence, 0, scores, r * prevalence.Length, prevalence.Length);
        return scores;
    }

    private EpisodeScores BaseRate(double[] prevalence, IEpisodeBatchSource validation, IEpisodeBatchSource test, EpisodeLabels labels)
    {
        var options = new EpisodeTrainerOptions { LabelNames = labels.Names, ScoredCount = labels.ScoredCount, PrecisionAt = Episodes.PrecisionAt };
        return SplitScorer.Scores(BaseRateName, validation, test, options, source => Repeat(prevalence, source.Count)).Scores;
    }

    /// <summary>The gradient-boosted trees baseline's row name.</summary>
    public const string TreesName = "gradient-boosted trees (summary)";

    /// <summary>The spec word of the trees baseline (summary_baseline), which ensemble_with may name as a member.</summary>
    public const string TreesMember = "gradient_boosted_trees";

    /// <summary>
    /// summary_baseline: gradient_boosted_trees: trees per scored label on the summary features of this run's training
    /// records (fitted on them, on top of this run's preprocessing), scored on the same validation and test records as
    /// the model, with thresholds tuned on validation; their predictions cover the records and labels of the model's (<paramref name="model"/>).
    /// </summary>
    private (EpisodeScores Scores, EpisodePredictions Predictions) TreesBaseline(EpisodeInputs inputs, LoadedData data, IEpisodeBatchSource train,
        IEpisodeBatchSource validation, IEpisodeBatchSource test, EpisodeTrainerOptions options, long seed, EpisodePredictions model,
        string runId, Dictionary<string, double?[]?> rowThresholds)
    {
        var clock = Stopwatch.StartNew();
        var summary = EpisodeFeatureBuilder.Fit(EpisodeRepresentation.Summary, 0, inputs.Preprocessor, data.Set, data.Split.Train);
        var trees = new SummaryTrees(summary, GradientBoostedTrees.Fit(summary.Transform(data.Set, data.Split.Train).Rows, train.Labels,
            data.Labels.Names.Count, data.Labels.ScoredCount, new GradientBoostedTreesOptions { Seed = seed }));
        trees.Save(OutputDirectory, runId);
        var predictions = TreesOnSplits(trees, data, model);
        int labels = trees.Trees.Labels;
        _out.WriteLine($"{TreesName}: {labels} label{(labels == 1 ? "" : "s")} on {summary.Features} summary features of {data.Split.Train.Length:N0} training records ({clock.Elapsed.TotalSeconds:F1} s)");
        var (scores, thresholds) = SplitScorer.Scores(TreesName, validation, test, options, split => split == validation ? predictions.Validation : predictions.Test);
        rowThresholds[TreesName] = thresholds;
        return (scores, predictions);
    }

    /// <summary>The model's probabilities of the scored labels on the spec's validation and test records, by record id.</summary>
    private static EpisodePredictions ModelPredictions(SplitScorer scorer, LoadedData data, IEpisodeBatchSource validation, IEpisodeBatchSource test) =>
        new(data.Labels.Names.Take(data.Labels.ScoredCount).ToArray(), data.Split.Validation.Select(r => data.Set.Records[r].Id).ToArray(),
            scorer.Probabilities(validation), data.TestIds, scorer.Probabilities(test));

    /// <summary>The trees' probabilities on the spec's validation and test records, with the records and labels of <paramref name="model"/>'s predictions.</summary>
    private static EpisodePredictions TreesOnSplits(SummaryTrees trees, LoadedData data, EpisodePredictions model) =>
        new(model.Labels, model.ValidationIds, trees.Predict(data.Set, data.Split.Validation),
            model.TestIds, data.TestSet is { } other ? trees.Predict(other) : trees.Predict(data.Set, data.Split.Test));

    private static void CheckLabels(IReadOnlyList<string> trained, EpisodeLabels labels)
    {
        if (!trained.SequenceEqual(labels.Names.Take(labels.ScoredCount)))
            throw new ExperimentException($"the checkpoint's run scored the labels {string.Join(", ", trained)}, but the spec now names {string.Join(", ", labels.Names.Take(labels.ScoredCount))}.");
    }

    /// <summary>k runs, each testing on one fold; then the figures over the folds.</summary>
    private EpisodeReport TrainFolds(int folds)
    {
        var reports = new List<EpisodeReport>();
        for (int fold = 0; fold < folds; fold++)
        {
            _out.WriteLine($"== fold {fold + 1} of {folds}");
            var options = _options with { Fold = fold, OutputDirectory = Path.Combine(OutputDirectory, FoldFolder(fold)) };
            reports.Add(new EpisodeExperimentRunner(_spec, options, _out, _progressArgument).Train());
        }
        var summary = CrossValidationReport.From(reports);
        summary.Write(Path.Combine(OutputDirectory, CrossValidationFile));
        _out.WriteLine();
        _out.WriteLine(summary.Render());
        _setup.ReportRunFolder($"{CrossValidationFile}, {string.Join(", ", Enumerable.Range(0, folds).Select(FoldFolder))}");
        return reports[^1];
    }

    /// <summary>The cross-validation summary's file in the experiment's run folder.</summary>
    public const string CrossValidationFile = "cross-validation.json";

    private static string FoldFolder(int fold) => $"fold-{fold + 1}";

    /// <summary>
    /// The ensembles the spec declares: this model's probabilities combined with each member's predictions.csv (from the
    /// folder named after the member beside this run's) as <see cref="Combinations"/> lists, thresholds tuned on the combined validation
    /// probabilities as for the model. A member named <c>&lt;experiment&gt;-sweep</c> is that experiment's sweep folder
    /// (sweep.json and its run folders): one member, the mean of its runs' probabilities; this experiment's own sweep is
    /// more seeds of this model, so in the rows of all members the model joins its runs as one member.
    /// </summary>
    private List<EpisodeScores> Ensembles(IReadOnlyList<string> members, EpisodePredictions mine, IEpisodeBatchSource validation,
        IEpisodeBatchSource test, EpisodeTrainerOptions options, EpisodePredictions? trees, Dictionary<string, double?[]?> rowThresholds)
    {
        var rows = new List<EpisodeScores>();
        if (members.Count > 0 && _options.SweepRunIndex is int run)
        {
            // The sweep's folder is what ensembles read (as one member); its runs do not ensemble among themselves.
            _out.WriteLine($"ensemble_with: run {SweepPlan.RunFolderName(run)} of a sweep reports no ensembles; its sweep folder joins them as one member.");
            return rows;
        }
        var joined = new List<EnsembleMember<EpisodePredictions>>();
        // A fold's run folder is <experiment>/fold-k: its members' are <member>/fold-k beside the experiment's.
        string folder = Path.GetFullPath(OutputDirectory);
        if (_options.Fold is int fold) folder = Path.GetDirectoryName(folder) ?? ".";
        string parent = Path.GetDirectoryName(folder) ?? ".";
        string MemberFolder(string member) => _options.Fold is int k ? Path.Combine(parent, member, FoldFolder(k)) : Path.Combine(parent, member);
        foreach (string member in members)
        {
            if (member == TreesMember)
            {
                // This run's own trees baseline: trained on the same records, so it joins every fold's ensembles too.
                joined.Add(new(member, new[] { trees ?? throw new ExperimentException($"episodes.ensemble_with names {TreesMember}, this run's trees baseline, but the spec has no 'summary_baseline: {TreesMember}'.") }));
                continue;
            }
            CheckMemberName(member);
            // <experiment>-sweep names that experiment's sweep folder, as sweep names it by default (a model name has no '-').
            bool isSweep = member.EndsWith(SweepPlan.FolderSuffix, StringComparison.Ordinal);
            if (isSweep && _options.Fold is int k)
            {
                // A sweep's runs are trained on the fixed split, so no fold of theirs matches this one.
                _out.WriteLine($"ensemble_with: {member} is a sweep folder, whose runs are not cross-validated; fold {k + 1}'s ensembles leave it out.");
                continue;
            }
            joined.Add(isSweep
                ? new(member, SweepMember(member, Path.Combine(parent, member), mine))
                : new(member, new[] { RunMember(member, Path.Combine(MemberFolder(member), EpisodePredictions.FileName), Path.Combine(parent, member), mine) }));
        }
        rows.AddRange(ScoredEnsembles(EnsemblePlan(mine, joined, Mean), validation, test, options, rowThresholds));
        return rows;

        // A member's probabilities; they must cover this run's records and labels.
        static EpisodePredictions RunMember(string member, string file, string trainFolder, EpisodePredictions mine)
        {
            if (!File.Exists(file))
                throw new ExperimentException($"episodes.ensemble_with names {member}, but {file} does not exist: train {member} first with --out {trainFolder} (the same data and split as this run), or sweep it into that folder.");
            var theirs = EpisodePredictions.Load(file);
            if (mine.Mismatch(theirs) is { } problem)
                throw new ExperimentException($"episodes.ensemble_with: {file} cannot be ensembled with this run: {problem}. Train {member} on the same data and split.");
            return theirs;
        }

        // A sweep folder is one member: the mean of its runs' probabilities (a seed ensemble when the sweep varies
        // training.seed), so that five seeds of one model weigh as much as one other model. Every run must be finished.
        static List<EpisodePredictions> SweepMember(string member, string sweepFolder, EpisodePredictions mine)
        {
            string experiment = member[..^SweepPlan.FolderSuffix.Length];
            var sweep = SweepFile.Read(sweepFolder)
                ?? throw new ExperimentException($"episodes.ensemble_with names {member}, but {Path.Combine(sweepFolder, SweepFile.FileName)} does not exist: sweep {experiment} first with --out {sweepFolder} (the same data and split as this run).");
            if (sweep.Runs.Count == 0)
                throw new ExperimentException($"episodes.ensemble_with: the sweep in {sweepFolder} lists no run.");
            var runs = new List<EpisodePredictions>();
            foreach (var run in sweep.Runs)
            {
                string runFolder = SweepPlan.RunFolder(sweepFolder, run.Index);
                var found = SweepRunFolder.Inspect(runFolder);
                if (found.State != SweepRunState.Finished)
                    throw new ExperimentException($"episodes.ensemble_with: run {SweepPlan.RunFolderName(run.Index)} of the sweep in {sweepFolder} is {found.StateText}: finish it first (sweep -e {sweep.Sweep} --out {sweepFolder}).");
                string file = Path.Combine(runFolder, EpisodePredictions.FileName);
                if (!File.Exists(file))
                    throw new ExperimentException($"episodes.ensemble_with: run {SweepPlan.RunFolderName(run.Index)} of the sweep in {sweepFolder} is finished but has no {EpisodePredictions.FileName}: only runs of an episodes spec write one.");
                runs.Add(RunMember($"{member} run {SweepPlan.RunFolderName(run.Index)}", file, runFolder, mine));
            }
            return runs;
        }
    }

    /// <summary>The mean of runs' probabilities on the records of the first (all cover the same records and labels).</summary>
    private static EpisodePredictions Mean(IReadOnlyList<EpisodePredictions> runs) =>
        new(runs[0].Labels, runs[0].ValidationIds, EpisodePredictions.Combine(runs.Select(r => r.Validation).ToArray(), p => p.Average()),
            runs[0].TestIds, EpisodePredictions.Combine(runs.Select(r => r.Test).ToArray(), p => p.Average()));

    /// <summary>
    /// The rows of an ensemble plan on validation and test, one per <see cref="Combinations"/> entry, thresholds tuned on
    /// the combined validation probabilities (kept in <paramref name="rowThresholds"/> when given).
    /// </summary>
    private static List<EpisodeScores> ScoredEnsembles(IEnumerable<(string What, IReadOnlyList<EpisodePredictions> Sources)> plan,
        IEpisodeBatchSource validation, IEpisodeBatchSource test, EpisodeTrainerOptions options, Dictionary<string, double?[]?>? rowThresholds = null) =>
        plan.SelectMany(entry => Combinations.Select(c =>
        {
            var (scores, thresholds) = SplitScorer.Scores(EnsembleName(c.Name, entry.What), validation, test, options,
                split => EpisodePredictions.Combine(entry.Sources.Select(m => split == validation ? m.Validation : m.Test).ToArray(), c.Combine));
            if (rowThresholds is not null) rowThresholds[scores.Name] = thresholds;
            return scores;
        })).ToList();

    /// <summary>An ensemble member: its name in ensemble_with and its runs (one, or a sweep's).</summary>
    private sealed record EnsembleMember<T>(string Name, IReadOnlyList<T> Runs);

    /// <summary>
    /// The ensembles' rows, whatever holds the probabilities (<typeparamref name="T"/>): this model with each member (a
    /// sweep as the mean of its runs), then, with two members or more (and <paramref name="withAll"/>), with all of them, named by how many sources
    /// that combines. This experiment's own sweep holds more seeds of this very model: in the rows of all members the
    /// model counts as one more of its runs, so that the seeds together weigh as one member (not this seed as much as
    /// all the others).
    /// </summary>
    private List<(string What, IReadOnlyList<T> Sources)> EnsemblePlan<T>(T mine, IReadOnlyList<EnsembleMember<T>> members,
        Func<IReadOnlyList<T>, T> mean, bool withAll = true)
    {
        T Of(IReadOnlyList<T> runs) => runs.Count == 1 ? runs[0] : mean(runs);
        var plan = members.Select(m => ($"with {m.Name}", (IReadOnlyList<T>)new[] { mine, Of(m.Runs) })).ToList();
        if (withAll && members.Count > 1)
        {
            var seeds = members.FirstOrDefault(m => m.Name == OwnSweep);
            var all = members.Where(m => m != seeds).Select(m => Of(m.Runs))
                .Prepend(seeds is null ? mine : mean(seeds.Runs.Prepend(mine).ToList())).ToList();
            // Lipton et al. ensemble their best models this way.
            plan.Add(($"of all {members.Count + 1}", all));
        }
        return plan;
    }

    /// <summary>
    /// evaluate --data: this experiment's own sweep (an ensemble member) on another set: each finished run of the sweep
    /// folder scored with its own best.pt and the preprocessing saved beside it, as the run trained.
    /// </summary>
    private List<double[]> OwnSweepOn(string sweepFolder, EpisodeSet set, EpisodeLabels labels, int[] records, Device device, EpisodeTrainerOptions options)
    {
        string member = OwnSweep;
        var sweep = SweepFile.Read(sweepFolder)
            ?? throw new ExperimentException($"episodes.ensemble_with names {member}, but {Path.Combine(sweepFolder, SweepFile.FileName)} does not exist beside the checkpoint's run folder.");
        if (sweep.Runs.Count == 0) throw new ExperimentException($"episodes.ensemble_with: the sweep in {sweepFolder} lists no run.");
        var runs = new List<double[]>();
        foreach (var run in sweep.Runs)
        {
            string name = SweepPlan.RunFolderName(run.Index);
            var spec = _spec.Sweep?.Runs.FirstOrDefault(r => r.Index == run.Index && r.Settings.SequenceEqual(run.Settings))?.Experiment
                ?? throw new ExperimentException($"run {name} of the sweep in {sweepFolder} ({string.Join(", ", run.Settings.Select(x => $"{x.Key}={x.Value}"))}) is not a run of {_spec.Name}'s sweep section now: sweep it again.");
            string runFolder = SweepPlan.RunFolder(sweepFolder, run.Index);
            string checkpoint = Path.Combine(runFolder, "best.pt");
            var info = File.Exists(checkpoint) ? Checkpoint.ReadInfo(checkpoint) : null;
            if (info is null)
                throw new ExperimentException($"run {name} of the sweep in {sweepFolder} has no best.pt of a recorded run: finish the sweep first (sweep -e {sweep.Sweep} --out {sweepFolder}).");
            var inputs = EpisodeInputs.Load(runFolder, info.RunId, spec.Episodes!);
            using var model = spec.CreateModel(ModelSizes.None);
            RunFolder.LoadWeights(model, checkpoint, spec);
            model.to(device);
            var source = inputs.Source(set, labels, records);
            CheckInputWidth(model, source.Features, inputs.FeatureNames(), set.SourceName);
            runs.Add(EpisodeScoring.Score(model, source, device, options).Probabilities);
        }
        return runs;
    }

    /// <summary>ensemble_with's member that is this experiment's own sweep folder: more seeds of this model.</summary>
    private string OwnSweep => _spec.Name + SweepPlan.FolderSuffix;

    private static void CheckMemberName(string member)
    {
        if (member.Length == 0 || member is "." or ".." || member.IndexOfAny(Path.GetInvalidFileNameChars()) >= 0 || member.Contains('/') || member.Contains('\\'))
            throw new ExperimentException($"episodes.ensemble_with: '{member}' is not an experiment name.");
    }

    /// <summary>
    /// How ensembles combine their members' probabilities, each one row: the mean and the max (the paper's), and the mean
    /// of their log-odds, which weighs members calibrated to different spreads (trees and networks) by their confidence.
    /// </summary>
    private static readonly (string Name, Func<IEnumerable<double>, double> Combine)[] Combinations =
        { ("mean", p => p.Average()), ("max", p => p.Max()), ("logit mean", EpisodePredictions.LogOddsMean) };

    /// <summary>An ensemble's row name: "mean with gradient_boosted_trees", "max of all 3".</summary>
    private static string EnsembleName(string combination, string what) => $"{combination} {what}";

    /// <summary>roc.png: the model's curve per scored label on <paramref name="test"/>.</summary>
    private static void WriteRoc(string path, string title, SplitScorer scorer, IEpisodeBatchSource test, IReadOnlyList<string> names)
    {
        var series = test.Count == 0 ? Array.Empty<RocSeries>()
            : RocPlot.Curves(names, scorer.Probabilities(test), EpisodeScoring.ScoredLabels(test.Labels, test.Labels.Length / test.Count, names.Count));
        RocPlot.Write(path, title, series);
    }

    /// <summary>Scores a model or a baseline on validation and test: thresholds tuned on validation, applied to both.</summary>
    private sealed class SplitScorer(TorchSharp.torch.nn.Module<Tensor, Tensor> model, Device device, EpisodeTrainerOptions options)
    {
        public double[] Probabilities(IEpisodeBatchSource split) => EpisodeScoring.Score(model, split, device, options).Probabilities;

        public (EpisodeScores Scores, double?[]? Thresholds) Scores(string name, IEpisodeBatchSource validation, IEpisodeBatchSource test) =>
            Scores(name, validation, test, options, Probabilities);

        public static (EpisodeScores Scores, double?[]? Thresholds) Scores(string name, IEpisodeBatchSource validation, IEpisodeBatchSource test,
            EpisodeTrainerOptions options, Func<IEpisodeBatchSource, double[]> score)
        {
            double?[]? thresholds = null;
            MultiLabelMetrics? validationMetrics = null;
            if (validation.Count > 0)
            {
                var probabilities = score(validation);
                var labels = EpisodeScoring.ScoredLabels(validation.Labels, options.LabelNames.Count, options.ScoredCount);
                thresholds = MultiLabelMetrics.TuneThresholds(options.ScoredCount, probabilities, labels);
                validationMetrics = Compute(probabilities, labels, thresholds, options);
            }
            MultiLabelMetrics? testMetrics = null;
            if (test.Count > 0)
                testMetrics = Compute(score(test), EpisodeScoring.ScoredLabels(test.Labels, options.LabelNames.Count, options.ScoredCount), thresholds, options);
            return (new EpisodeScores(name, validationMetrics, testMetrics), thresholds);
        }

        /// <summary>One whole set scored as the test split, with thresholds tuned elsewhere.</summary>
        public static EpisodeScores ScoresOf(string name, IEpisodeBatchSource set, double?[]? thresholds, EpisodeTrainerOptions options,
            Func<IEpisodeBatchSource, double[]> score) =>
            new(name, null, set.Count == 0 ? null
                : Compute(score(set), EpisodeScoring.ScoredLabels(set.Labels, options.LabelNames.Count, options.ScoredCount), thresholds, options));

        private static MultiLabelMetrics Compute(double[] probabilities, float[] labels, double?[]? thresholds, EpisodeTrainerOptions options) =>
            MultiLabelMetrics.Compute(options.LabelNames.Take(options.ScoredCount).ToArray(), probabilities, labels, thresholds, options.PrecisionAt);
    }

    /// <summary>A split's labels without inputs, for baselines that never read the records.</summary>
    private sealed class LabelsOnly(float[] labels, int labelCount) : IEpisodeBatchSource
    {
        public int Count => labels.Length / labelCount;

        public int Features => 0;

        public float[] Labels => labels;

        public EpisodeBatch Batch(IReadOnlyList<int> positions) => throw new NotSupportedException("a baseline reads labels only.");
    }

    /// <summary>What evaluating another set needs of the run beside its checkpoint: the scored labels, their training prevalence and the thresholds tuned on validation.</summary>
    /// <remarks>
    /// <see cref="Rows"/> holds the thresholds of the other rows by name (the trees baseline, the ensembles), for the rows
    /// evaluate can score on another set.
    /// </remarks>
    private sealed record EpisodeCalibration(string[] Labels, double[] TrainingPrevalence, double?[]? Thresholds, Dictionary<string, double?[]?>? Rows = null)
    {
        /// <summary>The thresholds tuned on validation for the row <paramref name="name"/>; null when none were (F1 at 0.5 only).</summary>
        public double?[]? ThresholdsOf(string name) => Rows is not null && Rows.TryGetValue(name, out var thresholds) ? thresholds : null;

        public void Save(string folder, string runId) =>
            EpisodeInputs.WriteStamped(Path.Combine(folder, CalibrationFile), runId, path => File.WriteAllText(path, JsonSerializer.Serialize(this)));

        public static EpisodeCalibration Load(string folder, string runId)
        {
            string path = EpisodeInputs.CheckStamp(Path.Combine(folder, CalibrationFile), runId);
            try
            {
                var calibration = JsonSerializer.Deserialize<EpisodeCalibration>(File.ReadAllText(path))
                    ?? throw new ExperimentException($"{path} is empty.");
                int labels = calibration.Labels?.Length ?? 0;
                string? wrong = labels == 0 ? "no labels"
                    : calibration.TrainingPrevalence?.Length != labels ? $"{calibration.TrainingPrevalence?.Length ?? 0} training prevalences"
                    : calibration.Thresholds is { } model && model.Length != labels ? $"{model.Length} model thresholds"
                    : calibration.Rows?.FirstOrDefault(r => r.Value is { } row && row.Length != labels) is { Key: { } name, Value: { } row }
                        ? $"{row.Length} thresholds for '{name}'"
                    : null;
                if (wrong is not null)
                    throw new ExperimentException($"{path} holds {wrong} for {labels} labels: it is not a calibration file of this runtime. Train again to write it.");
                return calibration;
            }
            catch (JsonException e)
            {
                throw new ExperimentException($"{path} is not a calibration file: {e.Message}");
            }
        }
    }
}
