namespace OnnxLowRank.Onnx;

/// <summary>How <see cref="OnnxModelFile.Load"/> treats external data.</summary>
public sealed record ModelLoadOptions
{
    /// <summary>
    /// External data totalling this many bytes or more stays on disk instead of being copied into memory. It stays
    /// on disk anyway when the model would otherwise reach protobuf's 2 GB limit; a lower bound is for tests and
    /// for callers that only need the graph.
    /// </summary>
    public long KeepExternalDataOnDiskFrom { get; init; } = long.MaxValue;
}
