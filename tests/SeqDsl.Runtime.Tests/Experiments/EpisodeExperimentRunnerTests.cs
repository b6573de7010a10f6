using System.Globalization;
using SeqDsl.Runtime.Cli;
using SeqDsl.Runtime.Episodes;
using SeqDsl.Runtime.Experiments;
using SeqDsl.Runtime.Reporting;
using SeqDsl.Runtime.Sweeps;
using SeqDsl.Runtime.Training;

namespace SeqDsl.Runtime.Tests.Experiments;

/// <summary>
/// The diagnosis runner end to end through the command line, on 120 synthetic records and a tiny hand-written model:
/// the run folder, the report beside the base rate, resume, determinism, external evaluation and the errors a user meets.
/// </summary>
public sealed class EpisodeExperimentRunnerTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "seqdsl-episodes-" + Guid.NewGuid().ToString("N"));

    public EpisodeExperimentRunnerTests() => Directory.CreateDirectory(_root);

    public void Dispose()
    {
        if (Directory.Exists(_root)) Directory.Delete(_root, recursive: true);
    }

    private string Folder(string name) => Path.Combine(_root, name);

    internal static (int Code, string Output, string Error) Cli(ExperimentSpec spec, params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int code = SeqDslCli.Run(args.Append("--threads").Append("1").ToArray(), new[] { spec }, output: output, error: error);
        return (code, output.ToString(), error.ToString());
    }

    internal static (int Code, string Output, string Error) Train(ExperimentSpec spec, string folder, params string[] more) =>
        Cli(spec, new[] { "train", "--out", folder }.Concat(more).ToArray());

    [Fact]
    public void Train_writes_the_run_folder_and_reports_the_model_beside_the_base_rate()
    {
        string folder = Folder("run");
        var (code, output, error) = Train(EpisodeTestSpecs.Small(), folder);

        Assert.True(code == 0, error);
        foreach (var file in new[] { "best.pt", "last.pt", "preprocessing.json", "calibration.json", "metrics.json", "history.csv", "history.json", "loss.png", "roc.png" })
            Assert.True(File.Exists(Path.Combine(folder, file)), $"{file} is missing from the run folder");
        string metrics = File.ReadAllText(Path.Combine(folder, "metrics.json"));
        Assert.DoesNotContain("NaN", metrics);
        var report = EpisodeReport.Read(Path.Combine(folder, "metrics.json"));
        Assert.Equal(new[] { "sepsis", "hypertension", "shock" }, report.Labels);
        Assert.NotNull(report.Model?.Test?.MacroAuroc);
        var baseRate = Assert.Single(report.Baselines);
        Assert.Equal(EpisodeExperimentRunner.BaseRateName, baseRate.Name);
        // Every record gets the same score per label, so every pair is a tie: exactly one half.
        Assert.Equal(0.5, baseRate.Test!.MacroAuroc!.Value, 12);
        var history = File.ReadAllLines(Path.Combine(folder, "history.csv"));
        Assert.Equal("epoch,loss,val_loss,val_mae,val_mse,learning_rate,seconds,val_macro_auroc", history[0]);
        Assert.Equal(3, history.Length);
        Assert.Contains("records: train 84, validation 18, test 18", output);
        Assert.Contains("training prevalence: sepsis", output);
    }

    [Fact]
    public void Resume_after_a_finished_run_returns_it_as_is()
    {
        string folder = Folder("finished");
        Assert.Equal(0, Train(EpisodeTestSpecs.Small(), folder).Code);
        var bestBefore = File.ReadAllBytes(Path.Combine(folder, "best.pt"));
        var historyBefore = TrainingHistory.ReadJson(Path.Combine(folder, "history.json"));

        var (code, _, error) = Train(EpisodeTestSpecs.Small(), folder, "--resume");
        Assert.True(code == 0, error);
        Assert.Equal(bestBefore, File.ReadAllBytes(Path.Combine(folder, "best.pt")));
        Assert.Equal(historyBefore.Epochs, TrainingHistory.ReadJson(Path.Combine(folder, "history.json")).Epochs);
    }

    [Fact]
    public void Resume_continues_an_interrupted_run_to_its_epochs()
    {
        string folder = Folder("resume");
        Assert.Equal(0, Train(EpisodeTestSpecs.Small(epochs: 1), folder).Code);
        var (code, _, error) = Train(EpisodeTestSpecs.Small(epochs: 3), folder, "--resume");
        Assert.True(code == 0, error);
        var history = TrainingHistory.ReadJson(Path.Combine(folder, "history.json"));
        Assert.Equal(new[] { 1, 2, 3 }, history.Epochs.Select(e => e.Epoch));
    }

    [Fact]
    public void Evaluate_scores_another_set_with_the_runs_preprocessing_and_refuses_another_runs()
    {
        string run = Folder("run"), other = Folder("other");
        Assert.Equal(0, Train(EpisodeTestSpecs.Small(), run).Code);
        string observations = Path.Combine(_root, "external.csv"), labels = Path.Combine(_root, "external-labels.csv");
        EpisodeTestSpecs.WriteLongCsv(SyntheticIcu.Generate(new SyntheticIcuOptions { Records = 40, Seed = 5 }), observations, labels);

        var (code, output, error) = Cli(EpisodeTestSpecs.Small(), "evaluate", "--out", run, "--data", observations, "--outcomes", labels);
        Assert.True(code == 0, error);
        Assert.Contains("40 records scored whole", output);
        Assert.Matches(@"Results: TinyEpisode \(3 labels, checkpoint of epoch \d+\)", output);
        var evaluation = EpisodeReport.Read(Path.Combine(run, "evaluation-external.json"));
        Assert.Equal($"{observations} (40 records)", evaluation.TestSource);
        Assert.Equal(40, evaluation.Model!.Test!.Labels[0].Records);
        Assert.DoesNotContain("NaN", File.ReadAllText(Path.Combine(run, "evaluation-external.json")));

        var (splitsCode, _, splitsError) = Cli(EpisodeTestSpecs.Small(), "evaluate", "--out", run);
        Assert.True(splitsCode == 0, splitsError);

        // Another run's preprocessing (standardized, not min-max) beside this run's checkpoint is refused.
        Assert.Equal(0, Train(EpisodeTestSpecs.Small(scaling: Scaling.Standardize, epochs: 1), other).Code);
        File.Copy(Path.Combine(other, "preprocessing.json"), Path.Combine(run, "preprocessing.json"), overwrite: true);
        var (refused, _, refusal) = Cli(EpisodeTestSpecs.Small(), "evaluate", "--out", run, "--data", observations, "--outcomes", labels);
        Assert.Equal(1, refused);
        Assert.Contains("preprocessing.json belongs to run", refusal);
        Assert.Contains("not to run", refusal);
    }

    [Fact]
    public void A_loss_that_becomes_NaN_stops_training_without_metrics()
    {
        var spec = EpisodeTestSpecs.Small();
        var poisoned = spec with
        {
            CreateModel = sizes =>
            {
                var model = spec.CreateModel(sizes);
                using (TorchSharp.torch.no_grad())
                    foreach (var parameter in model.parameters()) parameter.fill_(double.NaN);
                return model;
            },
        };
        string folder = Folder("nan");
        var (code, _, error) = Train(poisoned, folder);
        Assert.Equal(1, code);
        Assert.Contains("training diverged: the training loss at epoch 1, step 1 is NaN", error);
        Assert.False(File.Exists(Path.Combine(folder, "metrics.json")));
    }

    [Fact]
    public void A_long_csv_source_trains_with_a_whole_other_set_as_its_test_set()
    {
        string observations = Path.Combine(_root, "icu.csv"), labels = Path.Combine(_root, "icu-labels.csv");
        string testObservations = Path.Combine(_root, "icu-test.csv"), testLabels = Path.Combine(_root, "icu-test-labels.csv");
        EpisodeTestSpecs.WriteLongCsv(SyntheticIcu.Generate(new SyntheticIcuOptions { Records = 120, Seed = 1 }), observations, labels);
        EpisodeTestSpecs.WriteLongCsv(SyntheticIcu.Generate(new SyntheticIcuOptions { Records = 40, Seed = 5 }), testObservations, testLabels);
        var small = EpisodeTestSpecs.Small();
        var spec = small with
        {
            Episodes = small.Episodes! with
            {
                Source = EpisodeSourceKind.LongCsv,
                Path = observations,
                Outcomes = labels,
                TestPath = testObservations,
                TestOutcomes = testLabels,
                LongCsv = new LongCsvEpisodeOptions { Statics = SyntheticIcu.StaticNames },
            },
        };

        string folder = Folder("long-csv");
        var (code, output, error) = Train(spec, folder);
        Assert.True(code == 0, error);
        Assert.Contains($"records: train 102, validation 18, test 40 ({testObservations})", output);
        var report = EpisodeReport.Read(Path.Combine(folder, "metrics.json"));
        Assert.Equal($"{testObservations} (40 records)", report.TestSource);
        Assert.Equal(40, report.Model.Test!.Labels[0].Records);
    }

    [Fact]
    public void A_flat_representation_trains_on_summary_features()
    {
        string folder = Folder("flat");
        var (code, output, error) = Train(EpisodeTestSpecs.Small(EpisodeRepresentation.Summary), folder);
        Assert.True(code == 0, error);
        Assert.True(File.Exists(Path.Combine(folder, "features.json")));
        Assert.Contains("112 input features per record (summary)", output);
        Assert.DoesNotContain("NaN", File.ReadAllText(Path.Combine(folder, "metrics.json")));
        Assert.Equal(0, Cli(EpisodeTestSpecs.Small(EpisodeRepresentation.Summary), "evaluate", "--out", folder).Code);
    }

    [Fact]
    public void The_trees_baseline_is_reported_beside_the_base_rate_and_joins_the_ensembles_it_is_named_in()
    {
        var spec = EpisodeTestSpecs.Small();
        spec = spec with { Episodes = spec.Episodes! with { SummaryBaseline = EpisodeSummaryBaseline.GradientBoostedTrees, EnsembleWith = new[] { EpisodeExperimentRunner.TreesMember } } };
        string folder = Folder("trees");
        var (code, output, error) = Train(spec, folder);

        Assert.True(code == 0, error);
        Assert.Contains($"{EpisodeExperimentRunner.TreesName}: 3 labels on ", output);
        Assert.Contains("summary features of 84 training records", output);
        var report = EpisodeReport.Read(Path.Combine(folder, "metrics.json"));
        Assert.Equal(new[] { EpisodeExperimentRunner.BaseRateName, EpisodeExperimentRunner.TreesName }, report.Baselines.Select(b => b.Name));
        var trees = report.Baselines[1];
        Assert.Equal(report.Model.Test!.Labels.Select(l => l.Positives), trees.Test!.Labels.Select(l => l.Positives));
        Assert.NotNull(trees.Test.MacroAuroc);
        Assert.NotNull(trees.Validation?.MacroAuroc);
        Assert.Equal(new[] { "mean with gradient_boosted_trees", "max with gradient_boosted_trees", "logit mean with gradient_boosted_trees" }, report.Ensembles.Select(e => e.Name));
        Assert.DoesNotContain("NaN", File.ReadAllText(Path.Combine(folder, "metrics.json")));

        // Naming it without declaring it is an error that says which key is missing.
        var undeclared = spec with { Episodes = spec.Episodes with { SummaryBaseline = EpisodeSummaryBaseline.None } };
        var (failed, _, message) = Train(undeclared, Folder("undeclared"));
        Assert.NotEqual(0, failed);
        Assert.Contains("no 'summary_baseline: gradient_boosted_trees'", message);
    }

    [Fact]
    public void Evaluate_scores_the_runs_own_trees_and_their_ensembles_and_refuses_another_runs_trees()
    {
        var spec = EpisodeTestSpecs.Small();
        spec = spec with { Episodes = spec.Episodes! with { SummaryBaseline = EpisodeSummaryBaseline.GradientBoostedTrees, EnsembleWith = new[] { EpisodeExperimentRunner.TreesMember } } };
        string run = Folder("trees"), other = Folder("other-trees");
        var (trained, trainOutput, trainError) = Train(spec, run);
        Assert.True(trained == 0, trainError);
        foreach (var file in new[] { SummaryTrees.FeaturesFile, SummaryTrees.TreesFile })
            Assert.True(File.Exists(Path.Combine(run, file)), $"{file} is missing from the run folder");

        // On the spec's own splits the saved trees give the trained trees' rows: the same records, the same probabilities,
        // the same thresholds tuned on validation, so the same figures on both splits.
        var (code, evaluateOutput, error) = Cli(spec, "evaluate", "--out", run);
        Assert.True(code == 0, error);
        // The summary table's rows (the trees' progress line, "…: 3 labels on …", is no row).
        static string[] TreesRows(string output) => output.Split('\n')
            .Where(line => !line.Contains(':', StringComparison.Ordinal))
            .Where(line => line.StartsWith(EpisodeExperimentRunner.TreesName, StringComparison.Ordinal) || line.Contains("with gradient_boosted_trees", StringComparison.Ordinal))
            .Select(line => string.Join(' ', line.Split(' ', StringSplitOptions.RemoveEmptyEntries))).ToArray();
        var rows = TreesRows(trainOutput);
        Assert.Equal(8, rows.Length); // trees, mean, max and logit mean; validation and test
        Assert.Equal(rows, TreesRows(evaluateOutput));

        string observations = Path.Combine(_root, "external.csv"), labels = Path.Combine(_root, "external-labels.csv");
        EpisodeTestSpecs.WriteLongCsv(SyntheticIcu.Generate(new SyntheticIcuOptions { Records = 40, Seed = 5 }), observations, labels);
        var (external, _, externalError) = Cli(spec, "evaluate", "--out", run, "--data", observations, "--outcomes", labels);
        Assert.True(external == 0, externalError);
        string evaluationPath = Path.Combine(run, "evaluation-external.json");
        var evaluation = EpisodeReport.Read(evaluationPath);
        Assert.Equal(new[] { EpisodeExperimentRunner.BaseRateName, EpisodeExperimentRunner.TreesName }, evaluation.Baselines.Select(b => b.Name));
        Assert.Equal(new[] { "mean with gradient_boosted_trees", "max with gradient_boosted_trees", "logit mean with gradient_boosted_trees" }, evaluation.Ensembles.Select(e => e.Name));
        Assert.All(evaluation.Baselines.Concat(evaluation.Ensembles), row => Assert.Equal(40, row.Test!.Labels[0].Records));
        Assert.NotNull(evaluation.Baselines[1].Test!.MacroAuroc);
        // The trees and the ensembles keep the thresholds the run tuned on its validation records (calibration.json).
        Assert.All(evaluation.Ensembles.Append(evaluation.Baselines[1]), row => Assert.NotNull(row.Test!.Labels[0].Threshold));
        Assert.DoesNotContain("NaN", File.ReadAllText(evaluationPath));

        // Another run's trees beside this run's checkpoint are refused, as its preprocessing is.
        Assert.Equal(0, Train(spec with { Training = spec.Training with { Seed = 77 } }, other).Code);
        File.Copy(Path.Combine(other, SummaryTrees.TreesFile), Path.Combine(run, SummaryTrees.TreesFile), overwrite: true);
        var (refused, _, refusal) = Cli(spec, "evaluate", "--out", run, "--data", observations, "--outcomes", labels);
        Assert.Equal(1, refused);
        Assert.Contains($"{SummaryTrees.TreesFile} belongs to run", refusal);

        // A calibration file of this run whose thresholds do not fit its labels is named, not indexed past its end.
        string calibrationPath = Path.Combine(run, "calibration.json");
        var calibration = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(calibrationPath))!.AsObject();
        calibration["Rows"]![EpisodeExperimentRunner.TreesName] = new System.Text.Json.Nodes.JsonArray(0.5);
        File.WriteAllText(calibrationPath, calibration.ToJsonString());
        var (broken, _, brokenMessage) = Cli(spec, "evaluate", "--out", run, "--data", observations, "--outcomes", labels);
        Assert.Equal(1, broken);
        Assert.Contains($"holds 1 thresholds for '{EpisodeExperimentRunner.TreesName}' for 3 labels", brokenMessage);
    }

    [Fact]
    public void A_declared_ensemble_combines_this_model_with_another_runs_predictions_by_mean_and_max()
    {
        string member = Folder("TinyMember");
        Assert.Equal(0, Train(EpisodeTestSpecs.Small(EpisodeRepresentation.Summary), member).Code);
        var memberPredictions = EpisodePredictions.Load(Path.Combine(member, EpisodePredictions.FileName));
        Assert.Equal(18, memberPredictions.TestIds.Count);
        Assert.Equal(18 * 3, memberPredictions.Test.Length);

        Assert.Equal(0, Train(EpisodeTestSpecs.Small(EpisodeRepresentation.FirstLast), Folder("TinyOther")).Code);
        var otherPredictions = EpisodePredictions.Load(Path.Combine(Folder("TinyOther"), EpisodePredictions.FileName));

        var spec = EpisodeTestSpecs.Small();
        spec = spec with { Episodes = spec.Episodes! with { EnsembleWith = new[] { "TinyMember", "TinyOther" } } };
        string folder = Folder("ensembled");
        var (code, output, error) = Train(spec, folder);
        Assert.True(code == 0, error);
        var report = EpisodeReport.Read(Path.Combine(folder, "metrics.json"));
        Assert.Equal(new[]
            {
                "mean with TinyMember", "max with TinyMember", "logit mean with TinyMember", "mean with TinyOther", "max with TinyOther",
                "logit mean with TinyOther", "mean of all 3", "max of all 3", "logit mean of all 3",
            },
            report.Ensembles.Select(e => e.Name));
        Assert.Contains("mean with TinyMember", output);

        // The mean row is the metrics of the averaged probabilities, recomputed here from both runs' files.
        var mine = EpisodePredictions.Load(Path.Combine(folder, EpisodePredictions.FileName));
        var mean = EpisodePredictions.Combine(new[] { mine.Test, memberPredictions.Test }, p => p.Average());
        var truth = report.Model.Test!.Labels.Select(l => l.Positives).ToArray();
        var expected = BinaryMetrics.Auroc(Enumerable.Range(0, 18).Select(r => mean[r * 3]).ToArray(),
            TestLabels(spec).Select(row => row[0] >= 0.5f).ToArray());
        Assert.Equal(expected, report.Ensembles[0].Test!.Labels[0].Auroc);
        Assert.Equal(truth, report.Ensembles[0].Test!.Labels.Select(l => l.Positives));
        var max = EpisodePredictions.Combine(new[] { mine.Test, memberPredictions.Test, otherPredictions.Test }, p => p.Max());
        Assert.Equal(BinaryMetrics.Auroc(Enumerable.Range(0, 18).Select(r => max[r * 3]).ToArray(), TestLabels(spec).Select(row => row[0] >= 0.5f).ToArray()),
            report.Ensembles[7].Test!.Labels[0].Auroc);
        var logOdds = EpisodePredictions.Combine(new[] { mine.Test, otherPredictions.Test }, EpisodePredictions.LogOddsMean);
        Assert.Equal(BinaryMetrics.Auroc(Enumerable.Range(0, 18).Select(r => logOdds[r * 3]).ToArray(), TestLabels(spec).Select(row => row[0] >= 0.5f).ToArray()),
            report.Ensembles[5].Test!.Labels[0].Auroc);
    }

    [Fact]
    public void A_sweep_folder_is_one_ensemble_member_the_mean_of_its_runs()
    {
        // TinySeeds: the summary model swept over two seeds into TinySeeds-sweep, as `sweep -e TinySeeds` leaves it. It
        // names its own sweep as a member, as a spec does that ensembles with its other seeds: its runs report no ensembles.
        var seeds = EpisodeTestSpecs.Small(EpisodeRepresentation.Summary) with { Name = "TinySeeds", SpecFile = "tiny_seeds.yaml" };
        seeds = seeds with { Episodes = seeds.Episodes! with { EnsembleWith = new[] { "TinySeeds-sweep" } } };
        seeds = seeds with
        {
            Sweep = new SweepSpec("TinySeeds", "tiny_seeds.yaml", new[] { 1L, 2L }
                .Select((seed, i) => new SweepRun(i, seeds with { Training = seeds.Training with { Seed = seed } },
                    new[] { new SweepSetting("training.seed", seed.ToString(CultureInfo.InvariantCulture)) }))
                .ToArray()),
        };
        var spec = EpisodeTestSpecs.Small();
        spec = spec with { Episodes = spec.Episodes! with { EnsembleWith = new[] { "TinySeeds-sweep" } } };
        var (code, output, error) = Train(spec, Folder("before"));
        Assert.Equal(1, code);
        Assert.Contains("episodes.ensemble_with names TinySeeds-sweep, but", error);
        Assert.Contains("sweep TinySeeds first with --out", error);

        string sweepFolder = Folder("TinySeeds-sweep");
        SweepFile.Of(SweepPlan.Of(new[] { seeds })).Write(sweepFolder);
        foreach (string run in new[] { "0", "1" })
        {
            var (runCode, runOutput, runError) = Cli(seeds, "train", "--run", run, "--out", sweepFolder);
            Assert.True(runCode == 0, runError);
            Assert.Contains($"ensemble_with: run 00{run} of a sweep reports no ensembles; its sweep folder joins them as one member.", runOutput);
        }
        Assert.Empty(EpisodeReport.Read(Path.Combine(sweepFolder, "000", "metrics.json")).Ensembles);
        var runs = new[] { "000", "001" }.Select(r => EpisodePredictions.Load(Path.Combine(sweepFolder, r, EpisodePredictions.FileName))).ToArray();
        Assert.NotEqual(runs[0].Test, runs[1].Test);

        string folder = Folder("ensembled");
        (code, _, error) = Train(spec, folder);
        Assert.True(code == 0, error);
        var report = EpisodeReport.Read(Path.Combine(folder, "metrics.json"));
        Assert.Equal(new[] { "mean with TinySeeds-sweep", "max with TinySeeds-sweep", "logit mean with TinySeeds-sweep" }, report.Ensembles.Select(e => e.Name));

        // The sweep weighs as one member: the mean of (this model, the mean of the two runs), recomputed from the files.
        var mine = EpisodePredictions.Load(Path.Combine(folder, EpisodePredictions.FileName));
        var seedMean = EpisodePredictions.Combine(runs.Select(r => r.Test).ToArray(), p => p.Average());
        var mean = EpisodePredictions.Combine(new[] { mine.Test, seedMean }, p => p.Average());
        var died = TestLabels(spec).Select(row => row[0] >= 0.5f).ToArray();
        Assert.Equal(BinaryMetrics.Auroc(Enumerable.Range(0, 18).Select(r => mean[r * 3]).ToArray(), died), report.Ensembles[0].Test!.Labels[0].Auroc);

        // Its own sweep is more seeds of the same model: in the rows of all members the model joins the sweep's runs, and
        // the three seeds weigh as much as the other member.
        Assert.Equal(0, Train(EpisodeTestSpecs.Small(EpisodeRepresentation.FirstLast), Folder("TinyOther")).Code);
        var other = EpisodePredictions.Load(Path.Combine(Folder("TinyOther"), EpisodePredictions.FileName));
        var own = seeds with { Episodes = seeds.Episodes! with { EnsembleWith = new[] { "TinySeeds-sweep", "TinyOther" } } };
        string ownFolder = Folder("TinySeeds");
        (code, _, error) = Train(own, ownFolder);
        Assert.True(code == 0, error);
        var ownReport = EpisodeReport.Read(Path.Combine(ownFolder, "metrics.json"));
        Assert.Equal("mean of all 3", ownReport.Ensembles[6].Name);
        var ownTest = EpisodePredictions.Load(Path.Combine(ownFolder, EpisodePredictions.FileName)).Test;
        var threeSeeds = EpisodePredictions.Combine(runs.Select(r => r.Test).Prepend(ownTest).ToArray(), p => p.Average());
        var ofAll = EpisodePredictions.Combine(new[] { threeSeeds, other.Test }, p => p.Average());
        Assert.Equal(BinaryMetrics.Auroc(Enumerable.Range(0, 18).Select(r => ofAll[r * 3]).ToArray(), died), ownReport.Ensembles[6].Test!.Labels[0].Auroc);

        // On another set, evaluate scores the members it can from files: its own sweep's runs (each with its own
        // checkpoint and preprocessing) and its trees, then all of them; another experiment's run it names as not scored.
        string observations = Path.Combine(_root, "external.csv"), labels = Path.Combine(_root, "external-labels.csv");
        EpisodeTestSpecs.WriteLongCsv(SyntheticIcu.Generate(new SyntheticIcuOptions { Records = 40, Seed = 5 }), observations, labels);
        var withTrees = seeds with { Episodes = seeds.Episodes! with { SummaryBaseline = EpisodeSummaryBaseline.GradientBoostedTrees, EnsembleWith = new[] { "TinySeeds-sweep", EpisodeExperimentRunner.TreesMember } } };
        string treesFolder = Folder("TinySeedsTrees");
        Assert.Equal(0, Train(withTrees, treesFolder).Code);
        var (evaluated, evaluateOutput, evaluateError) = Cli(withTrees, "evaluate", "--out", treesFolder, "--data", observations, "--outcomes", labels);
        Assert.True(evaluated == 0, evaluateError);
        var evaluation = EpisodeReport.Read(Path.Combine(treesFolder, "evaluation-external.json"));
        Assert.Equal(new[] { "with TinySeeds-sweep", "with gradient_boosted_trees", "of all 3" }.SelectMany(w => new[] { $"mean {w}", $"max {w}", $"logit mean {w}" }),
            evaluation.Ensembles.Select(e => e.Name));
        Assert.All(evaluation.Ensembles, row => Assert.Equal(40, row.Test!.Labels[0].Records));
        Assert.DoesNotContain("note: the ensembles with", evaluateOutput);
        (evaluated, evaluateOutput, evaluateError) = Cli(own, "evaluate", "--out", ownFolder, "--data", observations, "--outcomes", labels);
        Assert.True(evaluated == 0, evaluateError);
        Assert.Contains("note: the ensembles with TinyOther are not scored here", evaluateOutput);
        Assert.Equal(new[] { "mean with TinySeeds-sweep", "max with TinySeeds-sweep", "logit mean with TinySeeds-sweep" },
            EpisodeReport.Read(Path.Combine(ownFolder, "evaluation-external.json")).Ensembles.Select(e => e.Name));
        // A run of the sweep without its checkpoint is named, with what to do.
        string moved = Path.Combine(_root, "best-001.pt");
        File.Move(Path.Combine(sweepFolder, "001", "best.pt"), moved);
        (evaluated, _, evaluateError) = Cli(withTrees, "evaluate", "--out", treesFolder, "--data", observations, "--outcomes", labels);
        Assert.Equal(1, evaluated);
        Assert.Contains("run 001 of the sweep in", evaluateError);
        Assert.Contains("has no best.pt of a recorded run", evaluateError);
        File.Move(moved, Path.Combine(sweepFolder, "001", "best.pt"));

        // A run that has not finished is named with its state, and nothing is reported.
        File.Delete(Path.Combine(sweepFolder, "001", "metrics.json"));
        (code, _, error) = Train(spec, Folder("unfinished"));
        Assert.Equal(1, code);
        Assert.Contains("run 001 of the sweep in", error);
        Assert.Contains("sweep -e TinySeeds --out", error);
        Assert.False(File.Exists(Path.Combine(Folder("unfinished"), "metrics.json")));

        // A finished run without predictions (a sweep of another kind of spec) is named too.
        File.Delete(Path.Combine(sweepFolder, "000", EpisodePredictions.FileName));
        (code, _, error) = Train(spec, Folder("no-predictions"));
        Assert.Equal(1, code);
        Assert.Contains("run 000 of the sweep in", error);
        Assert.Contains("is finished but has no predictions.csv", error);

        // Under --folds a sweep's runs have no folds to match: each fold says so and reports no ensemble with it.
        Directory.Delete(sweepFolder, recursive: true);
        (code, output, error) = Train(spec, Folder("folds"), "--folds", "2");
        Assert.True(code == 0, error);
        Assert.Contains("ensemble_with: TinySeeds-sweep is a sweep folder, whose runs are not cross-validated; fold 2's ensembles leave it out.", output);
        Assert.Empty(EpisodeReport.Read(Path.Combine(Folder("folds"), "fold-2", "metrics.json")).Ensembles);
    }

    [Fact]
    public void An_ensemble_member_that_was_not_trained_or_saw_other_records_is_named()
    {
        var spec = EpisodeTestSpecs.Small();
        var missing = spec with { Episodes = spec.Episodes! with { EnsembleWith = new[] { "NotTrained" } } };
        var (code, _, error) = Train(missing, Folder("alone"));
        Assert.Equal(1, code);
        Assert.Contains("episodes.ensemble_with names NotTrained", error);
        Assert.Contains("train NotTrained first", error);

        var other = EpisodeTestSpecs.Small();
        other = other with { Episodes = other.Episodes! with { SplitSeed = 99 } };
        Assert.Equal(0, Train(other, Folder("OtherSplit")).Code);
        var mismatched = spec with { Episodes = spec.Episodes! with { EnsembleWith = new[] { "OtherSplit" } } };
        (code, _, error) = Train(mismatched, Folder("mismatched"));
        Assert.Equal(1, code);
        Assert.Contains("records differ from this run's", error);

        var traversal = spec with { Episodes = spec.Episodes! with { EnsembleWith = new[] { ".." } } };
        (code, _, error) = Train(traversal, Folder("traversal"));
        Assert.Equal(1, code);
        Assert.Contains("'..' is not an experiment name", error);
    }

    /// <summary>The scored labels of the test split of <paramref name="spec"/>'s synthetic set, per record, as the runner splits it.</summary>
    private static float[][] TestLabels(ExperimentSpec spec)
    {
        var episodes = spec.Episodes!;
        var set = SyntheticIcu.Generate(new SyntheticIcuOptions { Records = episodes.Records, Seed = episodes.SourceSeed });
        var labels = EpisodeLabels.Resolve(set, episodes.Labels);
        var split = EpisodeSplit.ByFractions(labels, episodes.TrainFraction, episodes.ValidationFraction, episodes.SplitSeed);
        return split.Test.Select(r => Enumerable.Range(0, labels.ScoredCount).Select(l => labels[r, l]).ToArray()).ToArray();
    }

    [Fact]
    public void Folds_train_one_run_per_fold_and_report_mean_and_std_of_their_test_figures()
    {
        string folder = Folder("cv");
        var (code, output, error) = Train(EpisodeTestSpecs.Small(epochs: 1), folder, "--folds", "3");
        Assert.True(code == 0, error);
        var folds = Enumerable.Range(1, 3).Select(k => EpisodeReport.Read(Path.Combine(folder, $"fold-{k}", "metrics.json"))).ToArray();
        // Every record is tested once: the folds' test splits add up to the 120 records.
        Assert.Equal(120, folds.Sum(f => f.Model.Test!.Labels[0].Records));
        var macro = folds.Select(f => f.Model.Test!.MacroAuroc!.Value).ToArray();
        double mean = macro.Average(), std = Math.Sqrt(macro.Sum(m => (m - mean) * (m - mean)) / 2);

        string json = File.ReadAllText(Path.Combine(folder, EpisodeExperimentRunner.CrossValidationFile));
        Assert.DoesNotContain("NaN", json);
        using var document = System.Text.Json.JsonDocument.Parse(json);
        var model = document.RootElement.GetProperty("rows")[0];
        Assert.Equal("model", model.GetProperty("name").GetString());
        Assert.Equal(mean, model.GetProperty("macro_auroc").GetProperty("mean").GetDouble(), 12);
        Assert.Equal(std, model.GetProperty("macro_auroc").GetProperty("std").GetDouble(), 12);
        Assert.Contains("Cross-validation: TinyEpisode, 3 folds by record", output);
        Assert.Contains($"{mean:F3} ± {std:F3}", output);

        var usage = Cli(EpisodeTestSpecs.Small(), "train", "--folds", "1", "--out", Folder("one-fold"));
        Assert.Equal(2, usage.Code);
        Assert.Contains("--folds takes at least 2 folds", usage.Error);
    }

    [Fact]
    public void Baseline_scores_the_base_rate_without_a_model()
    {
        var spec = EpisodeTestSpecs.Small();
        string defaultFolder = Path.Combine("runs", spec.Name);
        bool existedBefore = Directory.Exists(defaultFolder);
        var (code, output, error) = Cli(spec, "baseline");
        Assert.True(code == 0, error);
        Assert.Contains(EpisodeExperimentRunner.BaseRateName, output);
        Assert.Equal(existedBefore, Directory.Exists(defaultFolder));

        // baseline writes no run folder, so it has no --out to take.
        var refused = Cli(spec, "baseline", "--out", Folder("baseline"));
        Assert.Equal(2, refused.Code);
        Assert.Contains("--out does not apply to baseline; it applies to train, evaluate, generate, sweep and report", refused.Error);
        Assert.False(Directory.Exists(Folder("baseline")), "baseline wrote a run folder");
    }

    [Fact]
    public void A_label_with_one_class_in_training_is_named()
    {
        var labels = new[] { new LabelDefinition("sepsis", "sepsis"), new LabelDefinition("endless_stay", "length_of_stay_days", LabelRule.AtLeast, Threshold: 1000) };
        var (code, _, error) = Train(EpisodeTestSpecs.Small(labels: labels), Folder("one-class"));
        Assert.Equal(1, code);
        Assert.Contains("label 'endless_stay' has only one class among the 84 training records", error);
    }

    [Fact]
    public void A_model_of_another_input_width_is_a_message_not_a_crash()
    {
        var (code, _, error) = Train(EpisodeTestSpecs.Small(features: 13), Folder("width"));
        Assert.Equal(1, code);
        Assert.Contains("the model reads 13 features per step", error);
        Assert.Contains("prepares 14", error);
    }

    [Fact]
    public void Missing_data_and_options_without_meaning_for_episodes_are_named()
    {
        var (code, _, error) = Cli(EpisodeTestSpecs.Small(), "train", "--out", Folder("x"), "--data", "/no/such/stays");
        Assert.Equal(2, code);
        Assert.Contains("--data: no file at '/no/such/stays'", error);

        var physionet = EpisodeTestSpecs.Small() with { Episodes = EpisodeTestSpecs.Small().Episodes! with { Source = EpisodeSourceKind.PhysioNet2012 } };
        (code, _, error) = Cli(physionet, "train", "--out", Folder("y"));
        Assert.Equal(1, code);
        Assert.Contains("set episodes.path in the spec or pass --data PATH", error);

        (code, _, error) = Cli(EpisodeTestSpecs.Small(), "train", "--out", Folder("z"), "--steps-per-epoch", "3");
        Assert.Equal(2, code);
        Assert.Contains("--steps-per-epoch does not apply to tiny_episode.yaml", error);
    }
}

