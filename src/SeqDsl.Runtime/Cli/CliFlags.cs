using System;
using System.Collections.Generic;
using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using System.IO;
using System.Linq;
using SeqDsl.Runtime.Data;
using SeqDsl.Runtime.Experiments;
using SeqDsl.Runtime.Generation;
using SeqDsl.Runtime.IO;
using SeqDsl.Runtime.Sampling;
using SeqDsl.Runtime.Sweeps;

namespace SeqDsl.Runtime.Cli;

/// <summary>The commands of an experiment project's command line.</summary>
internal enum CliCommand
{
    Train,
    Evaluate,
    Baseline,
    Summary,
    Generate,
    List,
    Sweep,
    Report,
}

/// <summary>What the options given set: the experiment's name, the run's overrides and generate's settings.</summary>
internal sealed class CliSettings
{
    /// <summary>The experiments named (--experiment, once or, for sweeps, several times); null when none was.</summary>
    public IReadOnlyList<string>? Experiments { get; set; }
    public RunOptions Run { get; set; } = new();
    public GenerateOptions Generate { get; set; } = new();
    /// <summary>train --run: the index of the sweep's run to train.</summary>
    public int? RunIndex { get; set; }
    /// <summary>sweep: runs at a time.</summary>
    public int? Parallel { get; set; }
    /// <summary>sweep: where the runs run.</summary>
    public ISweepExecutor Executor { get; set; } = SweepBackends.Executors[0];
    /// <summary>sweep --emit: what to print instead of running.</summary>
    public ISweepEmitter? Emit { get; set; }
    /// <summary>sweep --emit: the container image and the volume claim.</summary>
    public string? Image { get; set; }
    public string? Volume { get; set; }
    /// <summary>sweep --executor slurm: the user's sbatch options, --no-wait, --resubmit and --status.</summary>
    public IReadOnlyList<string> SbatchArguments { get; set; } = Array.Empty<string>();
    public bool NoWait { get; set; }
    public bool Resubmit { get; set; }
    public bool Status { get; set; }
    /// <summary>The options given (by their names), so that a runner can refuse those it has no use for.</summary>
    public HashSet<string> Given { get; } = new(StringComparer.Ordinal);
}

/// <summary>A value that is one of a few words: help and completions show the word, the run gets the value.</summary>
internal sealed record Word<T>(string Text, T Value)
{
    public override string ToString() => Text;
}

/// <summary>
/// One option of the command line: its names, its value, the commands that read it and what it sets. System.CommandLine's
/// options belong to one command, so every command gets its own instance (<see cref="Create"/>); a command that does not
/// read the option gets a hidden one that takes any value, so that giving it there is one message naming the commands
/// that do, whether it stands before the command or after it.
/// </summary>
internal abstract class CliFlag
{
    protected CliFlag(string name, string description, CliCommand[] commands, string[]? aliases)
    {
        Name = name;
        Description = description;
        Commands = commands;
        Aliases = aliases ?? Array.Empty<string>();
    }

    public string Name { get; }
    public IReadOnlyList<string> Aliases { get; }
    public string Description { get; }
    public IReadOnlyList<CliCommand> Commands { get; }

    /// <summary>Set for a flag that is a switch (takes no value).</summary>
    public abstract bool IsSwitch { get; }

    public bool AppliesTo(CliCommand command) => Commands.Contains(command);

    /// <summary>A message of this option's own for a command that does not read it (the command, the value given); null: the usual one.</summary>
    public Func<CliCommand, string?, string?>? Refusal { get; init; }

    /// <summary>The message for this option given to a command that does not read it; <paramref name="value"/>: the value given with it.</summary>
    public string NotFor(CliCommand command, string? value) =>
        Refusal?.Invoke(command, value) ?? $"{Name} does not apply to {CliNames.Of(command)}; it applies to {CliNames.List(Commands)}";

    /// <summary>This option's instance for one command: typed, validated and shown in help when the command reads it.</summary>
    public Option Create(bool reads, bool visible)
    {
        if (reads) return CreateTyped(visible);
        Option stray = IsSwitch ? new Option<bool>(Name, Aliases.ToArray()) : new Option<string>(Name, Aliases.ToArray());
        stray.Hidden = true;
        return stray;
    }

