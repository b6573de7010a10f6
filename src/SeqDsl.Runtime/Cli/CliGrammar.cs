using System;
using System.Collections.Generic;
using System.CommandLine;
using System.CommandLine.Invocation;
using System.CommandLine.Parsing;
using System.Linq;

namespace SeqDsl.Runtime.Cli;

/// <summary>
/// The command line as System.CommandLine parses it: a root command that runs train and takes every option before a
/// command, one command per <see cref="CliCommand"/>, <c>help [command]</c>, <c>--version</c> and the library's
/// <c>[suggest]</c> directive. Each command offers (in help and completions) the options it reads; any other known option
/// given to it, before the command or after it, is a parse error naming the commands that read it.
/// </summary>
internal sealed class CliGrammar
{
    private readonly IReadOnlyList<CliFlag> _flags;

    /// <param name="flags">Every option.</param>
    /// <param name="commands">The commands with their one-line descriptions, in the order help lists them.</param>
    /// <param name="description">What the root command's help says first.</param>
    /// <param name="run">Runs a command with the settings its options give; returns the exit code.</param>
    /// <param name="version">What --version prints.</param>
    public CliGrammar(IReadOnlyList<CliFlag> flags, IReadOnlyList<(CliCommand Command, string Description)> commands, string description,
                      Func<CliCommand, CliSettings, int> run, string version)
    {
        _flags = flags;
        Root = new RootCommand(description);
        // Before a command every option is read (and checked against the command that follows); the root's help lists
        // those that every experiment command reads, and each command's help lists its own.
        var beforeCommand = AddFlags(Root, reads: _ => true,
            visible: flag => commands.Where(c => c.Command != CliCommand.List).All(c => flag.AppliesTo(c.Command)));
        Root.SetAction(parse => run(CliCommand.Train, Bind(parse, CliCommand.Train, beforeCommand, null)));
        Root.Validators.Add(result =>
        {
            if (!result.Children.OfType<CommandResult>().Any()) Check(result, CliCommand.Train, beforeCommand, null);
        });
        foreach (var (meaning, text) in commands)
        {
            var command = new Command(CliNames.Of(meaning), text);
            var own = AddFlags(command, flag => flag.AppliesTo(meaning), flag => flag.AppliesTo(meaning));
            command.Validators.Add(result => Check(result, meaning, own, beforeCommand));
            command.SetAction(parse => run(meaning, Bind(parse, meaning, own, beforeCommand)));
            Root.Add(command);
        }
        Root.Add(HelpCommand(commands.Select(c => CliNames.Of(c.Command)).ToArray()));
        Root.Options.OfType<VersionOption>().Single().Action = new PrintAction(version);
    }

    /// <summary>The root command.</summary>
    public RootCommand Root { get; }

    /// <summary>Parses <paramref name="args"/>. Response files are off: a prime text or a path may start with '@'.</summary>
    public ParseResult Parse(IReadOnlyList<string> args) => Root.Parse(args, new ParserConfiguration { ResponseFileTokenReplacer = null });

    private Dictionary<CliFlag, Option> AddFlags(Command command, Func<CliFlag, bool> reads, Func<CliFlag, bool> visible)
    {
        var options = new Dictionary<CliFlag, Option>();
        foreach (var flag in _flags)
        {
            var option = flag.Create(reads(flag), visible(flag));
            command.Add(option);
            options[flag] = option;
        }
        return options;
    }

    /// <summary>Refuses an option that <paramref name="command"/> does not read, and one given both before and after it.</summary>
    private void Check(CommandResult result, CliCommand command, Dictionary<CliFlag, Option> own, Dictionary<CliFlag, Option>? beforeCommand)
    {
        foreach (var flag in _flags)
        {
            var after = Given(result, own[flag]);
            var before = beforeCommand is null ? null : Given(result, beforeCommand[flag]);
            if (after is not null && before is not null)
                result.AddError($"{flag.Name} is given twice, before {CliNames.Of(command)} and after it");
            else if ((after ?? before) is { } given && !flag.AppliesTo(command))
                result.AddError(flag.NotFor(command, given.Tokens.Count > 0 ? given.Tokens[0].Value : null));
        }
    }

    private static OptionResult? Given(SymbolResult result, Option option) => result.GetResult(option) is { Implicit: false } given ? given : null;

    private CliSettings Bind(ParseResult parse, CliCommand command, Dictionary<CliFlag, Option> own, Dictionary<CliFlag, Option>? beforeCommand)
    {
        var settings = new CliSettings();
        foreach (var flag in _flags.Where(f => f.AppliesTo(command)))
        {
            var given = Given(parse.CommandResult, own[flag]) ?? (beforeCommand is null ? null : Given(parse.CommandResult, beforeCommand[flag]));
            if (given is null) continue;
            flag.Apply(given, settings);
            settings.Given.Add(flag.Name);
        }
        return settings;
    }

    /// <summary><c>help [command]</c>: the same text as <c>--help</c> and <c>command --help</c>.</summary>
    private Command HelpCommand(string[] names)
    {
        var topic = new Argument<string?>("command") { Description = "The command to show the options of", HelpName = "command", Arity = ArgumentArity.ZeroOrOne };
        topic.AcceptOnlyFromAmong(names);
        var help = new Command("help", "Show the commands, or the options of one command") { topic };
        help.SetAction(parse =>
        {
            string? name = parse.GetValue(topic);
            return Parse(name is null ? new[] { "--help" } : new[] { name, "--help" }).Invoke(parse.InvocationConfiguration);
        });
        return help;
    }

    /// <summary>Prints a fixed text (--version's).</summary>
    private sealed class PrintAction(string text) : SynchronousCommandLineAction
    {
        public override int Invoke(ParseResult parseResult)
        {
            parseResult.InvocationConfiguration.Output.WriteLine(text);
            return 0;
        }
    }
}
