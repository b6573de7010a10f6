using System.Diagnostics;
using System.Reflection;
using SeqDsl.Generator.Tests.Infrastructure;

namespace SeqDsl.Package.Tests;

/// <summary>
/// Packs SeqDsl into a local folder feed and builds a small project outside the repository from it, as a
/// user would: the generator (with YamlDotNet beside it) must run from the package, TorchSharp must load,
/// the spec's JSON Schema must land in the project's obj/ folder for editors, and a broken spec must fail the
/// build with a SEQ error at its YAML line.
/// </summary>
public sealed class PackageConsumerTests : IDisposable
{
    private static readonly string s_root = Path.GetFullPath(typeof(PackageConsumerTests).Assembly
        .GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "RepositoryRoot").Value!);

    // A version of its own per run, so the global package cache never serves an older build of this package.
    private readonly string _version = $"0.1.0-local.{DateTime.UtcNow:yyyyMMddHHmmssfff}";
    private readonly string _work = Path.Combine(Path.GetTempPath(), "seqdsl-consumer-" + Guid.NewGuid().ToString("N"));

    private const string Spec = """
        # yaml-language-server: $schema=obj/seqdsl.schema.json
        # A spec outside the SeqDsl repository.
        model: Forecast
        input: { features: 14, time: 240 }
        layers:
          - gru: { units: 32 }
          - dense: { units: 1 }
        """;

    private const string Program = """
        using TorchSharp;
        var model = new Consumer.ForecastModel();
        System.Console.WriteLine(model.Summary());
        var output = model.forward(torch.randn(2, 240, 14));
        System.Console.WriteLine("forward (" + string.Join(", ", output.shape) + ")");
        """;

    [Fact]
    public void A_project_outside_the_repository_builds_and_runs_from_the_packed_package()
    {
        string feed = Path.Combine(_work, "feed");
        string app = Path.Combine(_work, "app");
        Directory.CreateDirectory(app);

        var pack = Run(s_root, "pack", "src/SeqDsl.Runtime", "-c", "Release", "-o", feed, $"-p:Version={_version}");
        Assert.True(pack.ExitCode == 0, pack.Output);
        string package = Assert.Single(Directory.GetFiles(feed, "*.nupkg"));
        using (var zip = System.IO.Compression.ZipFile.OpenRead(package))
        {
            var entries = zip.Entries.Select(e => e.FullName).ToHashSet();
            Assert.Contains("analyzers/dotnet/cs/SeqDsl.Generator.dll", entries);
            Assert.Contains("analyzers/dotnet/cs/YamlDotNet.dll", entries);
            Assert.Contains("lib/net10.0/SeqDsl.Runtime.dll", entries);
            Assert.Contains("build/SeqDsl.targets", entries);
            Assert.Contains("build/seqdsl.schema.json", entries);
            Assert.Contains("build/SeqDslCsvHeaders.cs", entries);
        }

        File.WriteAllText(Path.Combine(app, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <add key="seqdsl-local" value="{feed}" />
              </packageSources>
            </configuration>
            """);
        File.WriteAllText(Path.Combine(app, "Consumer.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFramework>net10.0</TargetFramework>
                <RootNamespace>Consumer</RootNamespace>
                <Nullable>enable</Nullable>
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="SeqDsl" Version="{_version}" />
              </ItemGroup>
            </Project>
            """);
        File.WriteAllText(Path.Combine(app, "forecast.yaml"), Spec);
        File.WriteAllText(Path.Combine(app, "Program.cs"), Program);

        var run = Run(app, "run");
        Assert.True(run.ExitCode == 0, run.Output);
        Assert.Contains("Model: \"Forecast\" (forecast.yaml)", run.Output);
        Assert.Contains("Total params: 4,641", run.Output);
        Assert.Contains("forward (2, 1)", run.Output);

        // The schema the modeline names is there, offline, as the repository's; the spec and an example validate against it.
        string landed = Path.Combine(app, "obj", "seqdsl.schema.json");
        Assert.True(File.Exists(landed), $"no schema at {landed}");
        Assert.Equal(File.ReadAllText(Path.Combine(s_root, "schemas", "seqdsl.schema.json")), File.ReadAllText(landed));
        var schema = SchemaValidator.Load(landed);
        Assert.Empty(SchemaValidator.Errors(Spec, schema));
        Assert.Empty(SchemaValidator.Errors(File.ReadAllText(Path.Combine(s_root, "examples", "Weather", "weather_gru.yaml")), schema));
        Assert.NotEmpty(SchemaValidator.Errors(Spec.Replace("units: 32", "units: 32.5"), schema));
        // Copied only when it changed: a second build leaves it as it is.
        var copied = File.GetLastWriteTimeUtc(landed);
        var again = Run(app, "build");
        Assert.True(again.ExitCode == 0, again.Output);
        Assert.Equal(copied, File.GetLastWriteTimeUtc(landed));

        File.WriteAllText(Path.Combine(app, "forecast.yaml"), Spec.Replace("- gru:", "- gruu:"));
        var broken = Run(app, "build");
        Assert.NotEqual(0, broken.ExitCode);
        Assert.Contains("forecast.yaml(6,5): error SEQ2006: Unknown layer type 'gruu'", broken.Output);
        Assert.DoesNotContain("CS8785", broken.Output);
        Assert.DoesNotContain("AD0001", broken.Output);
        Assert.DoesNotContain("error CS0246", broken.Output);

        // The build reads the header of a CSV a spec names (relative to the spec's folder) and checks its columns.
        File.WriteAllText(Path.Combine(app, "forecast.yaml"), Spec);
        Directory.CreateDirectory(Path.Combine(app, "specs"));
        Directory.CreateDirectory(Path.Combine(app, "data"));
        File.WriteAllText(Path.Combine(app, "data", "series.csv"), "date,load,temp\n2020-01-01 00:00:00,1,2\n");
        File.WriteAllText(Path.Combine(app, "specs", "series.yaml"), SeriesSpec.Replace("[load, temp]", "[load, tep]"));
        var typo = Run(app, "build");
        Assert.NotEqual(0, typo.ExitCode);
        Assert.Contains("series.yaml(8,3): error SEQ2014: 'columns' in 'data' names 'tep', which is not a column of series.csv", typo.Output);
        Assert.Contains("Did you mean 'temp'?", typo.Output);

        File.WriteAllText(Path.Combine(app, "specs", "series.yaml"), SeriesSpec);
        var fixedSpec = Run(app, "build");
        Assert.True(fixedSpec.ExitCode == 0, fixedSpec.Output);
    }

    private const string SeriesSpec = """
        model: Series
        layers:
          - flatten
          - dense: { units: 1 }
        data:
          source: csv
          path: ../data/series.csv
          columns: [load, temp]
          target: load
          window: { lookback: 4 }
          splits: { train: [0, 100] }
        """;

    private static (int ExitCode, string Output) Run(string directory, params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet") { WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        start.ArgumentList.Add("-nodeReuse:false");
        // Variables the test host sets for itself must not steer the nested builds.
        foreach (var name in new[] { "MSBuildExtensionsPath", "MSBUILD_EXE_PATH", "MSBuildSDKsPath", "MSBuildLoadMicrosoftTargetsReadOnly", "DOTNET_HOST_PATH", "VSTEST_HOST_DEBUG" })
            start.Environment.Remove(name);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(8)))
        {
            process.Kill(entireProcessTree: true);
            return (-1, "timed out: dotnet " + string.Join(" ", arguments));
        }
        return (process.ExitCode, stdout.Result + stderr.Result);
    }

    public void Dispose()
    {
        try { Directory.Delete(_work, recursive: true); } catch (IOException) { }
        string cached = Path.Combine(Environment.GetEnvironmentVariable("NUGET_PACKAGES")
            ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages"), "seqdsl", _version);
        try { if (Directory.Exists(cached)) Directory.Delete(cached, recursive: true); } catch (IOException) { }
    }
}
