using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Security.Cryptography;
using System.Text;
using SeqDsl.Runtime.Experiments;
using SeqDsl.Runtime.IO;

namespace SeqDsl.Runtime.Sweeps;

/// <summary>
/// What one array task runs: <paramref name="Program"/> with <paramref name="Arguments"/> in
/// <paramref name="WorkingDirectory"/>. Any of them may contain <see cref="IndexPlaceholder"/>, which the script
/// replaces with the task's index (<c>$SLURM_ARRAY_TASK_ID</c>), e.g. <c>["train", "-e", "M", "--run", "{index}"]</c>.
/// </summary>
public sealed record SlurmTaskCommand(string WorkingDirectory, string Program, IReadOnlyList<string> Arguments)
{
    /// <summary>Stands for the array task's index in the working directory, the program and the arguments.</summary>
    public const string IndexPlaceholder = "{index}";
}

/// <summary>A job array for some runs of a sweep.</summary>
/// <param name="SweepFolder">The sweep folder; run <c>i</c>'s folder is <see cref="SweepPlan.RunFolder"/> (<c>&lt;SweepFolder&gt;/&lt;i:000&gt;</c>).</param>
/// <param name="Indices">The run indices to submit, one array task each.</param>
/// <param name="Command">What each task runs.</param>
/// <param name="CpusPerTask">Slurm's <c>--cpus-per-task</c>.</param>
/// <param name="ExtraSbatchArguments">
/// The user's own sbatch options (<c>--partition=gpu</c>, <c>--time=02:00:00</c>, <c>-A</c> <c>proj</c>, …), each
/// written into the script as given: an argument that starts with '-' begins an <c>#SBATCH</c> line, one that does not
/// is the value of the option before it.
/// </param>
/// <param name="JobName">Slurm's <c>--job-name</c>; null: <c>seqdsl-&lt;sweep folder's name&gt;</c>.</param>
/// <param name="MaxRunning">How many of the array's tasks may run at once (<c>--array=0-9%2</c>); null: as many as the cluster allows.</param>
public sealed record SlurmJobRequest(
    string SweepFolder,
    IReadOnlyList<int> Indices,
    SlurmTaskCommand Command,
    int CpusPerTask = 1,
    IReadOnlyList<string>? ExtraSbatchArguments = null,
    string? JobName = null,
    int? MaxRunning = null);

/// <summary>
/// Writes the sbatch script of a sweep (<c>&lt;sweep folder&gt;/sweep.sbatch</c>): one array task per run index, each
/// running the task command in its own run folder, requeue-safe, with its Slurm output appended to
/// <c>&lt;run folder&gt;/slurm.out</c>.
/// </summary>
public static class SlurmScript
{
    /// <summary>The script's file name in the sweep folder.</summary>
    public const string FileName = "sweep.sbatch";

    /// <summary>Each task's Slurm output (its stdout and stderr, every attempt appended) in its run folder.</summary>
    public const string OutputFileName = "slurm.out";

    /// <summary>The shell expression of the task's index.</summary>
    private const string TaskIdVariable = "\"${SLURM_ARRAY_TASK_ID}\"";

    /// <summary>Options the script sets itself; another value for them would break the index ↔ run folder mapping or requeue-safety.</summary>
    private static readonly string[] ReservedOptions =
        ["-a", "--array", "-o", "--output", "--open-mode", "--requeue", "--no-requeue", "-c", "--cpus-per-task", "--wrap", "--parsable"];

