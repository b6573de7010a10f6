using System.Diagnostics;
using SeqDsl.Runtime.Experiments;
using SeqDsl.Runtime.Sweeps;
using SeqDsl.Runtime.Tests.Data;

namespace SeqDsl.Runtime.Tests.Sweeps;

/// <summary>The sweep's sbatch script as text: its directives, its array list, and the quoting of every path and argument.</summary>
public sealed class SlurmScriptTests : IDisposable
{
    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    private static SlurmJobRequest Request(string sweepFolder, params string[] arguments) =>
        new(sweepFolder, [0, 1, 2, 3, 5], new SlurmTaskCommand("/work", "/usr/bin/dotnet", arguments), CpusPerTask: 2);

    [Fact]
    public void Script_has_the_directives_then_cd_and_exec_of_the_task_command()
    {
        string script = SlurmScript.Render(Request("/scratch/runs/WeatherGru-sweep", "Weather.dll", "train", "-e", "WeatherGru", "--run", "{index}"));

        Assert.Equal(
            """
            #!/bin/bash
            # SeqDsl sweep: one array task per run index; task i runs in <sweep folder>/<i:000>. Written by SeqDsl;
            # a resubmission rewrites it. sbatch reads the #SBATCH lines up to the first command.
            #SBATCH --job-name=seqdsl-WeatherGru-sweep
            #SBATCH --array=0-3,5
            #SBATCH --requeue
            #SBATCH --cpus-per-task=2
            #SBATCH --output=/scratch/runs/WeatherGru-sweep/%3a/slurm.out
            #SBATCH --open-mode=append

            # Requeue-safe: Slurm starts a preempted or requeued task again from the top (appending to its slurm.out);
            # the command resumes from the checkpoint in its run folder, or exits at once when the run has finished.
            echo "[$(date -u +%Y-%m-%dT%H:%M:%SZ)] job ${SLURM_ARRAY_JOB_ID}_${SLURM_ARRAY_TASK_ID} on $(hostname), restart ${SLURM_RESTART_COUNT:-0}"
            cd -- '/work' || exit 1
            exec '/usr/bin/dotnet' 'Weather.dll' 'train' '-e' 'WeatherGru' '--run' "${SLURM_ARRAY_TASK_ID}"

            """.Replace("\r\n", "\n"),
            script);
    }

    [Theory]
    [InlineData(new[] { 0, 1, 2, 3, 5 }, "0-3,5")]
    [InlineData(new[] { 5, 3, 1, 2, 0, 3 }, "0-3,5")]
    [InlineData(new[] { 7 }, "7")]
    [InlineData(new[] { 1, 3, 5 }, "1,3,5")]
    [InlineData(new[] { 8, 9 }, "8-9")]
    [InlineData(new[] { 0, 2, 3, 4, 10, 11, 999 }, "0,2-4,10-11,999")]
    public void Indices_are_compressed_into_ranges_and_read_back(int[] indices, string list)
    {
        Assert.Equal(list, SlurmArray.Compress(indices));
        Assert.Equal(indices.Distinct().Order(), SlurmArray.Expand(list));
    }

    [Fact]
    public void Array_lists_as_slurm_prints_them_are_read()
    {
        Assert.Equal([4, 5, 6], SlurmArray.Expand("[4-6%2]"));
        Assert.Equal([3, 4, 5], SlurmArray.Expand("3-5%3"));
        Assert.Equal([1, 5, 9], SlurmArray.Expand("1-9:4"));
        Assert.Equal(Enumerable.Range(0, 1000), SlurmArray.Expand(SlurmArray.Compress(Enumerable.Range(0, 1000))));
        Assert.Contains("'N/A'", Assert.Throws<FormatException>(() => SlurmArray.Expand("N/A")).Message);
        Assert.Throws<FormatException>(() => SlurmArray.Expand("5-3"));
        Assert.Throws<ArgumentException>(() => SlurmArray.Compress([]));
    }

    [Fact]
    public void Hostile_paths_are_quoted_for_sbatch_and_slurm_patterns()
    {
        string script = SlurmScript.Render(Request("/scratch/we ird \"q\" it's #1 $HOME 50%", "x"));

        // sbatch reads a double-quoted argument with \" and \\ escapes; Slurm reads %% as %. %3a is the run folder.
        Assert.Contains("#SBATCH --output=\"/scratch/we ird \\\"q\\\" it's #1 $HOME 50%%/%3a/slurm.out\"\n", script);
        Assert.Contains("#SBATCH --job-name=seqdsl-we_ird__q__it_s__1__HOME_50_\n", script);
        Assert.Equal("plain-word_1.5", SlurmScript.SbatchWord("plain-word_1.5"));
        Assert.Equal("\"a b\"", SlurmScript.SbatchWord("a b"));
        Assert.Equal("\"back\\\\slash \\\"q\\\"\"", SlurmScript.SbatchWord("back\\slash \"q\""));
        Assert.Equal("\"#x\"", SlurmScript.SbatchWord("#x"));
    }

