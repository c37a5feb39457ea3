using OnnxLowRank.Core.Execution;
using OnnxLowRank.Onnx.Errors;

namespace OnnxLowRank.Core.Data;

/// <summary>
/// Runs the engine on a source's batch. When the source made up sizes for dimensions nobody sized (random data,
/// 1 for each), a failure is the user's to fix with --dim and says so; on real data the engine's error stands.
/// </summary>
public static class UnsizedDataRun
{
    public static T Run<T>(IDataSource source, Func<T> run)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(run);
        try
        {
            return run();
        }
        catch (OnnxLowRankException e) when (e is not UnsizedDimensionException && !e.IsEnvironmentFailure && source.UnsizedDimensions.Count > 0)
        {
            throw new UnsizedDimensionException(source.UnsizedDimensions, e);
        }
    }
}
