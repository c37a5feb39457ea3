using OnnxLowRank.Runtime.Native;

namespace OnnxLowRank.Runtime;

/// <summary>
/// How a session is built: threads, graph optimization level and execution providers. Every session
/// allocates its CPU tensors from the environment's arena, capped at <see cref="MemoryLimit"/>.
/// </summary>
public sealed unsafe class SessionOptions : IDisposable
{
    private int _intraOpNumThreads;
    private int _interOpNumThreads;
    private GraphOptimizationLevel _graphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL;

    public SessionOptions()
    {
        OrtEnv.Instance();
        var api = OrtApi.Instance;
        IntPtr options;
        api.VerifySuccess(api.CreateSessionOptions(&options));
        Handle = new SessionOptionsHandle(options);
        AddSessionConfigEntry("session.use_env_allocators", "1");
    }

    /// <summary>Sets one of ONNX Runtime's session configuration keys (onnxruntime_session_options_config_keys.h).</summary>
    public void AddSessionConfigEntry(string key, string value)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(value);
        var api = OrtApi.Instance;
        fixed (byte* k = Utf8.NullTerminated(key), v = Utf8.NullTerminated(value))
            api.VerifySuccess(api.AddSessionConfigEntry(Handle.DangerousGetHandle(), k, v), subject: key);
    }

    internal SessionOptionsHandle Handle { get; }

    /// <summary>Threads used inside one operator; 0 lets ONNX Runtime choose (one per core).</summary>
    public int IntraOpNumThreads
    {
        get => _intraOpNumThreads;
        set
        {
            var api = OrtApi.Instance;
            api.VerifySuccess(api.SetIntraOpNumThreads(Handle.DangerousGetHandle(), value));
            _intraOpNumThreads = value;
        }
    }

    /// <summary>Threads used to run independent operators in parallel; 0 lets ONNX Runtime choose.</summary>
    public int InterOpNumThreads
    {
        get => _interOpNumThreads;
        set
        {
            var api = OrtApi.Instance;
            api.VerifySuccess(api.SetInterOpNumThreads(Handle.DangerousGetHandle(), value));
            _interOpNumThreads = value;
        }
    }

    public GraphOptimizationLevel GraphOptimizationLevel
    {
        get => _graphOptimizationLevel;
        set
        {
            var api = OrtApi.Instance;
            api.VerifySuccess(api.SetSessionGraphOptimizationLevel(Handle.DangerousGetHandle(), (int)value));
            _graphOptimizationLevel = value;
        }
    }

    /// <summary>Runs on the given CUDA device, falling back to the CPU for operators CUDA lacks.</summary>
    public void AppendExecutionProvider_CUDA(int deviceId = 0)
    {
        using var options = new OrtCUDAProviderOptions();
        options.UpdateOptions(new Dictionary<string, string> { ["device_id"] = deviceId.ToString(System.Globalization.CultureInfo.InvariantCulture) });
        AppendExecutionProvider_CUDA(options);
    }

    /// <summary>Runs on CUDA with the given options; ONNX Runtime copies them, so they may be disposed afterwards.</summary>
    public void AppendExecutionProvider_CUDA(OrtCUDAProviderOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var api = OrtApi.Instance;
        api.VerifySuccess(api.SessionOptionsAppendExecutionProvider_CUDA_V2(Handle.DangerousGetHandle(), options.Handle.DangerousGetHandle()),
            advice: CudaProvider.Advice);
    }

    public void Dispose() => Handle.Dispose();
}
