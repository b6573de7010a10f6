using System;
using System.Collections.Generic;
using System.CommandLine;
using System.CommandLine.Invocation;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Threading;
using SeqDsl.Runtime.Data;
using SeqDsl.Runtime.Experiments;
using SeqDsl.Runtime.Sweeps;
using SeqDsl.Runtime.Training;

namespace SeqDsl.Runtime.Cli;

/// <summary>
/// The command line of an experiment project: <c>dotnet run -- [command] [options]</c>, parsed by System.CommandLine
/// (<see cref="CliGrammar"/>, options in <see cref="CliFlags"/>). An example's Program.cs is one line:
/// <c>return SeqDslCli.Run(args, SeqDslExperiments.All, SeqDslExperiments.Default);</c>
/// </summary>
public static class SeqDslCli
{
    /// <summary>The most characters one <c>generate</c> writes.</summary>
    public const int MaxGenerateLength = 1_000_000;

    /// <summary>Exit codes: the run finished; the run failed; the command line was wrong.</summary>
    private const int ExitOk = 0, ExitFailed = 1, ExitUsage = 2;

    private static readonly (CliCommand Command, string Description)[] s_commands =
    {
        (CliCommand.Train, "Train the experiment, report the baseline beside the model, write the run folder (the command when none is given)"),
        (CliCommand.Evaluate, "Score a checkpoint on the validation and test splits"),
        (CliCommand.Baseline, "Report the spec's baseline (naive, seasonal naive or the base rate) on the validation and test splits"),
        (CliCommand.Summary, "Print the model's layers, output shapes and parameter counts"),
        (CliCommand.Generate, "(text experiments) Write text from a checkpoint, continuing --primetext"),
        (CliCommand.List, "List the experiments of this project"),
        (CliCommand.Sweep, "Run every run of the experiment's sweep (or of several experiments, one run each) as child processes or a Slurm job array (--executor slurm), or print a Kubernetes Job or sbatch script (--emit k8s|slurm)"),
        (CliCommand.Report, "Rank the runs of a sweep folder by their best validation figure; write leaderboard.csv, .md and .png there"),
    };

    /// <summary>
    /// Parses <paramref name="args"/>, runs the command, and returns the process exit code: 0 ok (help, --version and
    /// completions included), 1 the run failed, 2 the command line was wrong. Every error is one line on
    /// <paramref name="error"/> that starts with <c>error: </c>.
    /// </summary>
    public static int Run(string[] args, IReadOnlyList<ExperimentSpec> experiments, string? defaultExperiment = null, TextWriter? output = null, TextWriter? error = null)
    {
        var outputWriter = output ?? Console.Out;
        var errorWriter = error ?? Console.Error;
        var grammar = new CliGrammar(CliFlags.All(experiments, defaultExperiment), s_commands,
            "Runs the SeqDsl experiments of this project; without a command, train. " +
            "'help COMMAND' or 'COMMAND --help' shows the options of a command, with their defaults.",
            (command, settings) => Execute(command, settings, experiments, defaultExperiment, outputWriter, errorWriter),
            VersionText(experiments));
        var parse = grammar.Parse(args);
        if (parse.Action is ParseErrorAction)
        {
            foreach (string message in parse.Errors.Select(e => e.Message).Distinct())
                errorWriter.WriteLine($"error: {message}");
            var command = parse.CommandResult.Command;
            errorWriter.WriteLine(command is RootCommand
                ? "Run with --help for the commands, and 'COMMAND --help' for the options of one."
                : $"Run '{command.Name} --help' for its options.");
            return ExitUsage;
        }
        // Exceptions are the runners' to report (Execute); Ctrl+C stops the process as it always did.
        return parse.Invoke(new InvocationConfiguration
        {
            Output = outputWriter,
            Error = errorWriter,
            EnableDefaultExceptionHandler = false,
            ProcessTerminationTimeout = null,
        });
    }

