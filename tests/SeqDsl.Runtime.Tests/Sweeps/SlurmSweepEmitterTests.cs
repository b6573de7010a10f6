using SeqDsl.Runtime.Experiments;
using SeqDsl.Runtime.Sweeps;

namespace SeqDsl.Runtime.Tests.Sweeps;

/// <summary><c>sweep --emit slurm</c> as text: the array, its throttle and CPUs, the user's options, and the task command.</summary>
public sealed class SlurmSweepEmitterTests
{
    private static readonly ChildProgram s_program = new("/usr/bin/dotnet", ["/app/Weather.dll"]);

    [Fact]
    public void The_script_runs_for_each_task_the_train_command_of_the_local_executor_with_the_sweeps_overrides()
    {
        var job = new SweepJob
        {
            Plan = SweepPlan.Of([SweepRunTests.Experiments[0]]),
            Folder = "/scratch/sweep",
            Parallel = 1,
            Threads = 2,
            Overrides = new RunOptions { Epochs = 3, StepsPerEpoch = 5 },
            SbatchArguments = ["--partition=gpu", "-A", "proj x"],
        };

        string script = SlurmSweepEmitter.Emit(job, s_program);

        Assert.StartsWith("#!/bin/bash\n# Printed by sweep --emit slurm", script);
        Assert.Contains("#   mkdir -p '/scratch/sweep'/{000..001}\n", script);
        Assert.Contains("#SBATCH --array=0-1%1\n", script);
        Assert.Contains("#SBATCH --cpus-per-task=2\n", script);
        Assert.Contains("#SBATCH --output=/scratch/sweep/%3a/slurm.out\n", script);
        Assert.Contains("#SBATCH --partition=gpu\n#SBATCH -A \"proj x\"\n", script);
        // The very arguments every executor gives train --run (the local one's children, the Kubernetes pods), with the task's index.
        string command = string.Join(' ', new[] { "/usr/bin/dotnet", "/app/Weather.dll" }.Concat(job.TrainArguments("{index}", "/scratch/sweep", 2)).Select(SlurmScript.ShellWord));
        Assert.EndsWith($"exec {command}\n", script);
        Assert.EndsWith(
            "'train' '-e' 'SmallWeather' '--run' \"${SLURM_ARRAY_TASK_ID}\" '--out' '/scratch/sweep' '--threads' '2' '--epochs' '3' '--steps-per-epoch' '5'\n",
            script);
    }

    [Fact]
    public void Without_threads_and_parallel_each_task_has_one_cpu_and_the_array_no_limit()
    {
        var job = new SweepJob { Plan = SweepPlan.Of([SweepRunTests.Experiments[0]]), Folder = "/scratch/sweep" };

        string script = SlurmSweepEmitter.Emit(job, s_program);

        Assert.Contains("#SBATCH --array=0-1\n", script);
        Assert.Contains($"#SBATCH --cpus-per-task={SlurmSweepExecutor.DefaultThreads}\n", script);
        Assert.Contains("'--threads' '1'\n", script);
    }
}
