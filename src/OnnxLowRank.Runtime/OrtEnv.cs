using OnnxLowRank.Runtime.Native;

namespace OnnxLowRank.Runtime;

/// <summary>
/// The process-wide ONNX Runtime environment (logging at warning level) that every session shares.
/// It lives as long as the process: ONNX Runtime wants one environment, created before any session.
/// </summary>
public sealed unsafe class OrtEnv
{
    private static readonly Lazy<OrtEnv> Shared = new(() => new OrtEnv(), LazyThreadSafetyMode.ExecutionAndPublication);

    private const int LoggingLevelWarning = 2;

    private OrtEnv()
    {
        var api = OrtApi.Instance;
        IntPtr env;
        fixed (byte* logId = "OnnxLowRank"u8)
            api.VerifySuccess(api.CreateEnv(LoggingLevelWarning, logId, &env));
        Handle = new OrtEnvHandle(env);
        var memoryInfo = IntPtr.Zero;
        api.VerifySuccess(api.CreateCpuMemoryInfo(ArenaAllocator, MemTypeDefault, &memoryInfo));
        CpuMemory = new MemoryInfoHandle(memoryInfo);
    }

    // OrtAllocatorType.OrtArenaAllocator and OrtMemType.OrtMemTypeDefault from the C API.
    private const int ArenaAllocator = 1;
    private const int MemTypeDefault = 0;

    /// <summary>Loads ONNX Runtime on first use and returns the shared environment.</summary>
    public static OrtEnv Instance() => Shared.Value;

    internal OrtEnvHandle Handle { get; }

    /// <summary>Describes ordinary CPU memory; used for tensors over managed arrays.</summary>
    internal MemoryInfoHandle CpuMemory { get; }

    /// <summary>The version of the loaded library, e.g. "1.30.0".</summary>
    public string GetVersionString() => OrtApi.Instance.Version;

    /// <summary>The file ONNX Runtime was loaded from.</summary>
    public string LibraryPath => OrtApi.Instance.LibraryPath;

    /// <summary>Execution providers compiled into the loaded library, e.g. CPUExecutionProvider.</summary>
    public string[] GetAvailableProviders()
    {
        var api = OrtApi.Instance;
        IntPtr* names;
        int count;
        api.VerifySuccess(api.GetAvailableProviders(&names, &count));
        try
        {
            var providers = new string[count];
            for (var i = 0; i < count; i++) providers[i] = Utf8.Read((byte*)names[i]) ?? "";
            return providers;
        }
        finally
        {
            api.VerifySuccess(api.ReleaseAvailableProviders(names, count));
        }
    }
}
