using System.Runtime.InteropServices;
using TorchSharp;
using static TorchSharp.torch;

namespace SeqDsl.Bench;

/// <summary>What SeqDsl's side runs on: TorchSharp's libtorch, its threads, and whether it was built with MKL / oneDNN / OpenMP.</summary>
internal static class InfoBench
{
    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    [return: MarshalAs(UnmanagedType.U1)]
    private delegate bool StaticFlag();

    public static int Run(Options options)
    {
        int threads = Program.Configure(options);
        using (var scope = NewDisposeScope())
        {
            var a = randn(256, 256);
            a.matmul(a).sum().item<float>();
        }
        var libraries = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var line in File.ReadLines("/proc/self/maps"))
        {
            var path = line.Split(' ', StringSplitOptions.RemoveEmptyEntries).ElementAtOrDefault(5);
            if (path is null) continue;
            var name = Path.GetFileName(path);
            if (name.Contains("torch_cpu", StringComparison.Ordinal) || name.Contains("blas", StringComparison.Ordinal) ||
                name.Contains("mkl", StringComparison.Ordinal) || name.Contains("gomp", StringComparison.Ordinal) ||
                name.Contains("dnnl", StringComparison.Ordinal))
                libraries.Add(path);
        }
        var torchCpu = libraries.FirstOrDefault(p => p.EndsWith("libtorch_cpu.so", StringComparison.Ordinal));
        string Flag(string symbol)
        {
            if (torchCpu is null || !NativeLibrary.TryLoad(torchCpu, out var handle) || !NativeLibrary.TryGetExport(handle, symbol, out var address))
                return "?";
            return Marshal.GetDelegateForFunctionPointer<StaticFlag>(address)() ? "yes" : "no";
        }
        // at::Context::hasMKL(), hasMKLDNN(), hasOpenMP(): static members of libtorch's global context.
        string mkl = Flag("_ZN2at7Context6hasMKLEv"), mkldnn = Flag("_ZN2at7Context9hasMKLDNNEv"), openmp = Flag("_ZN2at7Context9hasOpenMPEv");
        Console.WriteLine($"seqdsl TorchSharp {typeof(torch).Assembly.GetName().Version}, libtorch {torch.__version__}, {threads} threads " +
                          $"(torch.get_num_threads() = {get_num_threads()}); MKL: {mkl}, oneDNN: {mkldnn}, OpenMP: {openmp}");
        Console.WriteLine("  libraries mapped: " + string.Join(", ", libraries));
        var (cpu, extensions) = Cpu();
        var kernels = SeqDsl.Runtime.Layers.RecurrentKernels.Check();
        string isa = options.String("onednn-isa", "?");
        Console.WriteLine($"  CPU: {cpu}; vector extensions: {string.Join(' ', extensions)}");
        Console.WriteLine($"  {SeqDsl.Runtime.Training.MklDispatch.Status ?? "MKL: dispatch not configured"}; oneDNN ISA: {isa}");
        Console.WriteLine($"  {kernels.Summary}");
        Program.Result(new()
        {
            ["kind"] = "info_seqdsl",
            ["torchsharp"] = typeof(torch).Assembly.GetName().Version?.ToString(),
            ["libtorch"] = torch.__version__,
            ["threads"] = get_num_threads(),
            ["mkl"] = mkl,
            ["mkldnn"] = mkldnn,
            ["openmp"] = openmp,
            ["libraries"] = libraries.ToArray(),
            ["cpu"] = cpu,
            ["vector_extensions"] = extensions,
            ["mkl_dispatch"] = SeqDsl.Runtime.Training.MklDispatch.Status,
            ["onednn_isa"] = isa,
            ["recurrent_kernels"] = kernels.Summary,
        });
        return 0;
    }

    /// <summary>The CPU's model name and the vector extensions among its flags that the kernels choose by (/proc/cpuinfo).</summary>
    private static (string Model, string[] Extensions) Cpu()
    {
        string model = "?", family = "?", number = "?";
        string[] flags = Array.Empty<string>();
        if (File.Exists("/proc/cpuinfo"))
        {
            foreach (var line in File.ReadLines("/proc/cpuinfo"))
            {
                var parts = line.Split(':', 2);
                if (parts.Length < 2) continue;
                string key = parts[0].Trim();
                if (key == "model name" && model == "?") model = parts[1].Trim();
                if (key == "cpu family" && family == "?") family = parts[1].Trim();
                if (key == "model" && number == "?") number = parts[1].Trim();
                if (key == "flags" && flags.Length == 0) flags = parts[1].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            }
        }
        var vector = flags.Where(f => f is "sse4_2" or "avx" or "avx2" or "fma" or "f16c" || f.StartsWith("avx512", StringComparison.Ordinal) ||
                                      f.StartsWith("amx", StringComparison.Ordinal) || f.StartsWith("avx_vnni", StringComparison.Ordinal)).ToArray();
        return ($"{model} ({SeqDsl.Runtime.Training.MklDispatch.CpuVendor()} family {family} model {number}, {Environment.ProcessorCount} logical cores)", vector);
    }
}
