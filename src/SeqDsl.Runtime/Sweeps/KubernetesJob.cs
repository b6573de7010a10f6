using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Reflection;
using System.Text;
using System.Text.Json;

namespace SeqDsl.Runtime.Sweeps;

/// <summary>
/// <c>sweep --emit k8s</c>: a Kubernetes Indexed Job (batch/v1) that runs a sweep with one completion per run. Kubernetes
/// gives each pod its completion index; the container runs <c>train -e M --run $(JOB_COMPLETION_INDEX) --out /runs/&lt;sweep
/// folder&gt;</c> with the sweep folder on a PersistentVolumeClaim, so a pod that is evicted or restarted resumes its run
/// from last.pt and a finished run returns at once. <c>report --out</c> over the same volume reads the results.
/// </summary>
public sealed class KubernetesJob : ISweepEmitter
{
    /// <summary>Where the volume is mounted in the container.</summary>
    public const string MountPath = "/runs";

    /// <summary>The claim when --volume is not given.</summary>
    public const string DefaultVolume = "seqdsl-runs";

    /// <summary>Where the image holds the published program (<c>dotnet publish -o /app</c>).</summary>
    public const string AppFolder = "/app";

    /// <summary>Pod restarts allowed per run before the Job fails, counted over the whole Job (backoffLimit = runs × this).</summary>
    public const int RestartsPerRun = 3;

    /// <inheritdoc/>
    public string Name => "k8s";

    /// <inheritdoc/>
    public string Description => "print a Kubernetes Indexed Job manifest (one completion index per run, run folders on a PersistentVolumeClaim)";

    /// <inheritdoc/>
    public string Emit(SweepJob job) => Emit(job, Assembly.GetEntryAssembly()?.GetName().Name ?? "app");

    /// <summary>The manifest for a program whose assembly is <paramref name="program"/> (<c>/app/&lt;program&gt;.dll</c> in the image).</summary>
    public static string Emit(SweepJob job, string program)
    {
        int runs = job.Plan.Runs.Count;
        int parallelism = Math.Min(job.Parallel ?? runs, runs);
        string sweepFolder = System.IO.Path.GetFileName(System.IO.Path.TrimEndingDirectorySeparator(System.IO.Path.GetFullPath(job.Folder)));
        string image = job.Image ?? program.ToLowerInvariant() + ":latest";
        string volume = job.Volume ?? DefaultVolume;
        var command = new[] { "dotnet", $"{AppFolder}/{program}.dll" };
        var arguments = job.TrainArguments("$(JOB_COMPLETION_INDEX)", $"{MountPath}/{sweepFolder}", job.Threads);
        string Number(int n) => n.ToString(CultureInfo.InvariantCulture);
        string Flow(IEnumerable<string> items) => "[" + string.Join(", ", items.Select(Quote)) + "]";

        var text = new StringBuilder();
        text.Append($"# Sweep {job.Plan.Name}: {Number(runs)} runs as a Kubernetes Indexed Job, {Number(parallelism)} at a time.\n");
        text.Append($"# Pod i trains run i into {MountPath}/{sweepFolder}/<i:000> on the claim {volume}; a restarted pod resumes from last.pt.\n");
        text.Append($"# The image runs the published program ({AppFolder}/{program}.dll); see docs/scaling.md.\n");
        text.Append("apiVersion: batch/v1\n");
        text.Append("kind: Job\n");
        text.Append("metadata:\n");
        text.Append($"  name: {Quote(JobName(job.Plan.Name))}\n");
        text.Append("  labels:\n");
        text.Append("    app.kubernetes.io/name: seqdsl-sweep\n");
        text.Append($"    seqdsl.sweep: {Quote(Label(job.Plan.Name))}\n");
        text.Append("spec:\n");
        text.Append("  completionMode: Indexed\n");
        text.Append($"  completions: {Number(runs)}\n");
        text.Append($"  parallelism: {Number(parallelism)}\n");
        text.Append($"  backoffLimit: {Number(runs * RestartsPerRun)}\n");
        text.Append("  template:\n");
        text.Append("    metadata:\n");
        text.Append("      labels:\n");
        text.Append("        app.kubernetes.io/name: seqdsl-sweep\n");
        text.Append("    spec:\n");
        text.Append("      restartPolicy: OnFailure\n");
        text.Append("      containers:\n");
        text.Append("        - name: train\n");
        text.Append($"          image: {Quote(image)}\n");
        text.Append($"          command: {Flow(command)}\n");
        text.Append($"          args: {Flow(arguments)}\n");
        text.Append("          env:\n");
        // Kubernetes sets this variable itself; declaring it makes the $(…) expansion in args independent of that.
        text.Append("            - name: JOB_COMPLETION_INDEX\n");
        text.Append("              valueFrom:\n");
        text.Append("                fieldRef:\n");
        text.Append("                  fieldPath: \"metadata.annotations['batch.kubernetes.io/job-completion-index']\"\n");
        if (job.Threads is int threads)
        {
            text.Append("          resources:\n");
            text.Append("            requests:\n");
            text.Append($"              cpu: {Quote(Number(threads))}\n");
        }
        text.Append("          volumeMounts:\n");
        text.Append("            - name: runs\n");
        text.Append($"              mountPath: {Quote(MountPath)}\n");
        text.Append("      volumes:\n");
        text.Append("        - name: runs\n");
        text.Append("          persistentVolumeClaim:\n");
        text.Append($"            claimName: {Quote(volume)}\n");
        return text.ToString();
    }

    /// <summary>A YAML double-quoted scalar (JSON's string syntax is YAML's), so no value can break the structure.</summary>
    private static string Quote(string value) => JsonSerializer.Serialize(value, s_readable);

    /// <summary>Escapes only what JSON must (quotes, backslashes, control characters), so '+' and quotes inside a path stay readable.</summary>
    private static readonly JsonSerializerOptions s_readable = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>A DNS-1123 label from the sweep's name: lower case, '-' for anything else, at most 63 characters with "-sweep".</summary>
    public static string JobName(string sweep)
    {
        string label = Label(sweep);
        if (label.Length > 63 - "-sweep".Length) label = label[..(63 - "-sweep".Length)].TrimEnd('-');
        return (label.Length == 0 ? "seqdsl" : label) + "-sweep";
    }

    private static string Label(string sweep)
    {
        var text = new StringBuilder();
        foreach (char c in sweep.ToLowerInvariant())
            text.Append(c is >= 'a' and <= 'z' or >= '0' and <= '9' ? c : '-');
        string label = text.ToString().Trim('-');
        while (label.Contains("--", StringComparison.Ordinal)) label = label.Replace("--", "-", StringComparison.Ordinal);
        return label.Length > 63 ? label[..63].TrimEnd('-') : label;
    }
}
