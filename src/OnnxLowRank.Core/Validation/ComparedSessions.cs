using OnnxLowRank.Core.Execution;
using OnnxLowRank.Onnx;
using OnnxLowRank.Onnx.Protos;

namespace OnnxLowRank.Core.Validation;

/// <summary>
/// The original and the compressed model opened in the engine for a comparison. When the original keeps its weights on
/// disk (over 2 GB) and both files are known, each is opened from its file: the figures are then the engine's on the
/// very files the user has, and no weights are copied into memory or serialized for it.
/// </summary>
public sealed class ComparedSessions : IDisposable
{
    private ComparedSessions(IModelSession original, IModelSession compressed)
    {
        Original = original;
        Compressed = compressed;
    }

    public IModelSession Original { get; }

    public IModelSession Compressed { get; }

    /// <param name="compressed">The compressed model; null when it is compared from its file (the original keeps its weights on disk).</param>
    /// <param name="originalPath">The file <paramref name="original"/> was loaded from; null for a model made in memory.</param>
    /// <param name="compressedPath">Where <paramref name="compressed"/> was written; null when it was not.</param>
    public static ComparedSessions Open(IModelRunner runner, ModelProto original, ModelProto? compressed, string? originalPath = null, string? compressedPath = null)
    {
        ArgumentNullException.ThrowIfNull(runner);
        ArgumentNullException.ThrowIfNull(original);
        var fromFiles = originalPath is not null && compressedPath is not null && DiskTensor.AnyIn(original);
        if (!fromFiles && compressed is null)
            throw new ArgumentNullException(nameof(compressed), "The compressed model is needed unless both models are compared from their files.");
        // The engine is about to load both models' weights: hand back what the job let go of first (a caller comparing
        // files may have dropped the compressed model's factors), or the collector may leave it beside them.
        if (fromFiles) GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        var originalSession = fromFiles ? runner.OpenFile(originalPath!) : runner.Open(original);
        try
        {
            return new ComparedSessions(originalSession, fromFiles ? runner.OpenFile(compressedPath!) : runner.Open(compressed!));
        }
        catch
        {
            originalSession.Dispose();
            throw;
        }
    }

    public void Dispose()
    {
        Original.Dispose();
        Compressed.Dispose();
    }
}
