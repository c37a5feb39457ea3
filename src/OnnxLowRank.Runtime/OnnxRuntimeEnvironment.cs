using Microsoft.ML.OnnxRuntime;
using OnnxLowRank.Runtime.Native;

namespace OnnxLowRank.Runtime;

/// <summary>
/// The process-wide ONNX Runtime environment, set up once before any session: logging of fatal errors
/// only, and one CPU arena capped at <see cref="MemoryLimit"/> that every session made by
/// <see cref="OnnxRuntimeSessions"/> allocates from. Call <see cref="Instance"/> before anything else
/// touches <see cref="OrtEnv"/>: ONNX Runtime keeps the first environment created.
/// </summary>
public static class OnnxRuntimeEnvironment
{
    private static readonly Lazy<OrtEnv> Shared = new(Create, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>The environment, created and given its capped arena on first use.</summary>
    public static OrtEnv Instance => Shared.Value;

    /// <summary>The version of the loaded library, e.g. "1.32.0".</summary>
    public static string Version => Instance.GetVersionString();

    /// <summary>Execution providers compiled into the loaded library, e.g. CPUExecutionProvider.</summary>
    public static IReadOnlyList<string> AvailableProviders => Instance.GetAvailableProviders();

    private static OrtEnv Create()
    {
        // Every failure reaches the caller as an exception with ONNX Runtime's message; its own log would
        // print the same failure again on standard error, breaking the CLI's one line per error.
        var options = new EnvironmentCreationOptions { logId = "OnnxLowRank", logLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_FATAL };
        var environment = OrtEnv.CreateInstanceWithOptions(ref options);
        CappedCpuArena.Register(environment, MemoryLimit.Apply());
        return environment;
    }
}
