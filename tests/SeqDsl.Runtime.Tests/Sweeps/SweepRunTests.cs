using SeqDsl.Runtime.Cli;
using SeqDsl.Runtime.Experiments;
using SeqDsl.Runtime.Sweeps;
using SeqDsl.Runtime.Training;

namespace SeqDsl.Runtime.Tests.Sweeps;

/// <summary>
/// <c>train --run I</c> in process: which run and folder it takes, and that it is requeue-safe — a finished run returns at
/// once, an interrupted one resumes from last.pt, and a folder recorded for another run is refused.
/// </summary>
public sealed class SweepRunTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "seqdsl-sweep-run-" + Guid.NewGuid().ToString("N"));

    private static readonly ExperimentSpec s_small = SmallWeatherModel.Experiment with
    {
        Training = SmallWeatherModel.Experiment.Training with { Epochs = 2, StepsPerEpoch = 2, ValidationSteps = 1 },
    };

    /// <summary>SmallWeather with a sweep of two seeds, and a second experiment without one.</summary>
    private static readonly ExperimentSpec[] s_experiments =
    {
        s_small with
        {
            Sweep = new SweepSpec("SmallWeather", "small_weather.yaml", new[] { 1L, 2L }
                .Select((seed, i) => new SweepRun(i, s_small with { Training = s_small.Training with { Seed = seed } },
                    new[] { new SweepSetting("training.seed", seed.ToString(System.Globalization.CultureInfo.InvariantCulture)) }))
                .ToArray()),
        },
        s_small with { Name = "Unswept", SpecFile = "unswept.yaml" },
    };

    /// <summary>The experiments above: SmallWeather with a sweep of two seeds, then Unswept.</summary>
    internal static IReadOnlyList<ExperimentSpec> Experiments => s_experiments;

    private (int Code, string Output, string Error) Cli(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int code = SeqDslCli.Run(args.Concat(new[] { "--out", _folder, "--device", "cpu", "--threads", "1" }).ToArray(), s_experiments, null, output, error);
        return (code, output.ToString(), error.ToString());
    }

    private string Run(int index, string file) => Path.Combine(_folder, SweepPlan.RunFolderName(index), file);

    public void Dispose()
    {
        if (Directory.Exists(_folder)) Directory.Delete(_folder, recursive: true);
    }

    [Fact]
    public void An_index_outside_the_sweep_is_a_usage_error_that_gives_the_valid_range()
    {
        var (code, _, error) = Cli("train", "-e", "SmallWeather", "--run", "2");

        Assert.Equal(2, code);
        Assert.Contains("error: --run 2: the sweep SmallWeather has 2 runs, indices 0 to 1.", error);
        Assert.False(Directory.Exists(_folder));
    }

    [Fact]
    public void An_experiment_without_a_sweep_section_is_a_usage_error_that_says_what_to_do()
    {
        var (code, _, error) = Cli("train", "-e", "Unswept", "--run", "0");

        Assert.Equal(2, code);
        Assert.Contains("error: Unswept (unswept.yaml) has no sweep section: add one to the spec, or name several experiments (-e Unswept -e OTHER)", error);
    }

    [Theory]
    [InlineData("--seed", "3", "--seed does not combine with --run")]
    [InlineData("--resume", null, "--resume does not combine with --run")]
    public void Flags_that_contradict_a_sweep_run_are_refused(string flag, string? value, string message)
    {
        var args = new List<string> { "train", "-e", "SmallWeather", "--run", "0", flag };
        if (value is not null) args.Add(value);
        var (code, _, error) = Cli(args.ToArray());

        Assert.Equal(2, code);
        Assert.Contains(message, error);
    }

    [Fact]
    public void A_run_trains_into_its_own_folder_and_a_second_call_returns_at_once_saying_it_is_finished()
    {
        var (code, output, error) = Cli("train", "-e", "SmallWeather", "--run", "1");

        Assert.True(code == 0, error);
        Assert.Contains("run 1 of sweep SmallWeather (experiment SmallWeather; training.seed=2): starting in", output);
        var record = SweepRunRecord.Read(Path.Combine(_folder, "001"))!;
        Assert.Equal(Checkpoint.ReadInfo(Run(1, "last.pt"))!.RunId, record.FinishedRunId);
        Assert.Equal(new[] { new SweepSetting("training.seed", "2") }, record.Settings);
        Assert.False(Directory.Exists(Path.Combine(_folder, "000")));
        byte[] metrics = File.ReadAllBytes(Run(1, "metrics.json"));

        var (again, secondOutput, secondError) = Cli("train", "-e", "SmallWeather", "--run", "1");

        Assert.True(again == 0, secondError);
        Assert.Contains("run 1 of sweep SmallWeather (experiment SmallWeather; training.seed=2) is finished", secondOutput);
        Assert.Contains("nothing to do", secondOutput);
        Assert.DoesNotContain("Epoch", secondOutput);
        Assert.Equal(metrics, File.ReadAllBytes(Run(1, "metrics.json")));
    }

    [Fact]
    public void An_interrupted_run_resumes_from_last_pt_and_is_then_finished()
    {
        // What a kill after epoch 1 leaves: the run's record (unfinished) and the resume point of epoch 1.
        var plan = SweepPlan.Of(new[] { s_experiments[0] });
        string folder = Path.Combine(_folder, "000");
        Directory.CreateDirectory(folder);
        SweepRunRecord.For(plan, plan.Runs[0], new RunOptions()).Write(folder);
        new ExperimentRunner(plan.Runs[0].Experiment, new RunOptions { OutputDirectory = folder, Device = DeviceChoice.Cpu, Epochs = 1 },
            new StringWriter(), NullProgress.Instance).Train();
        string firstRun = Checkpoint.ReadInfo(Run(0, "last.pt"))!.RunId;
        var firstEpoch = TrainingHistory.ReadJson(Run(0, "history.json")).Epochs[0];
        Assert.Equal(SweepRunState.Incomplete, SweepRunFolder.Inspect(folder).State);

        var (code, output, error) = Cli("train", "-e", "SmallWeather", "--run", "0");

        Assert.True(code == 0, error);
        Assert.Contains("resuming from", output);
        Assert.Contains("after epoch 1", output);
        var history = TrainingHistory.ReadJson(Run(0, "history.json"));
        Assert.Equal(new[] { 1, 2 }, history.Epochs.Select(e => e.Epoch));
        Assert.Equal(firstEpoch, history.Epochs[0]);
        // The resumed training keeps its run id, and the record now names it as finished.
        Assert.Equal(firstRun, SweepRunRecord.Read(folder)!.FinishedRunId);
        Assert.Equal(SweepRunState.Finished, SweepRunFolder.Inspect(folder).State);
    }

    [Fact]
    public void A_folder_recorded_with_other_overrides_is_refused_and_left_as_it_is()
    {
        var (first, _, firstError) = Cli("train", "-e", "SmallWeather", "--run", "0", "--epochs", "1");
        Assert.True(first == 0, firstError);
        byte[] record = File.ReadAllBytes(Run(0, SweepRunRecord.FileName));

        var (code, _, error) = Cli("train", "-e", "SmallWeather", "--run", "0");

        Assert.Equal(1, code);
        Assert.Contains("holds run 0 of sweep SmallWeather (experiment SmallWeather; training.seed=1; --epochs 1), " +
                        "not run 0 of sweep SmallWeather (experiment SmallWeather; training.seed=1)", error);
        Assert.Contains("it is never reused for another run", error);
        Assert.Equal(record, File.ReadAllBytes(Run(0, SweepRunRecord.FileName)));
    }

    [Fact]
    public void A_folder_with_a_checkpoint_but_no_record_is_refused()
    {
        string folder = Path.Combine(_folder, "000");
        Directory.CreateDirectory(folder);
        Checkpoint.SaveAtomic(s_small.CreateModel(ModelSizes.None), Path.Combine(folder, "last.pt"), new CheckpointInfo { RunId = "other", Epoch = 1, Model = "SmallWeather" });

        var (code, _, error) = Cli("train", "-e", "SmallWeather", "--run", "0");

        Assert.Equal(1, code);
        Assert.Contains("has a last.pt but no sweep-run.json", error);
    }

    [Fact]
    public void Threads_per_run_divide_the_cores_among_the_parallel_runs_and_never_fall_below_one()
    {
        var job = new SweepJob { Plan = SweepPlan.Of(new[] { s_experiments[0] }), Folder = _folder };

        Assert.Equal(Math.Max(1, Environment.ProcessorCount / 2), job.ThreadsPerRun(2));
        Assert.Equal(1, job.ThreadsPerRun(Environment.ProcessorCount * 4));
        Assert.Equal(3, (job with { Threads = 3 }).ThreadsPerRun(2));
    }

    [Fact]
    public void Several_experiments_make_a_sweep_of_one_run_each_in_the_order_given()
    {
        var plan = SweepPlan.Of(new[] { s_experiments[1], s_small });

        Assert.Equal("Unswept+SmallWeather", plan.Name);
        Assert.Equal(Path.Combine("runs", "Unswept+SmallWeather-sweep"), plan.DefaultFolder);
        Assert.Equal(new[] { (0, "Unswept"), (1, "SmallWeather") }, plan.Runs.Select(r => (r.Index, r.Experiment.Name)));
        Assert.All(plan.Runs, r => Assert.Empty(r.Settings));
        Assert.Equal(new[] { "-e", "Unswept", "-e", "SmallWeather" }, plan.ExperimentArguments);
        var swept = Assert.Throws<SweepPlanException>(() => SweepPlan.Of(new[] { s_experiments[0], s_experiments[1] }));
        Assert.Contains("has a sweep of 2 runs; sweep it alone", swept.Message);
    }

    [Theory]
    [InlineData(new[] { "summary", "-e", "SmallWeather", "-e", "Unswept" }, "error: --experiment is given 2 times; only sweep, report and train --run take several")]
    [InlineData(new[] { "sweep", "-e", "SmallWeather", "--image", "x:1" }, "error: --image applies to sweep --emit k8s.")]
    [InlineData(new[] { "sweep", "-e", "SmallWeather", "--emit", "slurm", "--volume", "v" }, "error: --volume applies to sweep --emit k8s.")]
    [InlineData(new[] { "sweep", "-e", "SmallWeather", "--resubmit" }, "error: --resubmit applies to sweep --executor slurm.")]
    [InlineData(new[] { "sweep", "-e", "SmallWeather", "--executor", "local", "--status" }, "error: --status applies to sweep --executor slurm.")]
    [InlineData(new[] { "sweep", "-e", "SmallWeather", "--no-wait" }, "error: --no-wait applies to sweep --executor slurm.")]
    [InlineData(new[] { "sweep", "-e", "SmallWeather", "--emit", "k8s", "--sbatch-arg=-p" }, "error: --sbatch-arg applies to sweep --executor slurm and sweep --emit slurm.")]
    [InlineData(new[] { "sweep", "-e", "SmallWeather", "--executor", "slurm", "--status", "--resubmit" }, "error: --status only shows where the runs stand; it does not combine with --resubmit.")]
    [InlineData(new[] { "train", "-e", "SmallWeather", "--resubmit" }, "error: --resubmit does not apply to train; it applies to sweep")]
    [InlineData(new[] { "sweep", "-e", "Unswept" }, "error: Unswept (unswept.yaml) has no sweep section")]
    [InlineData(new[] { "report", "-e", "SmallWeather", "--emit", "k8s" }, "error: --emit does not apply to report; it applies to sweep")]
    public void Sweep_command_lines_that_cannot_work_are_usage_errors(string[] args, string message)
    {
        var output = new StringWriter();
        var error = new StringWriter();

        int code = SeqDslCli.Run(args, s_experiments, null, output, error);

        Assert.Equal(2, code);
        Assert.Contains(message, error.ToString());
    }

    [Fact]
    public void Report_of_a_folder_without_a_sweep_says_so()
    {
        var error = new StringWriter();

        int code = SeqDslCli.Run(new[] { "report", "--out", _folder }, s_experiments, null, new StringWriter(), error);

        Assert.Equal(1, code);
        Assert.Contains("holds no sweep: no sweep.json and no run folder with a sweep-run.json", error.ToString());
    }
}
