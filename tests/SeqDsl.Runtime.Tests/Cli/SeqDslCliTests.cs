using System.Reflection;
using System.Text.RegularExpressions;
using SeqDsl.Runtime.Cli;
using SeqDsl.Runtime.Experiments;
using SeqDsl.Runtime.Tests.Text;

namespace SeqDsl.Runtime.Tests.Cli;

/// <summary>
/// The command line's grammar: where options may stand, how values are written, help per command with defaults,
/// --version, completions, and the exit code and message of each kind of mistake. Only commands that stop before a run
/// (help, summary, list, usage errors) are run here; the runners' own tests run the commands that train.
/// </summary>
public sealed class SeqDslCliTests
{
    private static readonly ExperimentSpec s_first = SmallWeatherModel.Experiment;
    private static readonly ExperimentSpec s_second = SmallWeatherModel.Experiment with { Name = "SecondWeather", SpecFile = "second_weather.yaml" };

    /// <summary>Runs the CLI over two experiments without a default, so that a command needs --experiment to run.</summary>
    private static (int Code, string Output, string Error) Cli(params string[] args) => CliWith(new[] { s_first, s_second }, null, args);

    private static (int Code, string Output, string Error) CliWith(IReadOnlyList<ExperimentSpec> experiments, string? defaultExperiment, params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int code = SeqDslCli.Run(args, experiments, defaultExperiment, output, error);
        return (code, output.ToString(), error.ToString());
    }

    [Theory]
    [InlineData("-e", "SecondWeather", "summary")]
    [InlineData("--experiment", "SecondWeather", "summary")]
    [InlineData("--experiment=SecondWeather", "summary")]
    [InlineData("-e:SecondWeather", "summary")]
    [InlineData("summary", "-e", "SecondWeather")]
    [InlineData("summary", "--experiment=SecondWeather")]
    [InlineData("summary", "-e", "second_weather")]
    public void The_experiment_option_stands_before_or_after_the_command_in_each_form(params string[] args)
    {
        var (code, output, error) = Cli(args);

        Assert.True(code == 0, error);
        Assert.Contains("Model: \"SecondWeather\" (second_weather.yaml)", output);
    }

    [Fact]
    public void Without_an_experiment_several_experiments_and_no_default_is_a_usage_error()
    {
        var (code, _, error) = Cli("summary");

        Assert.Equal(2, code);
        Assert.Contains("error: this project has several experiments; choose one with --experiment NAME (SmallWeather, SecondWeather)", error);
    }

    [Fact]
    public void Version_prints_the_project_assembly_and_the_runtime_with_their_informational_versions()
    {
        var (code, output, error) = Cli("--version");

        Assert.True(code == 0, error);
        var project = typeof(SmallWeatherModel).Assembly;
        var runtime = typeof(SeqDslCli).Assembly;
        string Informational(Assembly assembly) => assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()!.InformationalVersion;
        Assert.Equal(new[] { $"{project.GetName().Name} {Informational(project)}", $"SeqDsl {Informational(runtime)}" },
            output.TrimEnd().Split(Environment.NewLine));
    }

    /// <summary>The option rows of a help text: the first column of each line under "Options:".</summary>
    private static HashSet<string> OptionRows(string help) =>
        Regex.Matches(help, @"^\s+(?:-\S+, )*(--[a-z-]+)", RegexOptions.Multiline).Select(m => m.Groups[1].Value).ToHashSet();

    [Theory]
    [InlineData("train")]
    [InlineData("evaluate")]
    [InlineData("baseline")]
    [InlineData("summary")]
    [InlineData("generate")]
    [InlineData("list")]
    [InlineData("sweep")]
    [InlineData("report")]
    public void Each_commands_help_lists_exactly_the_options_it_reads(string command)
    {
        var (code, output, error) = Cli(command, "--help");

        Assert.True(code == 0, error);
        var meaning = Enum.Parse<CliCommand>(command, ignoreCase: true);
        var expected = CliFlags.All(new[] { s_first, s_second }, null).Where(f => f.AppliesTo(meaning)).Select(f => f.Name).Append("--help").ToHashSet();
        Assert.Equal(expected.Order(), OptionRows(output).Order());
    }

