using System.Runtime.InteropServices;
using Microsoft.ML.OnnxRuntime;

namespace OnnxLowRank.Runtime;

/// <summary>
/// The CUDA execution provider of the official package. The default (CPU) build has no CUDA provider; the
/// GPU build (<c>-p:OnnxRuntimeFlavour=Gpu</c>) carries it, and it loads only where CUDA 13 and cuDNN 9 are
/// installed. Either way a failure becomes one <see cref="OnnxRuntimeException"/> that says what is missing.
/// </summary>
internal static class CudaProvider
{
    public const string Advice =
        "--ep cuda needs the GPU build of this tool (build or pack it with -p:OnnxRuntimeFlavour=Gpu, which brings " +
        "Microsoft.ML.OnnxRuntime.Gpu.Linux or .Gpu.Windows and libonnxruntime_providers_cuda), an NVIDIA driver, " +
        "CUDA 13.x (libcudart.so.13, libcublas.so.13) and cuDNN 9.x on the library path; or use --ep cpu";

    // What libonnxruntime_providers_cuda links against (its ELF NEEDED entries) and loads (cuDNN), by soname.
    private static readonly string[] Dependencies = ["libcuda.so.1", "libcudart.so.13", "libcublas.so.13", "libcublasLt.so.13", "libcurand.so.10", "libcudnn.so.9"];

    /// <summary>Appends CUDA on <paramref name="deviceId"/>; operators CUDA lacks fall back to the CPU.</summary>
    public static void Append(SessionOptions options, int deviceId)
    {
        try
        {
            OnnxRuntimeSessions.Translated(() => options.AppendExecutionProvider_CUDA(deviceId), filePath: null, Advice);
        }
        catch (OnnxRuntimeException e) when (OperatingSystem.IsLinux() && Missing() is { Length: > 0 } missing)
        {
            // ONNX Runtime says only that the provider library failed to load; name what it could not find.
            throw new OnnxRuntimeException(e.ErrorCode, $"{e.Reason} (not found on this machine: {string.Join(", ", missing)})", advice: Advice, inner: e,
                environmentFailure: true);
        }
        catch (OnnxRuntimeException e)
        {
            throw new OnnxRuntimeException(e.ErrorCode, e.Reason, advice: Advice, inner: e, environmentFailure: true);
        }
        catch (EntryPointNotFoundException e)
        {
            // The CPU package's library does not export the CUDA entry point at all.
            throw new OnnxRuntimeException(ErrorCode.Fail,
                $"this build of ONNX Runtime ({OnnxRuntimeEnvironment.Version}, providers: {string.Join(", ", OnnxRuntimeEnvironment.AvailableProviders)}) has no CUDA execution provider",
                advice: Advice, inner: e, environmentFailure: true);
        }
    }

    private static string[] Missing() => Dependencies.Where(name =>
    {
        if (!NativeLibrary.TryLoad(name, out var handle)) return true;
        NativeLibrary.Free(handle);
        return false;
    }).ToArray();
}