    protected abstract Option CreateTyped(bool visible);

    /// <summary>Sets what this option sets, from its result on the command line.</summary>
    public abstract void Apply(OptionResult given, CliSettings settings);
}

/// <summary>An option whose value is a <typeparamref name="T"/>.</summary>
internal sealed class CliFlag<T> : CliFlag
{
    public CliFlag(string name, string description, CliCommand[] commands, Action<CliSettings, T> set, string[]? aliases = null)
        : base(name, description, commands, aliases)
    {
        Set = set;
    }

    private Action<CliSettings, T> Set { get; }

    /// <summary>Reads the value (adding an error that names the flag and the value received); null: the token as given.</summary>
    public Func<ArgumentResult, T>? Parse { get; init; }

    /// <summary>The default that help shows, taken from where the runtime declares it; null: the description says.</summary>
    public Func<T>? Default { get; init; }

    /// <summary>The placeholder of the value in help.</summary>
    public string? HelpName { get; init; }

    /// <summary>Words to complete the value with.</summary>
    public Func<IEnumerable<string>>? Completions { get; init; }

    public override bool IsSwitch => typeof(T) == typeof(bool);

    protected override Option CreateTyped(bool visible)
    {
        var option = new Option<T>(Name, Aliases.ToArray()) { Description = Description, HelpName = HelpName, Hidden = !visible };
        if (Parse is not null) option.CustomParser = Parse;
        if (Default is not null)
        {
            var value = Default;
            option.DefaultValueFactory = _ => value();
        }
        if (Completions is not null)
        {
            var words = Completions;
            option.CompletionSources.Add(_ => words());
        }
        return option;
    }

    public override void Apply(OptionResult given, CliSettings settings) => Set(settings, given.GetValueOrDefault<T>());
}

/// <summary>How commands and lists of them are named in messages.</summary>
internal static class CliNames
{
    public static string Of(CliCommand command) => command.ToString().ToLowerInvariant();

    public static string List(IEnumerable<CliCommand> commands) => Join(commands.Select(Of).ToArray(), "and");

    /// <summary>"a", "a or b", "a, b or c".</summary>
    public static string Join(IReadOnlyList<string> words, string conjunction) =>
        words.Count == 1 ? words[0] : string.Join(", ", words.Take(words.Count - 1)) + $" {conjunction} " + words[^1];
}

/// <summary>The readers of option values: each error names the flag and the value received.</summary>
internal static class CliValues
{
    private static string Flag(ArgumentResult result) => result.Parent is OptionResult option ? option.Option.Name : result.Argument.Name;

    private static string Token(ArgumentResult result) => result.Tokens.Count > 0 ? result.Tokens[0].Value : "";

