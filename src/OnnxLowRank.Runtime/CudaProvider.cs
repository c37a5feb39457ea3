namespace OnnxLowRank.Runtime;

/// <summary>What a user needs for the CUDA execution provider, said with every CUDA failure.</summary>
internal static class CudaProvider
{
    public const string Advice =
        "the CUDA execution provider needs libonnxruntime_providers_shared and libonnxruntime_providers_cuda of the same " +
        "ONNX Runtime version beside the library (as in the onnxruntime-gpu release), plus CUDA and cuDNN; " +
        "point ONNXRUNTIME_LIB at such a build, or use the CPU provider";
}
