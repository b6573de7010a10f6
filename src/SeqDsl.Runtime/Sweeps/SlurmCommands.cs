using System;
using System.Collections.Generic;
using System.ComponentModel;
using System.Diagnostics;
using System.IO;
using System.Linq;
using SeqDsl.Runtime.Experiments;

namespace SeqDsl.Runtime.Sweeps;

/// <summary>What a Slurm command printed and returned.</summary>
public sealed record SlurmCommandResult(string CommandLine, int ExitCode, string Output, string Error)
{
    /// <summary>The message of a failed command: the command, its exit code and what it wrote to stderr.</summary>
    public string FailureMessage() =>
        $"`{CommandLine}` failed with exit code {ExitCode}" + (Error.Trim().Length > 0 ? $": {Error.Trim()}" : Output.Trim().Length > 0 ? $": {Output.Trim()}" : ".");
}

/// <summary>
/// Runs Slurm's client commands (sbatch, squeue, sacct) as child processes, with extra environment variables (such
/// as <c>SLURM_CONF</c>) and, for tests and unusual installs, a folder to take them from instead of <c>PATH</c>.
/// </summary>
/// <param name="environment">Variables set for the commands on top of this process's environment.</param>
/// <param name="binDirectory">The folder holding sbatch, squeue and sacct; null: found on <c>PATH</c>.</param>
/// <param name="timeout">How long one command may take (a controller that does not answer makes sbatch retry).</param>
public sealed class SlurmCommands(
    IReadOnlyDictionary<string, string>? environment = null,
    string? binDirectory = null,
    TimeSpan? timeout = null)
{
    private readonly TimeSpan _timeout = timeout ?? TimeSpan.FromMinutes(2);

    /// <summary>Runs <paramref name="program"/> with <paramref name="arguments"/> and collects its output.</summary>
    /// <exception cref="ExperimentException">The program is not installed (not a Slurm host), or did not finish in time.</exception>
    public SlurmCommandResult Run(string program, IReadOnlyList<string> arguments)
    {
        string commandLine = string.Join(' ', arguments.Prepend(program).Select(Display));
        var start = new ProcessStartInfo(binDirectory is null ? program : Path.Combine(binDirectory, program))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string argument in arguments) start.ArgumentList.Add(argument);
        foreach (var (name, value) in environment ?? new Dictionary<string, string>()) start.Environment[name] = value;

        Process process;
        try
        {
            process = Process.Start(start) ?? throw new ExperimentException($"`{commandLine}` could not be started.");
        }
        catch (Win32Exception e)
        {
            throw new ExperimentException(
                $"`{commandLine}` could not be started: {program} was not found ({e.Message}). The Slurm executor runs on a Slurm " +
                "submit host (a login node with sbatch, squeue and sacct on PATH); use the local executor elsewhere.");
        }
        using (process)
        {
            var output = process.StandardOutput.ReadToEndAsync();
            var error = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(_timeout))
            {
                process.Kill(entireProcessTree: true);
                process.WaitForExit();
                throw new ExperimentException($"`{commandLine}` did not finish within {_timeout.TotalSeconds:0} s; is the Slurm controller reachable?");
            }
            process.WaitForExit();
            return new SlurmCommandResult(commandLine, process.ExitCode, output.Result, error.Result);
        }
    }

    /// <summary>An argument as a message shows it: quoted when it holds a space or a quote.</summary>
    private static string Display(string argument) =>
        argument.Length > 0 && !argument.Any(c => char.IsWhiteSpace(c) || c is '\'' or '"') ? argument : SlurmScript.SingleQuoted(argument);
}