    /// <summary>--version: the project's assembly (the one that declares the experiments' models) and the SeqDsl runtime.</summary>
    private static string VersionText(IReadOnlyList<ExperimentSpec> experiments)
    {
        var runtime = typeof(SeqDslCli).Assembly;
        var project = experiments.Select(e => e.CreateModel.Method.DeclaringType?.Assembly).FirstOrDefault(a => a is not null && a != runtime);
        string line(Assembly assembly, string name) =>
            $"{name} {assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? assembly.GetName().Version?.ToString() ?? "unknown"}";
        return project is null ? line(runtime, "SeqDsl") : line(project, project.GetName().Name ?? "project") + Environment.NewLine + line(runtime, "SeqDsl");
    }

    private static int Usage(TextWriter error, string message)
    {
        error.WriteLine($"error: {message}");
        return ExitUsage;
    }

    private static int Execute(CliCommand command, CliSettings settings, IReadOnlyList<ExperimentSpec> experiments, string? defaultExperiment,
                               TextWriter output, TextWriter error)
    {
        if (command == CliCommand.List)
        {
            foreach (var experiment in experiments)
                output.WriteLine($"{experiment.Name,-28} {experiment.SpecFile,-32} {(experiment.Episodes is { } episodes ? $"episodes ({episodes.Source})" : experiment.Data is null ? "model only" : experiment.Data.Source.ToString())}" +
                                 $"{(experiment.Sweep is { } sweep ? $"  sweep of {sweep.Runs.Count} runs" : "")}{(experiment.Name == defaultExperiment ? "  (default)" : "")}");
            return ExitOk;
        }
        try
        {
            if (command == CliCommand.Sweep)
                return RunSweep(settings, experiments, defaultExperiment, output, error);
            if (command == CliCommand.Report)
                return RunReport(settings, experiments, defaultExperiment, output, error);
            if (settings.RunIndex is int index)
                return RunSweepRun(index, settings, experiments, defaultExperiment, output, error);
            if (settings.Experiments is { Count: > 1 } several)
                return Usage(error, $"--experiment is given {several.Count} times; only sweep, report and train --run take several (a sweep of one run per experiment).");
            var spec = Choose(experiments, settings.Experiments?[0] ?? defaultExperiment, error);
            return spec is null ? ExitUsage : Dispatch(spec, command, settings, output, error);
        }
        catch (SweepPlanException e)
        {
            return Usage(error, e.Message);
        }
        catch (Exception e) when (e is ExperimentException or DataFormatException or NotSupportedException or FileNotFoundException or DirectoryNotFoundException
                                     or IOException or InvalidDataException or ArgumentException or UnauthorizedAccessException or TrainingDivergedException)
        {
            error.WriteLine($"error: {e.Message}");
            return ExitFailed;
        }
        catch (System.Runtime.InteropServices.ExternalException e)
        {
            // libtorch's own failure: its first line says what failed; its C++ frames say nothing a user can act on.
            error.WriteLine($"error: libtorch failed: {e.Message.Split('\n')[0].Trim()} (the run folder keeps the last completed epoch; --resume continues from it)");
            return ExitFailed;
        }
    }

    /// <summary>Runs one command of one experiment with its task's runner.</summary>
    private static int Dispatch(ExperimentSpec spec, CliCommand command, CliSettings settings, TextWriter output, TextWriter error)
    {
        if (spec.Episodes is null && UsageOutsideEpisodes(settings.Run) is string misuse)
            return Usage(error, misuse);
        if (spec.Episodes is not null)
            return RunEpisodes(spec, command, settings, output, error);
        if (spec.Text is not null)
            return RunText(spec, command, settings, output, error);
        if (command == CliCommand.Generate)
            return Usage(error, $"generate writes text; {spec.SpecFile} is not a text experiment.");
        var runner = new ExperimentRunner(spec, settings.Run, output);
        return RunCommand(command, () => output.WriteLine(spec.Summary()), () => runner.RunBaseline(), () => runner.Evaluate(), () => runner.Train());
    }

