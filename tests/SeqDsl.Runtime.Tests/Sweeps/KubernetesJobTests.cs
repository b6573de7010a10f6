using SeqDsl.Runtime.Experiments;
using SeqDsl.Runtime.Sweeps;
using YamlDotNet.RepresentationModel;

namespace SeqDsl.Runtime.Tests.Sweeps;

/// <summary><c>sweep --emit k8s</c>: an Indexed Job whose completion index selects the run, checked as text and as YAML.</summary>
public sealed class KubernetesJobTests
{
    private static SweepJob Job(int? parallel = 2, int? threads = null) => new()
    {
        Plan = SweepPlan.Of(new[]
        {
            SmallWeatherModel.Experiment with
            {
                Sweep = new SweepSpec("SmallWeather", "small_weather.yaml", Enumerable.Range(0, 4)
                    .Select(i => new SweepRun(i, SmallWeatherModel.Experiment, new[] { new SweepSetting("training.seed", $"{i}") })).ToArray()),
            },
        }),
        Folder = Path.Combine("runs", "SmallWeather-sweep"),
        Parallel = parallel,
        Threads = threads,
        Overrides = new RunOptions { Epochs = 3, Device = DeviceChoice.Cpu },
        Image = "registry.example/weather:1.0",
        Volume = "sweep-runs",
    };

    private static YamlMappingNode Parse(string text)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(text));
        return (YamlMappingNode)stream.Documents.Single().RootNode;
    }

    private static YamlNode At(YamlNode node, params object[] path)
    {
        foreach (var step in path)
            node = step is int i ? ((YamlSequenceNode)node).Children[i] : ((YamlMappingNode)node).Children[new YamlScalarNode((string)step)];
        return node;
    }

    private static string Scalar(YamlNode node, params object[] path) => ((YamlScalarNode)At(node, path)).Value!;

    [Fact]
    public void The_manifest_is_an_Indexed_Job_with_one_completion_per_run_and_the_run_folders_on_the_claim()
    {
        string text = KubernetesJob.Emit(Job(), "Weather");
        var root = Parse(text);

        Assert.Equal("batch/v1", Scalar(root, "apiVersion"));
        Assert.Equal("Job", Scalar(root, "kind"));
        Assert.Equal("smallweather-sweep", Scalar(root, "metadata", "name"));
        Assert.Equal("Indexed", Scalar(root, "spec", "completionMode"));
        Assert.Equal("4", Scalar(root, "spec", "completions"));
        Assert.Equal("2", Scalar(root, "spec", "parallelism"));
        var pod = At(root, "spec", "template", "spec");
        Assert.Equal("OnFailure", Scalar(pod, "restartPolicy"));
        var container = At(pod, "containers", 0);
        Assert.Equal("registry.example/weather:1.0", Scalar(container, "image"));
        Assert.Equal(new[] { "dotnet", "/app/Weather.dll" }, ((YamlSequenceNode)At(container, "command")).Children.Select(n => ((YamlScalarNode)n).Value));
        Assert.Equal(new[] { "train", "-e", "SmallWeather", "--run", "$(JOB_COMPLETION_INDEX)", "--out", "/runs/SmallWeather-sweep", "--epochs", "3", "--device", "cpu" },
            ((YamlSequenceNode)At(container, "args")).Children.Select(n => ((YamlScalarNode)n).Value));
        Assert.Equal("JOB_COMPLETION_INDEX", Scalar(container, "env", 0, "name"));
        Assert.Equal("metadata.annotations['batch.kubernetes.io/job-completion-index']", Scalar(container, "env", 0, "valueFrom", "fieldRef", "fieldPath"));
        Assert.Equal("runs", Scalar(container, "volumeMounts", 0, "name"));
        Assert.Equal("/runs", Scalar(container, "volumeMounts", 0, "mountPath"));
        Assert.Equal("sweep-runs", Scalar(pod, "volumes", 0, "persistentVolumeClaim", "claimName"));
        Assert.False(((YamlMappingNode)container).Children.ContainsKey(new YamlScalarNode("resources")));
        Assert.Contains("completionMode: Indexed\n  completions: 4\n  parallelism: 2\n", text);
        Assert.Contains("args: [\"train\", \"-e\", \"SmallWeather\", \"--run\", \"$(JOB_COMPLETION_INDEX)\", \"--out\", \"/runs/SmallWeather-sweep\"", text);
    }

    [Fact]
    public void Without_parallel_every_run_starts_at_once_and_threads_become_the_pods_cpu_request()
    {
        var root = Parse(KubernetesJob.Emit(Job(parallel: null, threads: 2), "Weather"));
        var container = At(root, "spec", "template", "spec", "containers", 0);

        Assert.Equal("4", Scalar(root, "spec", "parallelism"));
        Assert.Equal("2", Scalar(container, "resources", "requests", "cpu"));
        Assert.Contains("--threads", ((YamlSequenceNode)At(container, "args")).Children.Select(n => ((YamlScalarNode)n).Value));
    }

    [Theory]
    [InlineData("WeatherGru", "weathergru-sweep")]
    [InlineData("WeatherGru+Weather_Mlp", "weathergru-weather-mlp-sweep")]
    public void Job_names_are_dns_labels(string sweep, string expected)
    {
        Assert.Equal(expected, KubernetesJob.JobName(sweep));
        Assert.True(KubernetesJob.JobName(new string('A', 100)).Length <= 63);
    }
}
