using SeqDsl.Runtime.Data;
using SeqDsl.Runtime.Layers;
using SeqDsl.Runtime.Tests.Layers;
using SeqDsl.Runtime.Training;
using static TorchSharp.torch;

namespace SeqDsl.Runtime.Tests.Training;

/// <summary>A batch source backed by a delegate, counting calls and recording disposal.</summary>
internal sealed class DelegateSource(Func<(Tensor Inputs, Tensor Targets)> next) : IBatchSource, IDisposable
{
    public int Calls { get; private set; }

    public bool Disposed { get; private set; }

    public (Tensor Inputs, Tensor Targets) Next()
    {
        Calls++;
        return next();
    }

    public void Dispose() => Disposed = true;
}

/// <summary>Records every progress report as a short string (and lets tests hook into epoch ends).</summary>
internal sealed class RecordingProgress : ITrainingProgress
{
    public List<string> Events { get; } = new();

    public List<EpochRecord> Records { get; } = new();

    public List<double> StepLosses { get; } = new();

    public Action<EpochRecord>? OnEpochCompleted { get; init; }

    public Action<int>? OnEpochStarted { get; init; }

    public void EpochStarted(int epoch, int epochs, int steps)
    {
        Events.Add($"epoch {epoch}/{epochs} ({steps} steps)");
        OnEpochStarted?.Invoke(epoch);
    }

    public void StepCompleted(int step, double loss)
    {
        Events.Add($"step {step}");
        StepLosses.Add(loss);
    }

    public void ValidationStarted(int steps) => Events.Add($"validate ({steps} steps)");

    public void EpochCompleted(EpochRecord record)
    {
        Events.Add($"end {record.Epoch}");
        Records.Add(record);
        OnEpochCompleted?.Invoke(record);
    }
}

/// <summary>Records the module mode and grad mode of every forward call.</summary>
internal sealed class ModeProbe : nn.Module<Tensor, Tensor>
{
    private readonly Dense dense;

    public ModeProbe() : base("probe")
    {
        dense = new Dense("dense", 1, new DenseOptions(1));
        RegisterComponents();
    }

    public List<(bool Training, bool Grad)> Calls { get; } = new();

    public override Tensor forward(Tensor input)
    {
        Calls.Add((training, is_grad_enabled()));
        return dense.call(input);
    }
}

internal static class TrainingData
{
    /// <summary>Random batches of y = 2x + 1 with x uniform in [-1, 1], shapes (batch, 1).</summary>
    public static DelegateSource Linear(int batchSize, int seed)
    {
        var random = new Random(seed);
        return new DelegateSource(() =>
        {
            var x = Enumerable.Range(0, batchSize).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
            return Batch(x, x.Select(v => 2 * v + 1).ToArray());
        });
    }

    /// <summary>The same batch of y = 2x + 1 on every call, so that results do not depend on where a source restarts.</summary>
    public static DelegateSource FixedLinear() => Fixed(new[] { -1f, -0.5f, 0f, 0.25f, 1f }, new[] { -1f, 0f, 1f, 1.5f, 3f });

    public static DelegateSource Fixed(float[] x, float[] y) => new(() => Batch(x, y));

    public static (Tensor Inputs, Tensor Targets) Batch(float[] x, float[] y) => (tensor(x).reshape(-1, 1), tensor(y).reshape(-1, 1));

    /// <summary>
    /// A Dense(1 → 1) whose kernel is drawn from Glorot uniform (limit √(6 / (1 + 1)) = √3) by a <see cref="Random"/> of
    /// its own, bias zero. Not from torch's global generator: tests running in parallel draw from that one too, so two
    /// models of one seed could start from different weights.
    /// </summary>
    public static Dense NewModel(int seed)
    {
        var model = new Dense("dense", 1, new DenseOptions(1));
        double limit = Math.Sqrt(3);
        TensorAssert.SetParameter(model, "kernel", new[] { (float)((new Random(seed).NextDouble() * 2 - 1) * limit) });
        return model;
    }

    /// <summary>All parameters, flattened in state-dict order.</summary>
    public static float[] Weights(nn.Module model)
    {
        using var scope = NewDisposeScope();
        return model.state_dict().OrderBy(kv => kv.Key, StringComparer.Ordinal)
            .SelectMany(kv => kv.Value.detach().cpu().to_type(ScalarType.Float32).data<float>().ToArray())
            .ToArray();
    }

    public static double MaxDifference(float[] a, float[] b)
    {
        Assert.Equal(a.Length, b.Length);
        return a.Zip(b, (x, y) => Math.Abs((double)x - y)).Max();
    }
}

/// <summary>A temporary directory deleted after the test.</summary>
internal sealed class TempDirectory : IDisposable
{
    public TempDirectory() => Directory.CreateDirectory(Path);

    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "seqdsl-training-" + Guid.NewGuid().ToString("N"));

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public string[] TempFiles() => Directory.GetFiles(Path, "*.tmp-*");

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