    /// <summary>The script's text for <paramref name="request"/>.</summary>
    /// <exception cref="ExperimentException">Something in the request cannot go into a script; the message names it.</exception>
    public static string Render(SlurmJobRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        string sweepFolder = CheckSweepFolder(request.SweepFolder);
        if (request.Indices.Count == 0) throw new ExperimentException("A Slurm submission needs at least one run index.");
        if (request.Indices.FirstOrDefault(i => i < 0) is var negative and < 0)
            throw new ExperimentException($"Run index {negative} is negative; run indices start at 0.");
        if (request.CpusPerTask < 1)
            throw new ExperimentException($"--cpus-per-task must be at least 1 (got {request.CpusPerTask}).");
        if (request.MaxRunning < 1)
            throw new ExperimentException($"The array's limit of tasks running at once must be at least 1 (got {request.MaxRunning}).");
        var command = request.Command;
        CheckText(command.WorkingDirectory, "the task's working directory");
        CheckText(command.Program, "the task's program");
        foreach (string argument in command.Arguments) CheckText(argument, "a task argument");
        if (string.IsNullOrWhiteSpace(command.Program)) throw new ExperimentException("The task's program is empty.");
        if (string.IsNullOrWhiteSpace(command.WorkingDirectory)) throw new ExperimentException("The task's working directory is empty.");

        var script = new StringBuilder();
        script.Append("#!/bin/bash\n");
        script.Append("# SeqDsl sweep: one array task per run index; task i runs in <sweep folder>/<i:000>. Written by SeqDsl;\n");
        script.Append("# a resubmission rewrites it. sbatch reads the #SBATCH lines up to the first command.\n");
        script.Append("#SBATCH --job-name=").Append(SbatchWord(request.JobName ?? DefaultJobName(sweepFolder))).Append('\n');
        script.Append("#SBATCH --array=").Append(SlurmArray.Compress(request.Indices));
        if (request.MaxRunning is int most) script.Append('%').Append(most.ToString(CultureInfo.InvariantCulture));
        script.Append('\n');
        script.Append("#SBATCH --requeue\n");
        script.Append("#SBATCH --cpus-per-task=").Append(request.CpusPerTask.ToString(CultureInfo.InvariantCulture)).Append('\n');
        // %3a: the array index zero-padded to three digits, which is the run folder's name (SweepPlan.RunFolderName);
        // '%' in the folder itself is doubled so Slurm does not read it as a pattern.
        string indexPattern = "%" + SweepPlan.RunFolderDigits.ToString(CultureInfo.InvariantCulture) + "a";
        string output = Path.Combine(sweepFolder.Replace("%", "%%", StringComparison.Ordinal), indexPattern, OutputFileName);
        script.Append("#SBATCH --output=").Append(SbatchWord(output)).Append('\n');
        script.Append("#SBATCH --open-mode=append\n");
        foreach (string line in ExtraDirectives(request.ExtraSbatchArguments ?? [])) script.Append("#SBATCH ").Append(line).Append('\n');
        script.Append('\n');
        script.Append("# Requeue-safe: Slurm starts a preempted or requeued task again from the top (appending to its slurm.out);\n");
        script.Append("# the command resumes from the checkpoint in its run folder, or exits at once when the run has finished.\n");
        script.Append("echo \"[$(date -u +%Y-%m-%dT%H:%M:%SZ)] job ${SLURM_ARRAY_JOB_ID}_${SLURM_ARRAY_TASK_ID} on $(hostname), restart ${SLURM_RESTART_COUNT:-0}\"\n");
        script.Append("cd -- ").Append(ShellWord(command.WorkingDirectory)).Append(" || exit 1\n");
        script.Append("exec ").Append(ShellWord(command.Program));
        foreach (string argument in command.Arguments) script.Append(' ').Append(ShellWord(argument));
        script.Append('\n');
        return script.ToString();
    }

    /// <summary>
    /// Writes the script of <paramref name="request"/> to <c>&lt;sweep folder&gt;/sweep.sbatch</c> (atomically) and creates
    /// the run folders of its indices, since Slurm opens each task's output file there and does not create folders.
    /// </summary>
    /// <returns>The script's full path and text.</returns>
    /// <exception cref="ExperimentException">The request cannot go into a script.</exception>
    public static (string Path, string Text) Write(SlurmJobRequest request)
    {
        string text = Render(request);
        string sweepFolder = Path.GetFullPath(request.SweepFolder);
        foreach (int index in request.Indices) Directory.CreateDirectory(SweepPlan.RunFolder(sweepFolder, index));
        string path = Path.Combine(sweepFolder, FileName);
        AtomicFile.WriteText(path, text);
        return (path, text);
    }