/// <summary>
/// Two runs with one seed give the same numbers. Alone in its collection: tests running in parallel would draw from
/// torch's global generator between a run's seeding and its weights.
/// </summary>
[Collection(SeqDsl.Runtime.Tests.Layers.TorchGeneratorCollection.Name)]
public sealed class EpisodeRunDeterminismTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "seqdsl-episodes-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_root)) Directory.Delete(_root, recursive: true);
    }

    [Fact]
    public void The_same_seed_gives_the_same_losses_metrics_and_test_scores_and_another_seed_does_not()
    {
        string first = Path.Combine(_root, "first"), second = Path.Combine(_root, "second"), reseeded = Path.Combine(_root, "reseeded");
        Assert.Equal(0, EpisodeExperimentRunnerTests.Train(EpisodeTestSpecs.Small(), first).Code);
        Assert.Equal(0, EpisodeExperimentRunnerTests.Train(EpisodeTestSpecs.Small(), second).Code);
        Assert.Equal(0, EpisodeExperimentRunnerTests.Train(EpisodeTestSpecs.Small(), reseeded, "--seed", "7").Code);

        // Same seed, data and order of records: the same computation. MKL's float32 kernels may still sum in another
        // order when buffers land at other alignments (measured: 1e-8 relative after two epochs), so 1e-5 relative.
        var a = Losses(first);
        var b = Losses(second);
        Assert.Equal(a.Length, b.Length);
        for (int i = 0; i < a.Length; i++)
        {
            Assert.True(Math.Abs(a[i].Loss - b[i].Loss) <= 1e-5 * a[i].Loss, $"epoch {i + 1}: loss {a[i].Loss} then {b[i].Loss}");
            Assert.True(Math.Abs(a[i].ValLoss!.Value - b[i].ValLoss!.Value) <= 1e-5 * a[i].ValLoss!.Value, $"epoch {i + 1}: val_loss {a[i].ValLoss} then {b[i].ValLoss}");
            Assert.Equal(a[i].ValMetric, b[i].ValMetric);
        }
        var reportA = EpisodeReport.Read(Path.Combine(first, "metrics.json"));
        var reportB = EpisodeReport.Read(Path.Combine(second, "metrics.json"));
        Assert.NotNull(reportA.Model.Test?.MacroAuroc);
        Assert.Equal(reportA.Model.Test!.MacroAuroc, reportB.Model.Test!.MacroAuroc);

        // Another seed starts from other weights: the first epoch's loss already differs by far more than rounding.
        var other = Losses(reseeded);
        Assert.True(Math.Abs(other[0].Loss - a[0].Loss) > 1e-3 * a[0].Loss, $"seeds 42 and 7 both give a first loss of {a[0].Loss}");
    }

    private static EpochRecord[] Losses(string folder) => TrainingHistory.ReadJson(Path.Combine(folder, "history.json")).Epochs.ToArray();
}