    /// <summary>A whole number of at least <paramref name="minimum"/> (and at most <paramref name="maximum"/>).</summary>
    public static Func<ArgumentResult, int> WholeNumber(int minimum = 1, int maximum = int.MaxValue, string? unit = null) => result =>
    {
        string value = Token(result);
        if (!int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out int n) || n < Math.Min(1, minimum))
        {
            result.AddError($"{Flag(result)} takes a whole number of at least {minimum}; received '{value}'");
            return 0;
        }
        if (n < minimum) result.AddError($"{Flag(result)} takes at least {minimum} {unit}; received {n}");
        if (n > maximum) result.AddError($"{Flag(result)} takes at most {maximum.ToString("N0", CultureInfo.InvariantCulture)} {unit}; received {n}");
        return n;
    };

    /// <summary>A training seed: a whole number of at least 0.</summary>
    public static long Seed(ArgumentResult result)
    {
        string value = Token(result);
        if (long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out long seed)) return seed;
        result.AddError($"{Flag(result)} takes a whole number of at least 0; received '{value}'");
        return 0;
    }

    /// <summary>A finite number greater than 0 (and at most <paramref name="maximum"/>).</summary>
    public static Func<ArgumentResult, double> Positive(double? maximum = null) => result =>
    {
        string value = Token(result);
        if (double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out double number) && number > 0 && !double.IsInfinity(number)
            && !(number > maximum))
            return number;
        result.AddError(maximum is double max
            ? $"{Flag(result)} takes a number greater than 0 and at most {max.ToString(CultureInfo.InvariantCulture)}; received '{value}'"
            : $"{Flag(result)} takes a number greater than 0; received '{value}'");
        return 0;
    };

    /// <summary>Each of an option's values (given once or several times), each at least one character.</summary>
    public static string[] Texts(ArgumentResult result)
    {
        var values = result.Tokens.Select(t => t.Value).ToArray();
        if (values.Any(v => v.Length == 0)) result.AddError($"{Flag(result)} takes at least one character; received ''");
        return values;
    }

    /// <summary>Some text, at least one character of it.</summary>
    public static string Text(ArgumentResult result)
    {
        string value = Token(result);
        if (value.Length == 0) result.AddError($"{Flag(result)} takes at least one character; received ''");
        return value;
    }

    /// <summary>One of a few words, in any case; <paramref name="synonyms"/> are accepted but not offered.</summary>
    public static Func<ArgumentResult, Word<T>> OneOf<T>(IReadOnlyList<Word<T>> words, IReadOnlyList<Word<T>>? synonyms = null) => result =>
    {
        string value = Token(result);
        var match = words.Concat(synonyms ?? Array.Empty<Word<T>>()).FirstOrDefault(w => string.Equals(w.Text, value, StringComparison.OrdinalIgnoreCase));
        if (match is not null) return words.First(w => EqualityComparer<T>.Default.Equals(w.Value, match.Value));
        result.AddError($"{Flag(result)} takes {CliNames.Join(words.Select(w => w.Text).ToArray(), "or")}; received '{value}'");
        return words[0];
    };

    /// <summary>
    /// A data file: a regular file with data (<see cref="InputFile.Check"/>), or a folder, which only an episodes set can be
    /// (other experiments refuse it once the spec is known).
    /// </summary>
    public static string DataPath(ArgumentResult result)
    {
        string path = Token(result);
        if (Directory.Exists(path)) return path;
        if (!File.Exists(path))
        {
            result.AddError($"{Flag(result)}: no file at '{path}'");
            return path;
        }
        try
        {
            InputFile.Check(path, "the data file");
        }
        catch (Exception e) when (e is InvalidDataException or IOException or UnauthorizedAccessException)
        {
            result.AddError($"{Flag(result)}: {e.Message}");
        }
        return path;
    }

    /// <summary>A file that exists.</summary>
    public static string ExistingFile(ArgumentResult result)
    {
        string path = Token(result);
        if (!File.Exists(path)) result.AddError($"{Flag(result)}: no file at '{path}'");
        return path;
    }
}

/// <summary>The options of the command line, each declared once with the commands that read it.</summary>
internal static class CliFlags
{
    private static readonly CliCommand[] s_runs = { CliCommand.Train, CliCommand.Evaluate, CliCommand.Baseline };
    private static readonly CliCommand[] s_train = { CliCommand.Train };
    /// <summary>What a sweep passes on to each run's train, so both read it.</summary>
    private static readonly CliCommand[] s_trainAndSweep = { CliCommand.Train, CliCommand.Sweep };
    private static readonly CliCommand[] s_runsAndSweep = { CliCommand.Train, CliCommand.Evaluate, CliCommand.Baseline, CliCommand.Sweep };
    private static readonly CliCommand[] s_sweep = { CliCommand.Sweep };
    private static readonly CliCommand[] s_generate = { CliCommand.Generate };

