namespace OnnxLowRank.Core.Layers;

/// <summary>The layers of a model that can be factorized, and the candidates that cannot, in graph order.</summary>
public sealed record DiscoveryResult(IReadOnlyList<CompressibleLayer> Layers, IReadOnlyList<SkippedNode> Skipped)
{
    /// <summary>The layer with the given name, or null.</summary>
    public CompressibleLayer? Find(string nodeName) => Layers.FirstOrDefault(l => l.NodeName == nodeName);
}
