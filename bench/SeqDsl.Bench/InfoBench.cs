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
        });
        return 0;
    }
}
