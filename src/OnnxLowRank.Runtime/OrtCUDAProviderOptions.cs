using OnnxLowRank.Runtime.Native;

namespace OnnxLowRank.Runtime;

/// <summary>
/// Options of the CUDA execution provider (OrtCUDAProviderOptionsV2), set as ONNX Runtime's string
/// key/value pairs, e.g. "device_id" = "0", "gpu_mem_limit", "cudnn_conv_algo_search".
/// </summary>
public sealed unsafe class OrtCUDAProviderOptions : IDisposable
{
    public OrtCUDAProviderOptions()
    {
        OrtEnv.Instance();
        var api = OrtApi.Instance;
        IntPtr options;
        api.VerifySuccess(api.CreateCUDAProviderOptions(&options), advice: CudaProvider.Advice);
        Handle = new CudaProviderOptionsHandle(options);
    }

    internal CudaProviderOptionsHandle Handle { get; }

    public void UpdateOptions(IReadOnlyDictionary<string, string> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        using var keys = new Utf8StringArray(options.Keys);
        using var values = new Utf8StringArray(options.Keys.Select(k => options[k]));
        var api = OrtApi.Instance;
        fixed (IntPtr* k = keys.Pointers, v = values.Pointers)
            api.VerifySuccess(api.UpdateCUDAProviderOptions(Handle.DangerousGetHandle(), k, v, (nuint)keys.Length), advice: CudaProvider.Advice);
    }

    public void Dispose() => Handle.Dispose();
}
