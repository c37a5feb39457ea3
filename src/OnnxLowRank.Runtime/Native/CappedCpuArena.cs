using System.Runtime.InteropServices;
using Microsoft.ML.OnnxRuntime;

namespace OnnxLowRank.Runtime.Native;

/// <summary>
/// Registers the CPU arena every session allocates from, capped at a size in bytes. The managed
/// API's <see cref="OrtArenaCfg"/> takes the cap as a 32-bit count (at most 4 GiB), while the cap is
/// half of the machine's memory by default, so the arena configuration is made through the C API's
/// CreateArenaCfgV2, whose values are size_t. This is the only C API call of the project; the table
/// slots are ONNX Runtime's (onnxruntime_c_api.h), which only ever appends to that table.
/// </summary>
internal static unsafe class CappedCpuArena
{
    // ORT_API_VERSION 23 (ONNX Runtime 1.23) has every slot below; newer libraries serve older versions.
    private const uint ApiVersion = 23;
    private const int GetErrorMessageSlot = 2;
    private const int ReleaseStatusSlot = 93;
    private const int CreateAndRegisterAllocatorSlot = 144;
    private const int ReleaseArenaCfgSlot = 157;
    private const int CreateArenaCfgV2Slot = 164;

    // BFCArena's kSameAsRequested: regions as large as asked, so the cap is not spent on rounding up to powers of two.
    private const nuint ArenaExtendSameAsRequested = 1;

    /// <summary>Registers on <paramref name="environment"/> a CPU arena of at most <paramref name="maxBytes"/>.</summary>
    public static void Register(OrtEnv environment, long maxBytes)
    {
        var api = ApiTable();
        var createArenaCfg = (delegate* unmanaged<byte**, nuint*, nuint, IntPtr*, IntPtr>)api[CreateArenaCfgV2Slot];
        var register = (delegate* unmanaged<IntPtr, IntPtr, IntPtr, IntPtr>)api[CreateAndRegisterAllocatorSlot];
        var releaseArenaCfg = (delegate* unmanaged<IntPtr, void>)api[ReleaseArenaCfgSlot];

        var keys = new[] { Marshal.StringToCoTaskMemUTF8("max_mem"), Marshal.StringToCoTaskMemUTF8("arena_extend_strategy") };
        var values = new[] { (nuint)maxBytes, ArenaExtendSameAsRequested };
        try
        {
            IntPtr arenaCfg;
            fixed (IntPtr* k = keys)
            fixed (nuint* v = values)
                Verify(api, createArenaCfg((byte**)k, v, (nuint)values.Length, &arenaCfg));
            try
            {
                // The arena serves the same memory as ONNX Runtime's default CPU allocator: "Cpu", arena type, device 0.
                using var cpu = new OrtMemoryInfo(OrtMemoryInfo.allocatorCPU, OrtAllocatorType.ArenaAllocator, 0, OrtMemType.Default);
                Verify(api, register(environment.DangerousGetHandle(), cpu.DangerousGetHandle(), arenaCfg));
            }
            finally
            {
                releaseArenaCfg(arenaCfg);
            }
        }
        finally
        {
            foreach (var key in keys) Marshal.FreeCoTaskMem(key);
        }
    }

    private static IntPtr* ApiTable()
    {
        // The library the official package loaded, found the way it finds it.
        var library = NativeLibrary.Load("onnxruntime", typeof(OrtEnv).Assembly, null);
        var getApiBase = (delegate* unmanaged<IntPtr*>)NativeLibrary.GetExport(library, "OrtGetApiBase");
        var getApi = (delegate* unmanaged<uint, IntPtr*>)getApiBase()[0];
        var table = getApi(ApiVersion);
        if (table is null)
            throw new OnnxRuntimeException(ErrorCode.Fail, $"the loaded ONNX Runtime does not offer C API version {ApiVersion}",
                advice: "use ONNX Runtime 1.23 or newer");
        return table;
    }

    private static void Verify(IntPtr* api, IntPtr status)
    {
        if (status == IntPtr.Zero) return;
        var message = Marshal.PtrToStringUTF8(((delegate* unmanaged<IntPtr, IntPtr>)api[GetErrorMessageSlot])(status));
        ((delegate* unmanaged<IntPtr, void>)api[ReleaseStatusSlot])(status);
        throw new OnnxRuntimeException(ErrorCode.Fail, $"ONNX Runtime refused the capped CPU arena: {message}");
    }
}