    /// <summary>SHA-256 of the script's text (UTF-8), lowercase hex: which script a recorded job ran.</summary>
    public static string Hash(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));

    /// <summary>
    /// <paramref name="text"/> as one bash word: single-quoted, with each <see cref="SlurmTaskCommand.IndexPlaceholder"/>
    /// replaced by the task's index (<c>"${SLURM_ARRAY_TASK_ID}"</c>). Nothing inside single quotes is expanded.
    /// </summary>
    public static string ShellWord(string text)
    {
        var parts = text.Split(SlurmTaskCommand.IndexPlaceholder);
        var word = new StringBuilder();
        for (int i = 0; i < parts.Length; i++)
        {
            if (i > 0) word.Append(TaskIdVariable);
            if (parts[i].Length > 0 || parts.Length == 1) word.Append(SingleQuoted(parts[i]));
        }
        return word.ToString();
    }

    /// <summary>
    /// <paramref name="text"/> as one argument of an <c>#SBATCH</c> line. sbatch splits those lines at whitespace and
    /// ends them at an unquoted '#'; inside double quotes only '\' and '"' need a backslash (its parser, 22.05). Plain
    /// text stays as it is.
    /// </summary>
    public static string SbatchWord(string text)
    {
        if (text.Length > 0 && !text.Any(c => char.IsWhiteSpace(c) || c is '"' or '\'' or '\\' or '#')) return text;
        return "\"" + text.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";
    }

    /// <summary><paramref name="text"/> in single quotes, each quote written as <c>'\''</c>.</summary>
    internal static string SingleQuoted(string text) => "'" + text.Replace("'", "'\\''", StringComparison.Ordinal) + "'";

    /// <summary>The user's sbatch arguments as <c>#SBATCH</c> lines: an option and the values that follow it.</summary>
    private static IEnumerable<string> ExtraDirectives(IReadOnlyList<string> arguments)
    {
        var line = new StringBuilder();
        foreach (string argument in arguments)
        {
            string what = $"sbatch argument '{argument}'";
            if (argument.Length == 0) throw new ExperimentException("An sbatch argument is empty.");
            if (argument.Any(char.IsControl))
                throw new ExperimentException($"The {what.Replace("\n", "\\n", StringComparison.Ordinal).Replace("\r", "\\r", StringComparison.Ordinal)} holds a line break or control character; it would end the #SBATCH line and start another.");
            if (argument[0] == '-')
            {
                string option = OptionName(argument);
                if (ReservedOptions.Contains(option, StringComparer.Ordinal))
                    throw new ExperimentException($"The {what} sets {option}, which the sweep script sets itself ({string.Join(", ", ReservedOptions.Where(o => o.StartsWith("--", StringComparison.Ordinal)))}).");
                if (line.Length > 0) yield return line.ToString();
                line.Clear().Append(OptionWord(argument));
            }
            else if (line.Length == 0)
            {
                throw new ExperimentException($"The {what} is not an option: the first sbatch argument must start with '-' (e.g. --partition=gpu).");
            }
            else
            {
                line.Append(' ').Append(SbatchWord(argument));
            }
        }
        if (line.Length > 0) yield return line.ToString();
    }

    /// <summary><c>--name</c> of <c>--name=value</c>; <c>-p</c> of <c>-pgpu</c>.</summary>
    private static string OptionName(string argument)
    {
        if (argument.StartsWith("--", StringComparison.Ordinal))
        {
            int equals = argument.IndexOf('=');
            return equals < 0 ? argument : argument[..equals];
        }
        return argument.Length > 2 ? argument[..2] : argument;
    }

    /// <summary>An option for an #SBATCH line; only a long option's value is quoted, so <c>--time=1:00:00</c> reads as written.</summary>
    private static string OptionWord(string argument)
    {
        int equals = argument.IndexOf('=');
        return argument.StartsWith("--", StringComparison.Ordinal) && equals > 0
            ? argument[..(equals + 1)] + SbatchWord(argument[(equals + 1)..])
            : SbatchWord(argument);
    }

    private static string CheckSweepFolder(string sweepFolder)
    {
        if (string.IsNullOrWhiteSpace(sweepFolder)) throw new ExperimentException("The sweep folder is empty.");
        CheckText(sweepFolder, "the sweep folder");
        // Slurm ignores every pattern (%3a) of an output path that holds a backslash, so the tasks' outputs would collide.
        if (sweepFolder.Contains('\\'))
            throw new ExperimentException($"The sweep folder '{sweepFolder}' contains a backslash, which Slurm's output file names cannot hold; choose another --out.");
        return Path.GetFullPath(sweepFolder);
    }

    private static void CheckText(string text, string what)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text.Any(c => c is '\0' or '\n' or '\r'))
            throw new ExperimentException($"{char.ToUpperInvariant(what[0])}{what[1..]} holds a line break or NUL character, which a batch script line cannot hold: {text.Replace("\n", "\\n", StringComparison.Ordinal).Replace("\r", "\\r", StringComparison.Ordinal).Replace("\0", "\\0", StringComparison.Ordinal)}");
    }

    private static string DefaultJobName(string sweepFolder)
    {
        string name = Path.GetFileName(Path.TrimEndingDirectorySeparator(sweepFolder));
        var safe = new string(name.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' ? c : '_').ToArray());
        return "seqdsl-" + (safe.Length > 0 ? safe : "sweep");
    }
}
