using System.Runtime.InteropServices;

namespace OnnxLowRank.Runtime.Native;

/// <summary>
/// Finds and loads the ONNX Runtime shared library: the file named by ONNXRUNTIME_LIB when set
/// (e.g. a CUDA-enabled build), otherwise the copy the build placed beside our assemblies.
/// </summary>
internal static class OnnxRuntimeLibrary
{
    public const string PathVariable = "ONNXRUNTIME_LIB";

    /// <summary>The file name the build copies beside the assemblies on this platform.</summary>
    public static string FileName =>
        OperatingSystem.IsWindows() ? "onnxruntime.dll"
        : OperatingSystem.IsMacOS() ? "libonnxruntime.1.dylib"
        : "libonnxruntime.so.1";

    public static (IntPtr Handle, string Path) Load()
    {
        var configured = Environment.GetEnvironmentVariable(PathVariable);
        if (!string.IsNullOrEmpty(configured))
        {
            if (!File.Exists(configured))
                throw new OnnxRuntimeException(ErrorCode.NoSuchFile, $"{PathVariable} names a file that does not exist.", configured,
                    advice: $"point {PathVariable} at an onnxruntime shared library or unset it to use the bundled one");
            return (LoadFile(configured), configured);
        }

        var searched = new List<string>();
        foreach (var directory in new[] { AppContext.BaseDirectory, Path.GetDirectoryName(typeof(OnnxRuntimeLibrary).Assembly.Location) })
        {
            if (string.IsNullOrEmpty(directory)) continue;
            var candidate = Path.Combine(directory, FileName);
            if (searched.Contains(candidate)) continue;
            searched.Add(candidate);
            if (File.Exists(candidate)) return (LoadFile(candidate), candidate);
        }
        throw new OnnxRuntimeException(ErrorCode.NoSuchFile,
            $"The ONNX Runtime library {FileName} was not found (looked at {string.Join(", ", searched)}).",
            advice: $"build the project (it fetches ONNX Runtime into the output folder) or set {PathVariable} to the library");
    }

    private static IntPtr LoadFile(string path)
    {
        try
        {
            return NativeLibrary.Load(Path.GetFullPath(path));
        }
        catch (DllNotFoundException e)
        {
            throw new OnnxRuntimeException(ErrorCode.Fail, $"The ONNX Runtime library could not be loaded: {e.Message}", path, inner: e);
        }
        catch (BadImageFormatException e)
        {
            throw new OnnxRuntimeException(ErrorCode.Fail, $"The file is not an ONNX Runtime library for this platform: {e.Message}", path, inner: e);
        }
    }
}
