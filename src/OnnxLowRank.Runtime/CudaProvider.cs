namespace OnnxLowRank.Runtime;

/// <summary>What a user needs for the CUDA execution provider, said with every CUDA failure.</summary>
internal static class CudaProvider
{
    public const string Advice =
        "the CUDA execution provider needs an ONNX Runtime build with libonnxruntime_providers_cuda and " +
        "libonnxruntime_providers_shared beside the library, plus CUDA and cuDNN; point ONNXRUNTIME_LIB at such a build, or use the CPU provider";
}
