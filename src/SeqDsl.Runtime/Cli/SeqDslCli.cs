using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using SeqDsl.Runtime.Data;
using SeqDsl.Runtime.Experiments;
using SeqDsl.Runtime.IO;
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
          generate    (text) write text from a checkpoint: --seed "text" --length N --temperature T
          list        list the experiments of this project

        options:
          -e, --experiment NAME     which spec to run (default: {0})
          --epochs N                override training.epochs
          --steps-per-epoch N       override training.steps_per_epoch
          --validation-steps N      override training.validation_steps
          --data PATH               read the series from this CSV instead of the spec's source (a regular file);
                                    episodes: the stays (archive or folder) or observations CSV; with evaluate,
                                    a whole other set scored with the run's preprocessing (external validation)
          --outcomes PATH           (episodes: train, evaluate) the outcomes or labels file of --data
          --folds K                 (episodes: train) K-fold cross-validation by record: K runs under <out>/fold-1..K, mean ± std
          --time-order POLICY       a CSV's timestamps: require (strictly increasing, default), sort, or as-is
          --out DIR                 run folder (default: runs/<model>); one training at a time holds it (run.lock)
          --device auto|cpu|cuda    where to train (default: auto = cuda when available, else cpu)
          --seed N                  override training.seed
          --threads N               CPU threads for libtorch (at most the number of cores)
          --resume                  continue from the run folder's last checkpoint
          --checkpoint PATH         (evaluate, generate) the checkpoint (default: <out>/best.pt)

        generate options (text experiments):
          --seed TEXT               the text to continue (default: a random window of the corpus)
          --length N                characters to write, streamed as they come (default 400, at most {1})
          --temperature T           softmax temperature, > 0 (default 1.0)
          --sampler KIND            greedy or stochastic (default stochastic)
          --top-k K, --top-p P      keep the K most likely characters / the smallest set reaching P
          --mode MODE               window (the lecture's: re-run the last maxlen characters) or stateful (default window)
          --sampling-seed N         seed of the sampler's random numbers (default 42): the same seed writes the same text
          -h, --help                show this help
        """;

    /// <summary>The most characters one <c>generate</c> writes.</summary>
    public const int MaxGenerateLength = 1_000_000;

    private static readonly string[] s_commands = { "train", "evaluate", "baseline", "summary", "generate", "list" };

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
            output.WriteLine(string.Format(CultureInfo.InvariantCulture, Usage, defaultExperiment ?? "the only one", MaxGenerateLength));
            return 0;
        }
        if (parsed.Command == "list")
        {
            foreach (var experiment in experiments)
                output.WriteLine($"{experiment.Name,-28} {experiment.SpecFile,-32} {(experiment.Episodes is { } episodes ? $"episodes ({episodes.Source})" : experiment.Data is null ? "model only" : experiment.Data.Source.ToString())}{(experiment.Name == defaultExperiment ? "  (default)" : "")}");
            return 0;
        }

        var spec = Choose(experiments, parsed.Experiment ?? defaultExperiment, error);
        if (spec is null) return 2;
        if (spec.Episodes is null && UsageOutsideEpisodes(parsed) is string misuse)
        {
            error.WriteLine($"error: {misuse}");
            return 2;
        }
        try
        {
            if (spec.Episodes is not null)
                return RunEpisodes(spec, parsed, output, error);
            if (spec.Text is not null)
                return RunText(spec, parsed, output, error);
            if (parsed.Command == "generate")
            {
                error.WriteLine($"error: generate writes text; {spec.SpecFile} is not a text experiment.");
                return 2;
            }
            var runner = new ExperimentRunner(spec, parsed.Options, output);
            return RunCommand(parsed.Command, () => output.WriteLine(spec.Summary()), () => runner.RunBaseline(), () => runner.Evaluate(), () => runner.Train());
        }
        catch (Exception e) when (e is ExperimentException or DataFormatException or NotSupportedException or FileNotFoundException or DirectoryNotFoundException
                                     or IOException or InvalidDataException or ArgumentException or UnauthorizedAccessException or TrainingDivergedException)
        {
            error.WriteLine($"error: {e.Message}");
            return 1;
        }
        catch (System.Runtime.InteropServices.ExternalException e)
        {
            // libtorch's own failure: its first line says what failed; its C++ frames say nothing a user can act on.
            error.WriteLine($"error: libtorch failed: {e.Message.Split('\n')[0].Trim()} (the run folder keeps the last completed epoch; --resume continues from it)");
            return 1;
        }
    }

    /// <summary>Options that an episodes task has no use for: its epoch is one pass over the training records, and it writes no text.</summary>
    private static readonly string[] s_notForEpisodes =
        { "--steps-per-epoch", "--validation-steps", "--time-order", "--length", "--temperature", "--top-k", "--top-p", "--sampler", "--mode", "--sampling-seed" };

    private static int RunEpisodes(ExperimentSpec spec, CliArguments parsed, TextWriter output, TextWriter error)
    {
        if (parsed.Command == "generate")
        {
            error.WriteLine($"error: generate writes text; {spec.SpecFile} is an episodes task (train, evaluate, baseline, summary).");
            return 2;
        }
        if (parsed.Flags.FirstOrDefault(s_notForEpisodes.Contains) is string flag)
        {
            error.WriteLine($"error: {flag} does not apply to {spec.SpecFile}, an episodes task: an epoch is one pass over the training records, and the data's time is read by its source.");
            return 2;
        }
        var runner = new EpisodeExperimentRunner(spec, parsed.Options, output);
        return RunCommand(parsed.Command, () => output.WriteLine(spec.Summary()), () => runner.RunBaseline(), () => runner.Evaluate(), () => runner.Train());
    }

    /// <summary>Runs summary, baseline, evaluate or (the default) train of a series or episodes runner.</summary>
    private static int RunCommand(string command, Action summary, Action baseline, Action evaluate, Action train)
    {
        var run = command switch { "summary" => summary, "baseline" => baseline, "evaluate" => evaluate, _ => train };
        run();
        return 0;
    }

    /// <summary>What a series or text experiment refuses of the options only episodes read: --outcomes, and a folder as --data.</summary>
    private static string? UsageOutsideEpisodes(CliArguments parsed)
    {
        if (parsed.Options.OutcomesPath is not null) return "--outcomes applies to episodes tasks only.";
        if (parsed.Options.Folds is not null) return "--folds applies to episodes tasks only.";
        if (parsed.Options.DataPath is { } path && Directory.Exists(path)) return $"--data: the data file '{path}' is a directory; give the path of a file.";
        return null;
    }

    private static int RunText(ExperimentSpec spec, CliArguments parsed, TextWriter output, TextWriter error)
    {
        var runner = new TextExperimentRunner(spec, parsed.Options, output);
        switch (parsed.Command)
        {
            case "summary":
                output.WriteLine(runner.Summary());
                return 0;
            case "generate":
                runner.Generate(parsed.Generate);
                return 0;
            case "train":
                runner.Train();
                return 0;
            default:
                error.WriteLine($"error: {parsed.Command} applies to series experiments; a text experiment has train, generate and summary.");
                return 2;
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

    // Flags: the options given, as written, so that a runner can refuse those it has no use for.
    private sealed record CliArguments(string Command, string? Experiment, RunOptions Options, bool Help, GenerateOptions Generate, IReadOnlySet<string> Flags)
    {
        public static CliArguments Parse(string[] args)
        {
            string command = args.Length > 0 && s_commands.Contains(args[0]) ? args[0] : "train";
            string? experiment = null;
            var options = new RunOptions();
            var generate = new GenerateOptions();
            bool help = false;
            var flags = new HashSet<string>(StringComparer.Ordinal);
            for (int i = 0; i < args.Length; i++)
            {
                string arg = args[i];
                if (arg.StartsWith("--", StringComparison.Ordinal)) flags.Add(arg);
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
                // The value of a flag that takes one of a few words, in any case.
                T OneOf<T>(params (string Name, T Value)[] choices)
                {
                    string value = Value();
                    foreach (var (name, choice) in choices)
                        if (string.Equals(name, value, StringComparison.OrdinalIgnoreCase))
                            return choice;
                    string names = string.Join(", ", choices[..^1].Select(c => c.Name)) + " or " + choices[^1].Name;
                    throw new UsageException($"{arg} takes {names}; received '{value}'");
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
                        if (!File.Exists(path) && !Directory.Exists(path)) throw new UsageException($"--data: no file at '{path}'");
                        // A folder of stay files is an episodes set; other experiments refuse it once the spec is known.
                        if (Directory.Exists(path))
                        {
                            options = options with { DataPath = path };
                            break;
                        }
                        try
                        {
                            InputFile.Check(path, "the data file");
                        }
                        catch (Exception e) when (e is InvalidDataException or IOException or UnauthorizedAccessException)
                        {
                            throw new UsageException($"--data: {e.Message}");
                        }
                        options = options with { DataPath = path };
                        break;
                    }
                    case "--outcomes":
                    {
                        string path = Value();
                        if (!File.Exists(path)) throw new UsageException($"--outcomes: no file at '{path}'");
                        options = options with { OutcomesPath = path };
                        break;
                    }
                    case "--folds":
                    {
                        int folds = Positive();
                        if (folds < 2) throw new UsageException($"--folds takes at least 2 folds; received {folds}");
                        options = options with { Folds = folds };
                        break;
                    }
                    case "--out": options = options with { OutputDirectory = Value() }; break;
                    case "--checkpoint": options = options with { Checkpoint = Value() }; break;
                    case "--resume": options = options with { Resume = true }; break;
                    case "--seed" when command == "generate":
                        generate = generate with { Seed = Value() };
                        break;
                    case "--length":
                    {
                        int length = Positive();
                        if (length > MaxGenerateLength)
                            throw new UsageException($"--length takes at most {MaxGenerateLength:N0} characters; received {length}");
                        generate = generate with { Length = length };
                        break;
                    }
                    case "--time-order":
                        options = options with { TimeOrder = OneOf(("require", TimeOrderPolicy.Require), ("sort", TimeOrderPolicy.Sort), ("as-is", TimeOrderPolicy.AsIs)) };
                        break;
                    case "--sampling-seed":
                        generate = generate with { RandomSeed = Positive() };
                        break;
                    case "--top-k":
                        generate = generate with { Sampling = generate.Sampling with { TopK = Positive() } };
                        break;
                    case "--temperature" or "--top-p":
                    {
                        string value = Value();
                        if (!double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out double number) || !(number > 0) || double.IsInfinity(number)
                            || (arg == "--top-p" && number > 1))
                            throw new UsageException(arg == "--top-p"
                                ? $"--top-p takes a number greater than 0 and at most 1; received '{value}'"
                                : $"--temperature takes a number greater than 0; received '{value}'");
                        generate = generate with { Sampling = arg == "--top-p" ? generate.Sampling with { TopP = number } : generate.Sampling with { Temperature = number } };
                        break;
                    }
                    case "--sampler":
                    {
                        var kind = OneOf(("greedy", SeqDsl.Runtime.Sampling.SamplerKind.Greedy), ("stochastic", SeqDsl.Runtime.Sampling.SamplerKind.Stochastic));
                        generate = generate with { Sampling = generate.Sampling with { Kind = kind } };
                        break;
                    }
                    case "--mode":
                        generate = generate with
                        {
                            Mode = OneOf(("window", SeqDsl.Runtime.Generation.GenerationMode.Window), ("stateful", SeqDsl.Runtime.Generation.GenerationMode.Stateful)),
                        };
                        break;
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
                            break;
                        throw new UsageException(arg.StartsWith("-", StringComparison.Ordinal)
                            ? $"unknown option '{arg}'"
                            : $"unknown command '{arg}'; commands: {string.Join(", ", s_commands)}");
                }
            }
            return new CliArguments(command, experiment, options, help, generate, flags);
        }
    }
}
