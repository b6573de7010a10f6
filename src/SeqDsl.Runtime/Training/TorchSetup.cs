using System;
using System.IO;
using System.Runtime.InteropServices;
using TorchSharp;

namespace SeqDsl.Runtime.Training;

/// <summary>Process-wide libtorch settings that TorchSharp does not expose.</summary>
public static class TorchSetup
{
    // Itanium-mangled names of at::globalContext() and at::Context::setFlushDenormal(bool) in libtorch_cpu.
    private const string GlobalContextSymbol = "_ZN2at13globalContextEv";
    private const string SetFlushDenormalSymbol = "_ZN2at7Context16setFlushDenormalEb";

    private static readonly object Gate = new();
    private static bool resolved;
    private static GlobalContextFunction? globalContext;
    private static SetFlushDenormalFunction? setFlushDenormal;

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate IntPtr GlobalContextFunction();

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    [return: MarshalAs(UnmanagedType.U1)]
    private delegate bool SetFlushDenormalFunction(IntPtr context, [MarshalAs(UnmanagedType.U1)] bool on);

    /// <summary>
    /// Sets flush-to-zero / denormals-are-zero on the CPU (PyTorch's <c>torch.set_flush_denormal</c>). Saturated
    /// sigmoids and tanh in recurrent layers produce denormal floats, which x86 CPUs process up to 100× slower.
    /// </summary>
    /// <remarks>
    /// The flags live in the MXCSR register of the calling thread (threads started later from it inherit them), so
    /// call this on the thread that trains. Works where libtorch_cpu exports the Itanium-mangled symbols (Linux, macOS).
    /// </remarks>
    /// <param name="enabled">True to flush denormals to zero, false to restore IEEE behaviour.</param>
    /// <returns>Whether the setting took effect; false (never an exception) when the library, the symbols or the CPU support is missing.</returns>
    public static bool FlushDenormals(bool enabled = true)
    {
        if (!TryResolve()) return false;
        var context = globalContext!();
        return context != IntPtr.Zero && setFlushDenormal!(context, enabled);
    }

    /// <summary>Applies the recommended settings: <paramref name="threads"/> intra-op threads if given, and <see cref="FlushDenormals"/>.</summary>
    /// <param name="threads">Value for <c>torch.set_num_threads</c>; null leaves libtorch's default.</param>
    public static void Configure(int? threads = null)
    {
        if (threads is int n)
        {
            if (n <= 0) throw new ArgumentOutOfRangeException(nameof(threads), n, "The thread count must be positive.");
            torch.set_num_threads(n);
        }
        FlushDenormals(true);
    }

    private static bool TryResolve()
    {
        lock (Gate)
        {
            if (resolved) return globalContext is not null;
            resolved = true;
            if (!OperatingSystem.IsLinux() && !OperatingSystem.IsMacOS()) return false;
            try
            {
                // Any tensor operation makes TorchSharp load libtorch_cpu, after which dlopen finds it by its soname.
                torch.get_num_threads();
                if (!TryLoadTorchCpu(out var library)) return false;
                if (!NativeLibrary.TryGetExport(library, GlobalContextSymbol, out var contextAddress) ||
                    !NativeLibrary.TryGetExport(library, SetFlushDenormalSymbol, out var setAddress))
                    return false;
                globalContext = Marshal.GetDelegateForFunctionPointer<GlobalContextFunction>(contextAddress);
                setFlushDenormal = Marshal.GetDelegateForFunctionPointer<SetFlushDenormalFunction>(setAddress);
                return true;
            }
            catch (Exception e) when (e is DllNotFoundException or TypeInitializationException or NotSupportedException or EntryPointNotFoundException)
            {
                return false;
            }
        }
    }

    private static bool TryLoadTorchCpu(out IntPtr library)
    {
        var name = OperatingSystem.IsMacOS() ? "libtorch_cpu.dylib" : "libtorch_cpu.so";
        if (NativeLibrary.TryLoad(name, out library)) return true;
        // Fall back to the places TorchSharp's own native libraries are deployed to.
        if (NativeLibrary.TryLoad(name, typeof(torch).Assembly, DllImportSearchPath.AssemblyDirectory | DllImportSearchPath.ApplicationDirectory, out library))
            return true;
        var rid = RuntimeInformation.RuntimeIdentifier;
        foreach (var directory in new[] { AppContext.BaseDirectory, Path.Combine(AppContext.BaseDirectory, "runtimes", rid, "native") })
        {
            if (NativeLibrary.TryLoad(Path.Combine(directory, name), out library)) return true;
        }
        return false;
    }
}