    [Fact]
    public void Generate_help_shows_its_defaults_and_no_training_options()
    {
        var (code, output, _) = CliWith(new[] { TextExperimentTests.TrainedModel.Spec }, null, "generate", "--help");

        Assert.Equal(0, code);
        string Row(string flag) => output.Split('\n').Single(line => Regex.IsMatch(line, $@"^\s+{flag}\b"));
        Assert.EndsWith("[default: 400]", Row("--length").TrimEnd());
        Assert.EndsWith("[default: 1]", Row("--temperature").TrimEnd());
        Assert.EndsWith("[default: stochastic]", Row("--sampler").TrimEnd());
        Assert.EndsWith("[default: window]", Row("--mode").TrimEnd());
        Assert.EndsWith("[default: 42]", Row("--sampling-seed").TrimEnd());
        Assert.Contains("--primetext <TEXT>", output);
        Assert.Contains("--mode <stateful|window>", output);
        // The only experiment is the default one.
        Assert.EndsWith($"[default: {TextExperimentTests.TrainedModel.Spec.Name}]", Row("-e, --experiment").TrimEnd());
        foreach (var training in new[] { "--epochs", "--seed", "--resume", "--device" })
            Assert.DoesNotContain(training, OptionRows(output));
    }

    [Fact]
    public void Train_help_shows_the_word_defaults_as_they_are_written()
    {
        var (_, output, _) = Cli("train", "--help");

        Assert.Contains("--device <auto|cpu|cuda>", output);
        Assert.Matches(@"--device <auto\|cpu\|cuda>.*\[default: auto\]", output);
        Assert.Matches(@"--time-order <as-is\|require\|sort>.*\[default: require\]", output);
    }

    [Fact]
    public void The_help_command_prints_what_help_options_print()
    {
        Assert.Equal(Cli("--help").Output, Cli("help").Output);
        Assert.Equal(Cli("-?").Output, Cli("help").Output);
        Assert.Equal(Cli("generate", "-h").Output, Cli("help", "generate").Output);
        Assert.Contains("Commands:", Cli("help").Output);
        foreach (var command in new[] { "train", "evaluate", "baseline", "summary", "generate", "list" })
            Assert.Matches($@"(?m)^\s+{command}\s", Cli("help").Output);

        var (code, _, error) = Cli("help", "fly");
        Assert.Equal(2, code);
        Assert.Contains("'fly'", error);
    }

    [Theory]
    [InlineData(new[] { "--frobnicate" }, "error: Unrecognized command or argument '--frobnicate'", "Run with --help")]
    [InlineData(new[] { "evaluate", "--frobnicate" }, "error: Unrecognized command or argument '--frobnicate'", "Run 'evaluate --help' for its options.")]
    [InlineData(new[] { "fly" }, "error: Unrecognized command or argument 'fly'", "Run with --help")]
    [InlineData(new[] { "evaluate", "--epochs", "3" }, "error: --epochs does not apply to evaluate; it applies to train and sweep", "Run 'evaluate --help'")]
    [InlineData(new[] { "--epochs", "3", "evaluate" }, "error: --epochs does not apply to evaluate; it applies to train and sweep", "Run 'evaluate --help'")]
    [InlineData(new[] { "--length", "3" }, "error: --length does not apply to train; it applies to generate", "Run with --help")]
    [InlineData(new[] { "list", "-e", "SmallWeather" }, "error: --experiment does not apply to list; it applies to train, evaluate, baseline, summary, generate, sweep and report", "Run 'list --help'")]
    [InlineData(new[] { "-e", "SmallWeather", "summary", "-e", "SecondWeather" }, "error: --experiment is given twice, before summary and after it", "Run 'summary --help'")]
    [InlineData(new[] { "train", "--epochs=0" }, "error: --epochs takes a whole number of at least 1; received '0'", "Run 'train --help'")]
    [InlineData(new[] { "train", "--threads", "-2" }, "error: --threads takes a whole number of at least 1; received '-2'", "Run 'train --help'")]
    [InlineData(new[] { "--seed", "-1" }, "error: --seed takes a whole number of at least 0; received '-1'", "Run with --help")]
    [InlineData(new[] { "baseline", "--time-order", "random" }, "error: --time-order takes require, sort or as-is; received 'random'", "Run 'baseline --help'")]
    [InlineData(new[] { "train", "--folds", "1" }, "error: --folds takes at least 2 folds; received 1", "Run 'train --help'")]
    public void A_wrong_command_line_exits_with_2_and_one_error_line_naming_the_flag_or_word(string[] args, string message, string hint)
    {
        var (code, output, error) = Cli(args);

        Assert.Equal(2, code);
        Assert.Equal("", output);
        var lines = error.TrimEnd().Split(Environment.NewLine);
        Assert.Equal(message, lines[0].TrimEnd('.'));
        Assert.All(lines[..^1], line => Assert.StartsWith("error: ", line));
        Assert.StartsWith(hint, lines[^1]);
    }

