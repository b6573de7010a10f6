using System;
using System.Globalization;
using System.IO;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.X86;
using System.Text;

namespace SeqDsl.Runtime.Training;

/// <summary>
/// Lets MKL, which libtorch_cpu links in for its matrix products, run the vector kernels an AMD CPU supports.
/// </summary>
/// <remarks>
/// MKL asks "is this an Intel CPU?" (<c>mkl_serv_intel_cpu_true</c>, answered once from CPUID and cached) before it
/// picks among its kernels, and takes a slower generic path on other vendors' processors even where they have the
/// same AVX2/FMA (on Zen 4 also AVX-512) instructions. On an AMD CPU with AVX2 and FMA, <see cref="Apply"/> sets the
/// cached answer to yes before MKL's first product, which is what the widely used <c>LD_PRELOAD</c> shim does from
/// outside the process. It only writes when the function has the exact instruction sequence of the libtorch builds it
/// was checked with (load the cached value, return it unless negative) and the value lies in a writable mapping of
/// libtorch_cpu; anything else leaves MKL alone and says why. Set <c>SEQDSL_MKL_DISPATCH=vendor</c> to keep MKL's own choice.
/// </remarks>
public static class MklDispatch
{
    /// <summary>The environment variable that keeps MKL's own choice when set to <c>vendor</c>.</summary>
    public const string EnvironmentVariable = "SEQDSL_MKL_DISPATCH";

    private const string IntelCpuSymbol = "mkl_serv_intel_cpu_true";

    private static readonly object Gate = new();
    private static (bool Enabled, string Status)? outcome;

    /// <summary>What <see cref="Apply"/> did, or null before it ran.</summary>
    public static string? Status
    {
        get { lock (Gate) return outcome?.Status; }
    }

    /// <summary>Applies the setting once per process (later calls return the first outcome).</summary>
    /// <returns>Whether MKL now takes its vector kernels on this AMD CPU.</returns>
    public static bool Apply()
    {
        lock (Gate)
        {
            outcome ??= Decide(Environment.GetEnvironmentVariable(EnvironmentVariable));
            return outcome.Value.Enabled;
        }
    }

    /// <summary>Applies the setting for the value of <see cref="EnvironmentVariable"/> and says what it did.</summary>
    internal static (bool Enabled, string Status) Decide(string? setting)
    {
        string vendor = CpuVendor();
        if (vendor != "AuthenticAMD")
            return Keep($"MKL: its own dispatch (CPU vendor {(vendor.Length == 0 ? "unknown" : vendor)})");
        if (string.Equals(setting, "vendor", StringComparison.OrdinalIgnoreCase))
            return Keep($"MKL: its own dispatch ({EnvironmentVariable}=vendor), the generic path on this AMD CPU");
        if (!Avx2.IsSupported || !Fma.IsSupported)
            return Keep("MKL: its own dispatch (this AMD CPU lacks AVX2 or FMA)");
        if (!OperatingSystem.IsLinux())
            return Keep("MKL: its own dispatch (the cached vendor answer is only located on Linux)");
        if (!TorchSetup.TryLoadTorchCpu(out var library) || !NativeLibrary.TryGetExport(library, IntelCpuSymbol, out var function))
            return Keep($"MKL: its own dispatch (libtorch_cpu exports no {IntelCpuSymbol})");

        // mov eax, [rip + disp32]; test eax, eax; js +1; ret
        var code = new byte[11];
        Marshal.Copy(function, code, 0, code.Length);
        if (code[0] != 0x8B || code[1] != 0x05 || code[6] != 0x85 || code[7] != 0xC0 || code[8] != 0x78 || code[10] != 0xC3)
            return Keep($"MKL: its own dispatch ({IntelCpuSymbol} is not the code this was checked with: {Convert.ToHexString(code)})");
        IntPtr cached = function + 6 + BitConverter.ToInt32(code, 2);
        if (!InWritableMappingOfTorchCpu(cached))
            return Keep($"MKL: its own dispatch (the cached answer of {IntelCpuSymbol} is not in a writable mapping of libtorch_cpu)");

        int before = Marshal.ReadInt32(cached);
        if (before > 0) return (true, "MKL: vector kernels enabled (MKL already treats this CPU as Intel)");
        Marshal.WriteInt32(cached, 1);
        return (true, before == 0
            ? "MKL: vector kernels enabled on this AMD CPU (after MKL had answered once; products run before this took the generic path)"
            : "MKL: vector kernels enabled on this AMD CPU (the vendor check answers Intel)");
    }

    private static (bool Enabled, string Status) Keep(string status) => (false, status);

    /// <summary>The CPUID vendor string ("GenuineIntel", "AuthenticAMD"); empty off x86.</summary>
    public static string CpuVendor()
    {
        if (!X86Base.IsSupported) return "";
        var (_, ebx, ecx, edx) = X86Base.CpuId(0, 0);
        var bytes = new byte[12];
        BitConverter.TryWriteBytes(bytes.AsSpan(0), ebx);
        BitConverter.TryWriteBytes(bytes.AsSpan(4), edx);
        BitConverter.TryWriteBytes(bytes.AsSpan(8), ecx);
        return Encoding.ASCII.GetString(bytes);
    }

    /// <summary>
    /// Whether <paramref name="address"/> lies in a writable mapping of libtorch_cpu.so: its data segment, or the
    /// anonymous mapping right after it that holds its zero-initialized data.
    /// </summary>
    private static bool InWritableMappingOfTorchCpu(IntPtr address)
    {
        ulong target = (ulong)address.ToInt64();
        string previousPath = "";
        try
        {
            foreach (var line in File.ReadLines("/proc/self/maps"))
            {
                // start-end perms offset dev inode [path]
                var fields = line.Split(' ', 6, StringSplitOptions.RemoveEmptyEntries);
                if (fields.Length < 5) continue;
                string path = fields.Length == 6 ? fields[5].Trim() : "";
                var range = fields[0].Split('-');
                ulong start = ulong.Parse(range[0], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
                ulong end = ulong.Parse(range[1], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
                if (target >= start && target + sizeof(int) <= end)
                {
                    bool torchCpu = path.Length == 0 ? IsTorchCpu(previousPath) : IsTorchCpu(path);
                    return fields[1].StartsWith("rw", StringComparison.Ordinal) && torchCpu;
                }
                previousPath = path;
            }
        }
        catch (IOException)
        {
        }
        return false;
    }

    private static bool IsTorchCpu(string path) => Path.GetFileName(path) == "libtorch_cpu.so";
}