    /// <summary>The plan of the experiments named (or the default one).</summary>
    private static SweepPlan? Plan(CliSettings settings, IReadOnlyList<ExperimentSpec> experiments, string? defaultExperiment, TextWriter error)
    {
        var chosen = new List<ExperimentSpec>();
        foreach (string? name in (IEnumerable<string?>?)settings.Experiments ?? new[] { defaultExperiment })
        {
            if (Choose(experiments, name, error) is not { } spec) return null;
            chosen.Add(spec);
        }
        return SweepPlan.Of(chosen);
    }

    /// <summary>train --run I: one run of a sweep in its folder, requeue-safe (<see cref="SweepTraining"/>).</summary>
    private static int RunSweepRun(int index, CliSettings settings, IReadOnlyList<ExperimentSpec> experiments, string? defaultExperiment, TextWriter output, TextWriter error)
    {
        if (settings.Given.Contains("--seed"))
            return Usage(error, "--seed does not combine with --run: a sweep run's seed is the sweep's (training.seed, or a swept value).");
        if (settings.Run.Resume)
            return Usage(error, "--resume does not combine with --run: a sweep run resumes from its last.pt by itself.");
        if (settings.Run.Folds is not null)
            return Usage(error, "--folds does not combine with --run: a sweep run is one training.");
        if (Plan(settings, experiments, defaultExperiment, error) is not { } plan) return ExitUsage;
        var run = plan.Run(index);
        string folder = settings.Run.OutputDirectory ?? plan.DefaultFolder;
        return SweepTraining.Train(plan, run, folder, settings.Run with { OutputDirectory = null }, output, (spec, options) =>
        {
            settings.Run = options;
            return Dispatch(spec, CliCommand.Train, settings, output, error);
        });
    }

    /// <summary>sweep: runs the plan with the executor, or prints what --emit asks for.</summary>
    private static int RunSweep(CliSettings settings, IReadOnlyList<ExperimentSpec> experiments, string? defaultExperiment, TextWriter output, TextWriter error)
    {
        if (settings.Emit is not null && settings.Given.Contains("--executor"))
            return Usage(error, "--emit prints what runs the sweep elsewhere; it does not combine with --executor.");
        foreach (string flag in settings.Given)
            if (SweepBackends.Refusal(flag, settings.Executor, settings.Emit) is string refusal)
                return Usage(error, refusal);
        if (settings.Status && (settings.Resubmit || settings.NoWait))
            return Usage(error, $"--status only shows where the runs stand; it does not combine with {(settings.Resubmit ? "--resubmit" : "--no-wait")}.");
        if (Plan(settings, experiments, defaultExperiment, error) is not { } plan) return ExitUsage;
        var job = new SweepJob
        {
            Plan = plan,
            Folder = settings.Run.OutputDirectory ?? plan.DefaultFolder,
            Parallel = settings.Parallel,
            Threads = settings.Run.Threads,
            Overrides = settings.Run with { OutputDirectory = null, Threads = null },
            Image = settings.Image,
            Volume = settings.Volume,
            SbatchArguments = settings.SbatchArguments,
            Wait = !settings.NoWait,
            Resubmit = settings.Resubmit,
            StatusOnly = settings.Status,
            Out = output,
        };
        if (settings.Emit is { } emitter)
        {
            output.Write(emitter.Emit(job));
            return ExitOk;
        }
        return settings.Executor.Run(job, CancellationToken.None);
    }

    /// <summary>report: the leaderboard of a sweep folder, printed and written as leaderboard.csv, .md and .png.</summary>
    private static int RunReport(CliSettings settings, IReadOnlyList<ExperimentSpec> experiments, string? defaultExperiment, TextWriter output, TextWriter error)
    {
        // With --out alone the folder's sweep.json says which runs there are; with -e the experiments' plan does.
        SweepPlan? plan = null;
        if (settings.Experiments is not null || settings.Run.OutputDirectory is null)
        {
            plan = Plan(settings, experiments, defaultExperiment, error);
            if (plan is null) return ExitUsage;
        }
        string folder = settings.Run.OutputDirectory ?? plan!.DefaultFolder;
        var board = Leaderboard.Read(folder, plan);
        output.Write(LeaderboardFiles.RenderTable(board));
        var files = LeaderboardFiles.Write(board);
        output.WriteLine($"wrote {string.Join(", ", files)}");
        return ExitOk;
    }

