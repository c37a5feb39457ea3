using OnnxLowRank.Core.Execution;
using OnnxLowRank.Onnx.Errors;
using OnnxLowRank.Runtime;

namespace OnnxLowRank.Cli.Commands;

/// <summary>
/// The engine runs models held in memory, so its errors name no file; while a command works on the
/// model the user named, such an error is reported against that file.
/// </summary>
internal static class ModelErrors
{
    public static T Naming<T>(string modelPath, Func<T> work)
    {
        try
        {
            return work();
        }
        catch (OnnxRuntimeException e) when (e.FilePath is null)
        {
            throw e.ForFile(modelPath);
        }
        catch (UnsizedDimensionException e) when (e.FilePath is null)
        {
            throw e.ForFile(modelPath);
        }
        catch (UnsupportedModelException e) when (e.FilePath is null)
        {
            // Thrown where only the model in memory is known, e.g. a model over 2 GB asked to run from memory.
            throw new UnsupportedModelException(e.Reason, modelPath, e.Subject, e.Advice, e);
        }
    }
}