    [Fact]
    public void A_word_value_is_read_in_any_case_and_cuda_also_answers_to_gpu()
    {
        // A bad value beside them (so that nothing runs) is the only error: the words were read.
        var errors = Cli("train", "--device", "GPU", "--time-order", "As-Is", "--epochs", "x").Error
            .Split(Environment.NewLine).Where(line => line.StartsWith("error: ", StringComparison.Ordinal));
        Assert.Equal(new[] { "error: --epochs takes a whole number of at least 1; received 'x'" }, errors);
    }

    [Theory]
    [InlineData("generate", "--seed", "the philosopher ")]
    [InlineData("generate", "--seed=the philosopher ")]
    public void Seed_on_generate_points_to_primetext(params string[] args)
    {
        var (code, _, error) = CliWith(new[] { TextExperimentTests.TrainedModel.Spec }, null, args);

        Assert.Equal(2, code);
        Assert.Contains("error: --seed is the training seed and does not apply to generate (received 'the philosopher '); give the text to continue with --primetext", error);
    }

    [Fact]
    public void An_empty_primetext_is_refused()
    {
        var (code, _, error) = CliWith(new[] { TextExperimentTests.TrainedModel.Spec }, null, "generate", "--primetext", "");

        Assert.Equal(2, code);
        Assert.Contains("error: --primetext takes at least one character; received ''", error);
    }

    [Fact]
    public void A_value_that_starts_with_an_at_sign_is_a_value_not_a_response_file()
    {
        // Response files are off: "@notes" would otherwise be read as a file of arguments.
        var (code, _, error) = CliWith(new[] { TextExperimentTests.TrainedModel.Spec }, null, "generate", "--primetext", "@notes", "--checkpoint", "/no/such/best.pt");

        Assert.Equal(1, code);
        Assert.Contains("/no/such/best.pt", error);
        Assert.DoesNotContain("Response file", error);
    }

    /// <summary>Completions as a shell asks for them: the whole line, the program's name first, and the cursor position at its end.</summary>
    private static string[] Suggest(string arguments)
    {
        string line = "Weather " + arguments;
        return Cli($"[suggest:{line.Length}]", line).Output.Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries);
    }

    [Fact]
    public void The_suggest_directive_completes_commands_options_words_and_experiment_names()
    {
        Assert.Equal(new[] { "--mode" }, Suggest("generate --m"));
        Assert.Equal(new[] { "stateful", "window" }, Suggest("generate --mode "));
        Assert.Equal(new[] { "cpu", "cuda" }, Suggest("train --device c"));
        Assert.Equal(new[] { "SecondWeather" }, Suggest("-e Se"));
        Assert.Contains("generate", Suggest("gen"));
        // An option that summary does not read is not offered for it.
        Assert.DoesNotContain("--epochs", Suggest("summary --"));
        Assert.Contains("--experiment", Suggest("summary --"));
    }

    [Fact]
    public void List_needs_no_experiment_and_marks_the_default()
    {
        var (code, output, error) = CliWith(new[] { s_first, s_second }, "SecondWeather", "list");

        Assert.True(code == 0, error);
        Assert.Matches(@"(?m)^SecondWeather\s+second_weather\.yaml.*\(default\)", output);
        Assert.DoesNotMatch(@"(?m)^SmallWeather .*\(default\)", output);
    }
}
