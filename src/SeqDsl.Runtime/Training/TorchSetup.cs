using System;
using System.IO;
using System.Runtime.InteropServices;
using TorchSharp;

namespace SeqDsl.Runtime.Training;

/// <summary>Process-wide libtorch settings that TorchSharp does not expose.</summary>
public static class TorchSetup
{
    // Itanium-mangled names in libtorch_cpu of at::globalContext(), at::Context::setFlushDenormal(bool),
    // at::Context::userEnabledMkldnn() const and at::Context::setUserEnabledMkldnn(bool).
    private const string GlobalContextSymbol = "_ZN2at13globalContextEv";
    private const string SetFlushDenormalSymbol = "_ZN2at7Context16setFlushDenormalEb";
    private const string UserEnabledMkldnnSymbol = "_ZNK2at7Context17userEnabledMkldnnEv";
    private const string SetUserEnabledMkldnnSymbol = "_ZN2at7Context20setUserEnabledMkldnnEb";

    private static readonly object Gate = new();
    private static bool resolved;
    private static GlobalContextFunction? globalContext;
    private static SetFlushDenormalFunction? setFlushDenormal;
    private static GetFlagFunction? userEnabledOneDnn;
    private static SetFlagFunction? setUserEnabledOneDnn;
    private static int oneDnnSuspensions;
    private static bool oneDnnBeforeSuspension;

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate IntPtr GlobalContextFunction();

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    [return: MarshalAs(UnmanagedType.U1)]
    private delegate bool SetFlushDenormalFunction(IntPtr context, [MarshalAs(UnmanagedType.U1)] bool on);

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    [return: MarshalAs(UnmanagedType.U1)]
    private delegate bool GetFlagFunction(IntPtr context);

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate void SetFlagFunction(IntPtr context, [MarshalAs(UnmanagedType.U1)] bool on);

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

    /// <summary>
    /// Whether libtorch may dispatch to oneDNN (MKL-DNN) kernels (PyTorch's <c>torch.backends.mkldnn.enabled</c>);
    /// null where the setting cannot be read.
    /// </summary>
    public static bool? OneDnnEnabled
    {
        get
        {
            if (!TryResolve() || userEnabledOneDnn is null) return null;
            var context = globalContext!();
            return context == IntPtr.Zero ? null : userEnabledOneDnn(context);
        }
    }

    /// <summary>
    /// Turns libtorch's oneDNN kernels off until the returned scope is disposed, so that operators take ATen's own
    /// CPU implementation; scopes nest, and the setting in force before the outermost one comes back after it.
    /// </summary>
    /// <remarks>
    /// The switch is process-wide, not per thread: operators that other threads run meanwhile also take the ATen
    /// implementation, which computes the same function.
    /// </remarks>
    /// <returns>The scope; where the setting cannot be changed (no libtorch_cpu symbols) a scope that does nothing.</returns>
    public static IDisposable SuspendOneDnn()
    {
        if (!TryResolve() || setUserEnabledOneDnn is null || userEnabledOneDnn is null) return NoScope.Instance;
        lock (Gate)
        {
            var context = globalContext!();
            if (context == IntPtr.Zero) return NoScope.Instance;
            if (oneDnnSuspensions++ == 0)
            {
                oneDnnBeforeSuspension = userEnabledOneDnn(context);
                setUserEnabledOneDnn(context, false);
            }
            return new OneDnnSuspension(context);
        }
    }

    private sealed class OneDnnSuspension(IntPtr context) : IDisposable
    {
        private bool disposed;

        public void Dispose()
        {
            lock (Gate)
            {
                if (disposed) return;
                disposed = true;
                if (--oneDnnSuspensions == 0) setUserEnabledOneDnn!(context, oneDnnBeforeSuspension);
            }
        }
    }

    private sealed class NoScope : IDisposable
    {
        public static readonly NoScope Instance = new();
        public void Dispose() { }
    }

    /// <summary>
    /// Applies the recommended settings: <paramref name="threads"/> intra-op threads if given, <see cref="FlushDenormals"/>,
    /// and <see cref="MklDispatch.Apply"/>.
    /// </summary>
    /// <param name="threads">Value for <c>torch.set_num_threads</c>; null leaves libtorch's default.</param>
    public static void Configure(int? threads = null)
    {
        if (threads is int n)
        {
            if (n <= 0) throw new ArgumentOutOfRangeException(nameof(threads), n, "The thread count must be positive.");
            torch.set_num_threads(n);
        }
        FlushDenormals(true);
        MklDispatch.Apply();
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
                if (NativeLibrary.TryGetExport(library, UserEnabledMkldnnSymbol, out var getOneDnn) &&
                    NativeLibrary.TryGetExport(library, SetUserEnabledMkldnnSymbol, out var setOneDnn))
                {
                    userEnabledOneDnn = Marshal.GetDelegateForFunctionPointer<GetFlagFunction>(getOneDnn);
                    setUserEnabledOneDnn = Marshal.GetDelegateForFunctionPointer<SetFlagFunction>(setOneDnn);
                }
                return true;
            }
            catch (Exception e) when (e is DllNotFoundException or TypeInitializationException or NotSupportedException or EntryPointNotFoundException)
            {
                return false;
            }
        }
    }

    /// <summary>Loads (or finds the already loaded) libtorch_cpu.</summary>
    internal static bool TryLoadTorchCpu(out IntPtr library)
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
