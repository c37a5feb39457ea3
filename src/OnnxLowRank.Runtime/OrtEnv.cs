using OnnxLowRank.Runtime.Native;

namespace OnnxLowRank.Runtime;

/// <summary>
/// The process-wide ONNX Runtime environment (logging fatal errors only) that every session shares.
/// It lives as long as the process: ONNX Runtime wants one environment, created before any session.
/// It owns the CPU memory arena, capped at <see cref="MemoryLimit"/>, from which every session of
/// this binding allocates (see <see cref="SessionOptions"/>).
/// </summary>
public sealed unsafe class OrtEnv
{
    private static readonly Lazy<OrtEnv> Shared = new(() => new OrtEnv(), LazyThreadSafetyMode.ExecutionAndPublication);

    // Every failure comes back as a status, which becomes an OnnxRuntimeException with ONNX Runtime's
    // message; its own log would print the same failure again on standard error, breaking the CLI's one
    // line per error.
    private const int LoggingLevelFatal = 4;

    private OrtEnv()
    {
        var api = OrtApi.Instance;
        IntPtr env;
        fixed (byte* logId = "OnnxLowRank"u8)
            api.VerifySuccess(api.CreateEnv(LoggingLevelFatal, logId, &env));
        Handle = new OrtEnvHandle(env);
        var memoryInfo = IntPtr.Zero;
        api.VerifySuccess(api.CreateCpuMemoryInfo(ArenaAllocator, MemTypeDefault, &memoryInfo));
        CpuMemory = new MemoryInfoHandle(memoryInfo);
        MemoryLimitBytes = MemoryLimit.Apply();
        RegisterCappedArena(api, MemoryLimitBytes);
    }

    /// <summary>The cap on the shared arena, in bytes.</summary>
    internal long MemoryLimitBytes { get; }

    // BFCArena's kSameAsRequested: regions as large as asked, so the cap is not spent on rounding up to powers of two.
    private const nuint ArenaExtendSameAsRequested = 1;

    private void RegisterCappedArena(OrtApi api, long maxBytes)
    {
        using var keys = new Utf8StringArray(["max_mem", "arena_extend_strategy"]);
        var values = new[] { (nuint)maxBytes, ArenaExtendSameAsRequested };
        IntPtr arenaConfig;
        fixed (IntPtr* keyPointers = keys.Pointers)
        fixed (nuint* valuePointers = values)
            api.VerifySuccess(api.CreateArenaCfgV2((byte**)keyPointers, valuePointers, (nuint)values.Length, &arenaConfig));
        try
        {
            api.VerifySuccess(api.CreateAndRegisterAllocator(Handle.DangerousGetHandle(), CpuMemory.DangerousGetHandle(), arenaConfig));
        }
        finally
        {
            api.ReleaseArenaCfg(arenaConfig);
        }
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
