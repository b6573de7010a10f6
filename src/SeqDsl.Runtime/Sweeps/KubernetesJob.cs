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
    public IReadOnlyList<string> Flags { get; } = new[] { "--image", "--volume" };

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

        // Kubernetes sets JOB_COMPLETION_INDEX itself; declaring it makes the $(…) expansion in args independent of that.
        string resources = job.Threads is int threads
            ? $"""
                        resources:
                          requests:
                            cpu: {Quote(Number(threads))}

              """
            : "";
        return $"""
            # Sweep {job.Plan.Name}: {Number(runs)} runs as a Kubernetes Indexed Job, {Number(parallelism)} at a time.
            # Pod i trains run i into {MountPath}/{sweepFolder}/<i:000> on the claim {volume}; a restarted pod resumes from last.pt.
            # The image runs the published program ({AppFolder}/{program}.dll); see docs/scaling.md.
            apiVersion: batch/v1
            kind: Job
            metadata:
              name: {Quote(JobName(job.Plan.Name))}
              labels:
                app.kubernetes.io/name: seqdsl-sweep
                seqdsl.sweep: {Quote(Label(job.Plan.Name))}
            spec:
              completionMode: Indexed
              completions: {Number(runs)}
              parallelism: {Number(parallelism)}
              backoffLimit: {Number(runs * RestartsPerRun)}
              template:
                metadata:
                  labels:
                    app.kubernetes.io/name: seqdsl-sweep
                spec:
                  restartPolicy: OnFailure
                  containers:
                    - name: train
                      image: {Quote(image)}
                      command: {Flow(command)}
                      args: {Flow(arguments)}
                      env:
                        - name: JOB_COMPLETION_INDEX
                          valueFrom:
                            fieldRef:
                              fieldPath: "metadata.annotations['batch.kubernetes.io/job-completion-index']"
            {resources}          volumeMounts:
                        - name: runs
                          mountPath: {Quote(MountPath)}
                  volumes:
                    - name: runs
                      persistentVolumeClaim:
                        claimName: {Quote(volume)}

            """;
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