    [SkippableFact]
    public void Every_argument_reaches_the_program_as_written_with_the_index_in_place()
    {
        Skip.IfNot(File.Exists("/bin/bash"), "needs /bin/bash");
        string workingDirectory = Path.Combine(_directory.Path, "we ird 'q' \"d\" $x #h {index}");
        Directory.CreateDirectory(workingDirectory.Replace("{index}", "7", StringComparison.Ordinal));
        string[] hostile = ["a b", "it's", "\"q\"", "$HOME", "`id`", "$(id)", "#x", "run-{index}-{index}", "{index}", "", "back\\slash", "*", "tab\there", "--out={index}/x y"];
        string script = SlurmScript.Render(new SlurmJobRequest(
            _directory.Path, [7], new SlurmTaskCommand(workingDirectory, "/bin/bash", ["-c", "pwd; printf '<%s>\\n' \"$@\"", "argv0", .. hostile])));
        string path = _directory.Write("task.sh", script);

        var start = new ProcessStartInfo("/bin/bash") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(path);
        start.Environment["SLURM_ARRAY_TASK_ID"] = "7";
        start.Environment["SLURM_ARRAY_JOB_ID"] = "42";
        using var process = Process.Start(start)!;
        string output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();

        Assert.Equal(0, process.ExitCode);
        var lines = output.TrimEnd('\n').Split('\n');
        Assert.StartsWith("[", lines[0]);
        Assert.Contains("job 42_7", lines[0]);
        Assert.Equal(workingDirectory.Replace("{index}", "7", StringComparison.Ordinal), lines[1]);
        Assert.Equal(hostile.Select(a => "<" + a.Replace("{index}", "7", StringComparison.Ordinal) + ">"), lines[2..]);
    }

    [Fact]
    public void Extra_sbatch_arguments_become_directive_lines_as_given()
    {
        var request = Request("/s", "x") with { ExtraSbatchArguments = ["--partition=gpu", "--time=02:00:00", "-A", "my project", "--comment=a # b", "--exclusive"] };

        string script = SlurmScript.Render(request);

        Assert.Contains(
            "#SBATCH --open-mode=append\n#SBATCH --partition=gpu\n#SBATCH --time=02:00:00\n#SBATCH -A \"my project\"\n#SBATCH --comment=\"a # b\"\n#SBATCH --exclusive\n\n",
            script);
    }

    [Theory]
    [InlineData("--partition=gpu\n#SBATCH --wrap=evil", "line break")]
    [InlineData("--time=1:00\r", "line break")]
    [InlineData("gpu", "must start with '-'")]
    [InlineData("--array=0-99", "sets --array")]
    [InlineData("-o", "sets -o")]
    [InlineData("--output=/tmp/x", "sets --output")]
    [InlineData("--no-requeue", "sets --no-requeue")]
    [InlineData("-c4", "sets -c")]
    [InlineData("", "empty")]
    public void Extra_sbatch_arguments_that_would_inject_or_override_are_refused(string argument, string expected)
    {
        var request = Request("/s", "x") with { ExtraSbatchArguments = [argument] };

        var error = Assert.Throws<ExperimentException>(() => SlurmScript.Render(request));

        Assert.Contains(expected, error.Message);
        Assert.DoesNotContain("\n", error.Message);
    }

    [Fact]
    public void Requests_that_cannot_become_a_script_are_refused_with_what_is_wrong()
    {
        var request = Request("/s", "x");
        Assert.Contains("at least one run index", Assert.Throws<ExperimentException>(() => SlurmScript.Render(request with { Indices = [] })).Message);
        Assert.Contains("-3 is negative", Assert.Throws<ExperimentException>(() => SlurmScript.Render(request with { Indices = [1, -3] })).Message);
        Assert.Contains("at least 1 (got 0)", Assert.Throws<ExperimentException>(() => SlurmScript.Render(request with { CpusPerTask = 0 })).Message);
        Assert.Contains("backslash", Assert.Throws<ExperimentException>(() => SlurmScript.Render(request with { SweepFolder = "/s\\x" })).Message);
        var newline = Assert.Throws<ExperimentException>(() => SlurmScript.Render(Request("/s", "a\nb")));
        Assert.Contains("A task argument holds a line break", newline.Message);
        Assert.Contains("a\\nb", newline.Message);
    }

    [Fact]
    public void Writing_creates_the_run_folders_and_the_script_atomically()
    {
        string sweep = Path.Combine(_directory.Path, "sweep");
        var (path, text) = SlurmScript.Write(new SlurmJobRequest(sweep, [0, 2, 11], new SlurmTaskCommand("/w", "p", [])));

        Assert.Equal(Path.Combine(sweep, "sweep.sbatch"), path);
        Assert.Equal(text, File.ReadAllText(path));
        Assert.Equal(["000", "002", "011"], Directory.GetDirectories(sweep).Select(Path.GetFileName).Order());
        Assert.Equal(Path.Combine(sweep, "011"), SweepPlan.RunFolder(sweep, 11));
        Assert.Empty(Directory.GetFiles(sweep, "*.tmp-*"));
    }
}