    /// <summary>The words of --device.</summary>
    public static readonly Word<DeviceChoice>[] Devices = { new("auto", DeviceChoice.Auto), new("cpu", DeviceChoice.Cpu), new("cuda", DeviceChoice.Cuda) };
    private static readonly Word<DeviceChoice>[] s_deviceSynonyms = { new("gpu", DeviceChoice.Cuda) };
    private static readonly Word<TimeOrderPolicy>[] s_timeOrders = { new("require", TimeOrderPolicy.Require), new("sort", TimeOrderPolicy.Sort), new("as-is", TimeOrderPolicy.AsIs) };
    private static readonly Word<SamplerKind>[] s_samplers = { new("greedy", SamplerKind.Greedy), new("stochastic", SamplerKind.Stochastic) };
    private static readonly Word<GenerationMode>[] s_modes = { new("window", GenerationMode.Window), new("stateful", GenerationMode.Stateful) };
    private static readonly Word<ISweepExecutor>[] s_executors = SweepBackends.Executors.Select(e => new Word<ISweepExecutor>(e.Name, e)).ToArray();
    private static readonly Word<ISweepEmitter>[] s_emitters = SweepBackends.Emitters.Select(e => new Word<ISweepEmitter>(e.Name, e)).ToArray();

    private static Word<T> WordOf<T>(IReadOnlyList<Word<T>> words, T value) => words.First(w => EqualityComparer<T>.Default.Equals(w.Value, value));

    private static CliFlag<Word<T>> Words<T>(string name, string description, CliCommand[] commands, Word<T>[] words, Func<T> defaultValue,
                                            Action<CliSettings, T> set, Word<T>[]? synonyms = null) =>
        new(name, description, commands, (s, word) => set(s, word.Value))
        {
            Parse = CliValues.OneOf(words, synonyms),
            Default = () => WordOf(words, defaultValue()),
            Completions = () => words.Select(w => w.Text),
        };

    private static CliFlag<int> Count(string name, string description, CliCommand[] commands, Action<CliSettings, int> set, string helpName = "N") =>
        new(name, description, commands, set) { Parse = CliValues.WholeNumber(), HelpName = helpName };