    /// <summary>Options that an episodes task has no use for: its epoch is one pass over the training records, and its source reads the data's time.</summary>
    private static readonly string[] s_notForEpisodes = { "--steps-per-epoch", "--validation-steps", "--time-order" };

    private static int RunEpisodes(ExperimentSpec spec, CliCommand command, CliSettings settings, TextWriter output, TextWriter error)
    {
        if (command == CliCommand.Generate)
            return Usage(error, $"generate writes text; {spec.SpecFile} is an episodes task (train, evaluate, baseline, summary).");
        if (s_notForEpisodes.FirstOrDefault(settings.Given.Contains) is string flag)
            return Usage(error, $"{flag} does not apply to {spec.SpecFile}, an episodes task: an epoch is one pass over the training records, and the data's time is read by its source.");
        var runner = new EpisodeExperimentRunner(spec, settings.Run, output);
        return RunCommand(command, () => output.WriteLine(spec.Summary()), () => runner.RunBaseline(), () => runner.Evaluate(), () => runner.Train());
    }

    /// <summary>Runs summary, baseline, evaluate or train of a series or episodes runner.</summary>
    private static int RunCommand(CliCommand command, Action summary, Action baseline, Action evaluate, Action train)
    {
        var run = command switch { CliCommand.Summary => summary, CliCommand.Baseline => baseline, CliCommand.Evaluate => evaluate, _ => train };
        run();
        return ExitOk;
    }

    /// <summary>What a series or text experiment refuses of the options only episodes read: --outcomes, --folds, and a folder as --data.</summary>
    private static string? UsageOutsideEpisodes(RunOptions options)
    {
        if (options.OutcomesPath is not null) return "--outcomes applies to episodes tasks only.";
        if (options.Folds is not null) return "--folds applies to episodes tasks only.";
        if (options.DataPath is { } path && Directory.Exists(path)) return $"--data: the data file '{path}' is a directory; give the path of a file.";
        return null;
    }

    private static int RunText(ExperimentSpec spec, CliCommand command, CliSettings settings, TextWriter output, TextWriter error)
    {
        var runner = new TextExperimentRunner(spec, settings.Run, output);
        switch (command)
        {
            case CliCommand.Summary:
                output.WriteLine(runner.Summary());
                return ExitOk;
            case CliCommand.Generate:
                runner.Generate(settings.Generate);
                return ExitOk;
            case CliCommand.Train:
                runner.Train();
                return ExitOk;
            default:
                return Usage(error, $"{CliNames.Of(command)} applies to series and episodes experiments; a text experiment has train, generate and summary.");
        }
    }

    private static ExperimentSpec? Choose(IReadOnlyList<ExperimentSpec> experiments, string? name, TextWriter error)
    {
        string names = string.Join(", ", experiments.Select(e => e.Name));
        if (experiments.Count == 0)
        {
            Usage(error, "this project has no valid specs (see the build's SEQ diagnostics).");
            return null;
        }
        if (name is null)
        {
            if (experiments.Count == 1) return experiments[0];
            Usage(error, $"this project has several experiments; choose one with --experiment NAME ({names}), or set <SeqDslDefaultExperiment> in the project file.");
            return null;
        }
        var match = experiments.FirstOrDefault(e => string.Equals(e.Name, name, StringComparison.OrdinalIgnoreCase)
                                                    || string.Equals(Path.GetFileNameWithoutExtension(e.SpecFile), name, StringComparison.OrdinalIgnoreCase));
        if (match is null)
            Usage(error, $"--experiment '{name}' is not an experiment of this project; choose one of: {names}.");
        return match;
    }
}
