using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using SeqDsl.Runtime.Data;
using SeqDsl.Runtime.Experiments;
using SeqDsl.Runtime.Training;

namespace SeqDsl.Runtime.Cli;

/// <summary>
/// The command line of an experiment project: <c>dotnet run -- [command] [options]</c>. An example's
/// Program.cs is one line: <c>return SeqDslCli.Run(args, SeqDslExperiments.All, SeqDslExperiments.Default);</c>
/// </summary>
public static class SeqDslCli
{
    private const string Usage = """
        usage: dotnet run -- [command] [options]

        commands:
          train       train the experiment, report the baseline beside the model, write the run folder (default)
          evaluate    score a checkpoint on the validation and test splits
          baseline    report the spec's baseline (naive or seasonal naive) on the validation and test splits
          summary     print the model's layers, output shapes and parameter counts
          list        list the experiments of this project

        options:
          -e, --experiment NAME     which spec to run (default: {0})
          --epochs N                override training.epochs
          --steps-per-epoch N       override training.steps_per_epoch
          --validation-steps N      override training.validation_steps
          --data PATH               read the series from this CSV instead of the spec's source
          --out DIR                 run folder (default: runs/<model>)
          --device auto|cpu|cuda    where to train (default: auto = cuda when available, else cpu)
          --seed N                  override training.seed
          --threads N               CPU threads for libtorch
          --resume                  continue from the run folder's last checkpoint
          --checkpoint PATH         (evaluate) the checkpoint to score (default: <out>/best.pt)
          -h, --help                show this help
        """;

    private static readonly string[] s_commands = { "train", "evaluate", "baseline", "summary", "list" };

    /// <summary>Parses <paramref name="args"/>, runs the command, and returns the process exit code (0 ok, 1 failed, 2 bad usage).</summary>
    public static int Run(string[] args, IReadOnlyList<ExperimentSpec> experiments, string? defaultExperiment = null, TextWriter? output = null, TextWriter? error = null)
    {
        output ??= Console.Out;
        error ??= Console.Error;
        CliArguments parsed;
        try
        {
            parsed = CliArguments.Parse(args);
        }
        catch (UsageException e)
        {
            error.WriteLine($"error: {e.Message}");
            error.WriteLine("Run with --help for the commands and options.");
            return 2;
        }
        if (parsed.Help)
        {
            output.WriteLine(string.Format(CultureInfo.InvariantCulture, Usage, defaultExperiment ?? "the only one"));
            return 0;
        }
        if (parsed.Command == "list")
        {
            foreach (var experiment in experiments)
                output.WriteLine($"{experiment.Name,-28} {experiment.SpecFile,-32} {(experiment.Data is null ? "model only" : experiment.Data.Source.ToString())}{(experiment.Name == defaultExperiment ? "  (default)" : "")}");
            return 0;
        }

        var spec = Choose(experiments, parsed.Experiment ?? defaultExperiment, error);
        if (spec is null) return 2;
        try
        {
            var runner = new ExperimentRunner(spec, parsed.Options, output);
            switch (parsed.Command)
            {
                case "summary":
                    output.WriteLine(spec.Summary());
                    break;
                case "baseline":
                    runner.RunBaseline();
                    break;
                case "evaluate":
                    runner.Evaluate();
                    break;
                default:
                    runner.Train();
                    break;
            }
            return 0;
        }
        catch (Exception e) when (e is ExperimentException or DataFormatException or FileNotFoundException or DirectoryNotFoundException
                                     or IOException or InvalidDataException or ArgumentException or UnauthorizedAccessException)
        {
            error.WriteLine($"error: {e.Message}");
            return 1;
        }
    }

    private static ExperimentSpec? Choose(IReadOnlyList<ExperimentSpec> experiments, string? name, TextWriter error)
    {
        string names = string.Join(", ", experiments.Select(e => e.Name));
        if (experiments.Count == 0)
        {
            error.WriteLine("error: this project has no valid specs (see the build's SEQ diagnostics).");
            return null;
        }
        if (name is null)
        {
            if (experiments.Count == 1) return experiments[0];
            error.WriteLine($"error: this project has several experiments; choose one with --experiment NAME ({names}), or set <SeqDslDefaultExperiment> in the project file.");
            return null;
        }
        var match = experiments.FirstOrDefault(e => string.Equals(e.Name, name, StringComparison.OrdinalIgnoreCase)
                                                    || string.Equals(Path.GetFileNameWithoutExtension(e.SpecFile), name, StringComparison.OrdinalIgnoreCase));
        if (match is null)
            error.WriteLine($"error: --experiment '{name}' is not an experiment of this project; choose one of: {names}.");
        return match;
    }

    private sealed class UsageException : Exception
    {
        public UsageException(string message) : base(message) { }
    }

    private sealed record CliArguments(string Command, string? Experiment, RunOptions Options, bool Help)
    {
        public static CliArguments Parse(string[] args)
        {
            string command = "train";
            string? experiment = null;
            var options = new RunOptions();
            bool help = false;
            for (int i = 0; i < args.Length; i++)
            {
                string arg = args[i];
                string Value()
                {
                    if (i + 1 >= args.Length || args[i + 1].StartsWith("--", StringComparison.Ordinal))
                        throw new UsageException($"{arg} needs a value");
                    return args[++i];
                }
                int Positive()
                {
                    string value = Value();
                    if (!int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out int n) || n < 1)
                        throw new UsageException($"{arg} takes a whole number of at least 1; received '{value}'");
                    return n;
                }
                switch (arg)
                {
                    case "-h" or "--help": help = true; break;
                    case "-e" or "--experiment": experiment = Value(); break;
                    case "--epochs": options = options with { Epochs = Positive() }; break;
                    case "--steps-per-epoch": options = options with { StepsPerEpoch = Positive() }; break;
                    case "--validation-steps": options = options with { ValidationSteps = Positive() }; break;
                    case "--threads": options = options with { Threads = Positive() }; break;
                    case "--data":
                    {
                        string path = Value();
                        if (!File.Exists(path)) throw new UsageException($"--data: no file at '{path}'");
                        options = options with { DataPath = path };
                        break;
                    }
                    case "--out": options = options with { OutputDirectory = Value() }; break;
                    case "--checkpoint": options = options with { Checkpoint = Value() }; break;
                    case "--resume": options = options with { Resume = true }; break;
                    case "--seed":
                    {
                        string value = Value();
                        if (!long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out long seed))
                            throw new UsageException($"--seed takes a whole number of at least 0; received '{value}'");
                        options = options with { Seed = seed };
                        break;
                    }
                    case "--device":
                    {
                        string value = Value();
                        options = options with
                        {
                            Device = value.ToLowerInvariant() switch
                            {
                                "auto" => DeviceChoice.Auto,
                                "cpu" => DeviceChoice.Cpu,
                                "cuda" or "gpu" => DeviceChoice.Cuda,
                                _ => throw new UsageException($"--device takes auto, cpu or cuda; received '{value}'"),
                            },
                        };
                        break;
                    }
                    default:
                        if (!arg.StartsWith("-", StringComparison.Ordinal) && i == 0 && s_commands.Contains(arg))
                        {
                            command = arg;
                            break;
                        }
                        throw new UsageException(arg.StartsWith("-", StringComparison.Ordinal)
                            ? $"unknown option '{arg}'"
                            : $"unknown command '{arg}'; commands: {string.Join(", ", s_commands)}");
                }
            }
            return new CliArguments(command, experiment, options, help);
        }
    }
}