    /// <summary>
    /// Every option in the order help lists them. <paramref name="experiments"/> and <paramref name="defaultExperiment"/>
    /// give --experiment its default and completions.
    /// </summary>
    public static IReadOnlyList<CliFlag> All(IReadOnlyList<ExperimentSpec> experiments, string? defaultExperiment)
    {
        string? experimentDefault = defaultExperiment ?? (experiments.Count == 1 ? experiments[0].Name : null);
        return new CliFlag[]
        {
            new CliFlag<string[]>("--experiment",
                "Which spec to run: its model name or spec file name ('list' shows them); sweep, report and train --run take several " +
                "(-e A -e B: a sweep of one run per experiment)",
                new[] { CliCommand.Train, CliCommand.Evaluate, CliCommand.Baseline, CliCommand.Summary, CliCommand.Generate, CliCommand.Sweep, CliCommand.Report },
                (s, names) => s.Experiments = names, aliases: new[] { "-e" })
            {
                Parse = CliValues.Texts,
                HelpName = "NAME",
                Default = experimentDefault is null ? null : () => new[] { experimentDefault },
                Completions = () => experiments.Select(e => e.Name),
            },
            Count("--epochs", "Override training.epochs", s_trainAndSweep, (s, n) => s.Run = s.Run with { Epochs = n }),
            Count("--steps-per-epoch", "Override training.steps_per_epoch (series and text)", s_trainAndSweep,
                (s, n) => s.Run = s.Run with { StepsPerEpoch = n }),
            Count("--validation-steps", "Override training.validation_steps (series and text)", s_runsAndSweep,
                (s, n) => s.Run = s.Run with { ValidationSteps = n }),
            new CliFlag<string>("--data",
                "Read the data from this file instead of the spec's source: a series CSV, a text corpus, or an episodes set's stays " +
                "(archive or folder) or observations CSV; with evaluate on episodes, a whole other set scored with the run's " +
                "preprocessing (external validation)",
                new[] { CliCommand.Train, CliCommand.Evaluate, CliCommand.Baseline, CliCommand.Summary, CliCommand.Generate, CliCommand.Sweep },
                (s, path) => s.Run = s.Run with { DataPath = path })
            { Parse = CliValues.DataPath, HelpName = "PATH" },
            new CliFlag<string>("--outcomes", "(episodes) The outcomes or labels file of --data", s_runsAndSweep,
                (s, path) => s.Run = s.Run with { OutcomesPath = path })
            { Parse = CliValues.ExistingFile, HelpName = "PATH" },
            new CliFlag<int>("--folds", "(episodes) K-fold cross-validation by record: K runs under <out>/fold-1..K, then mean ± std", s_train,
                (s, k) => s.Run = s.Run with { Folds = k })
            { Parse = CliValues.WholeNumber(minimum: 2, unit: "folds"), HelpName = "K" },
            Words("--time-order", "How a CSV's timestamps must be ordered: require (strictly increasing), sort, or as-is (unchecked)",
                s_runsAndSweep, s_timeOrders, () => new RunOptions().TimeOrder, (s, policy) => s.Run = s.Run with { TimeOrder = policy }),
            new CliFlag<string>("--out",
                "The run folder (default: runs/<model>); one training at a time holds it (run.lock). For sweep, report and train --run: " +
                $"the sweep folder (default: runs/<model>{SweepPlan.FolderSuffix}), whose run I is <out>/<I:000>",
                new[] { CliCommand.Train, CliCommand.Evaluate, CliCommand.Generate, CliCommand.Sweep, CliCommand.Report },
                (s, folder) => s.Run = s.Run with { OutputDirectory = folder })
            { Parse = CliValues.Text, HelpName = "DIR" },
            Words("--device", "Where tensors live: auto is cuda when available, else cpu", s_runsAndSweep, Devices, () => new RunOptions().Device,
                (s, device) => s.Run = s.Run with { Device = device }, s_deviceSynonyms),
            new CliFlag<long>("--seed", "The training seed: overrides training.seed", s_train, (s, seed) => s.Run = s.Run with { Seed = seed })
            {
                Parse = CliValues.Seed,
                HelpName = "N",
                // generate trains nothing; char-rnn's name for its text is primetext, and a text given here was meant as one.
                Refusal = (command, value) => command == CliCommand.Generate
                    ? $"--seed is the training seed and does not apply to generate (received '{value}'); give the text to continue with --primetext"
                    : null,
            },
            Count("--threads", "CPU threads for libtorch (more than the machine's cores is capped, with a note); for sweep, per run " +
                $"(local: default max(1, cores / --parallel); slurm: also each task's --cpus-per-task, default {SlurmSweepExecutor.DefaultThreads})",
                new[] { CliCommand.Train, CliCommand.Evaluate, CliCommand.Baseline, CliCommand.Generate, CliCommand.Sweep }, (s, n) => s.Run = s.Run with { Threads = n }),
            new CliFlag<int>("--run", "Train run I of the experiment's sweep in <sweep folder>/<I:000>: resumes from its last.pt, returns at once when it is finished",
                s_train, (s, index) => s.RunIndex = index)
            { Parse = CliValues.WholeNumber(minimum: 0), HelpName = "I" },
            Count("--parallel", "Runs at a time (local: default 1; k8s: the Job's parallelism, default every run; slurm: the array's %N limit, default none)",
                s_sweep, (s, n) => s.Parallel = n),
            new CliFlag<Word<ISweepExecutor>>("--executor", "Where the runs run: " + string.Join("; ", SweepBackends.Executors.Select(e => $"{e.Name}: {e.Description}")),
                s_sweep, (s, word) => s.Executor = word.Value)
            {
                Parse = CliValues.OneOf(s_executors),
                Default = () => s_executors[0],
                Completions = () => s_executors.Select(w => w.Text),
            },
            new CliFlag<Word<ISweepEmitter>>("--emit", "Print instead of running: " + string.Join("; ", SweepBackends.Emitters.Select(e => $"{e.Name}: {e.Description}")),
                s_sweep, (s, word) => s.Emit = word.Value)
            {
                Parse = CliValues.OneOf(s_emitters),
                Completions = () => s_emitters.Select(w => w.Text),
            },
            new CliFlag<string>("--image", "(sweep --emit k8s) The container image with the published program (default: <program>:latest)", s_sweep,
                (s, image) => s.Image = image)
            { Parse = CliValues.Text, HelpName = "IMAGE" },
            new CliFlag<string>("--volume", $"(sweep --emit k8s) The PersistentVolumeClaim that holds the sweep folder (default: {KubernetesJob.DefaultVolume})", s_sweep,
                (s, claim) => s.Volume = claim)
            { Parse = CliValues.Text, HelpName = "CLAIM" },
            new CliFlag<string[]>("--sbatch-arg",
                "(sweep --executor/--emit slurm) One sbatch option for the script, as given, e.g. --sbatch-arg=--partition=gpu; repeat it for more " +
                "(--sbatch-arg=-A --sbatch-arg=proj)", s_sweep, (s, arguments) => s.SbatchArguments = arguments)
            { Parse = CliValues.Texts, HelpName = "ARG" },
            new CliFlag<bool>("--no-wait", "(sweep --executor slurm) Submit and return, without following the tasks", s_sweep,
                (s, on) => s.NoWait = on),
            new CliFlag<bool>("--resubmit", "(sweep --executor slurm) Submit again only the runs whose task failed, was cancelled or preempted; each resumes from its last.pt",
                s_sweep, (s, on) => s.Resubmit = on),
            new CliFlag<bool>("--status", "(sweep --executor slurm) Show each run's Slurm task and run folder, submit nothing; exit 0 when every run is finished",
                s_sweep, (s, on) => s.Status = on),
            new CliFlag<bool>("--resume", "Continue from the run folder's last checkpoint (last.pt)", s_train,
                (s, resume) => s.Run = s.Run with { Resume = resume }),
            new CliFlag<string>("--checkpoint", "The checkpoint to load (default: <out>/best.pt)", new[] { CliCommand.Evaluate, CliCommand.Generate },
                (s, path) => s.Run = s.Run with { Checkpoint = path })
            { Parse = CliValues.Text, HelpName = "PATH" },
            new CliFlag<string>("--primetext", "The text to continue (default: a random window of the corpus)", s_generate,
                (s, text) => s.Generate = s.Generate with { PrimeText = text })
            { Parse = CliValues.Text, HelpName = "TEXT" },
            new CliFlag<int>("--length", $"Characters to write, streamed as they come (at most {SeqDslCli.MaxGenerateLength.ToString("N0", CultureInfo.InvariantCulture)})",
                s_generate, (s, n) => s.Generate = s.Generate with { Length = n })
            {
                Parse = CliValues.WholeNumber(maximum: SeqDslCli.MaxGenerateLength, unit: "characters"),
                Default = () => new GenerateOptions().Length,
                HelpName = "N",
            },
            new CliFlag<double>("--temperature", "Softmax temperature, greater than 0: below 1 sharper, above 1 flatter", s_generate,
                (s, t) => s.Generate = s.Generate with { Sampling = s.Generate.Sampling with { Temperature = t } })
            { Parse = CliValues.Positive(), Default = () => new SamplingOptions().Temperature, HelpName = "T" },
            Words("--sampler", "Greedy (the most likely character) or stochastic (a random draw)", s_generate, s_samplers,
                () => new SamplingOptions().Kind, (s, kind) => s.Generate = s.Generate with { Sampling = s.Generate.Sampling with { Kind = kind } }),
            new CliFlag<int>("--top-k", "Draw only from the K most likely characters", s_generate,
                (s, k) => s.Generate = s.Generate with { Sampling = s.Generate.Sampling with { TopK = k } })
            { Parse = CliValues.WholeNumber(), HelpName = "K" },
            new CliFlag<double>("--top-p", "Draw only from the smallest set of most likely characters whose probability reaches P", s_generate,
                (s, p) => s.Generate = s.Generate with { Sampling = s.Generate.Sampling with { TopP = p } })
            { Parse = CliValues.Positive(maximum: 1), HelpName = "P" },
            Words("--mode", "Window (the lecture's: re-run the last maxlen characters for each new one) or stateful (carry the recurrent state)",
                s_generate, s_modes, () => new GenerateOptions().Mode, (s, mode) => s.Generate = s.Generate with { Mode = mode }),
            new CliFlag<int>("--sampling-seed", "Seed of the sampler's random numbers: the same seed writes the same text", s_generate,
                (s, n) => s.Generate = s.Generate with { RandomSeed = n })
            { Parse = CliValues.WholeNumber(), Default = () => new GenerateOptions().RandomSeed, HelpName = "N" },
        };
    }
}
