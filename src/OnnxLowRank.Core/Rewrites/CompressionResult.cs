using OnnxLowRank.Core.Layers;
using OnnxLowRank.Onnx.Protos;

namespace OnnxLowRank.Core.Rewrites;

/// <summary>The rewritten model, what was done to each planned layer, and every candidate left alone.</summary>
public sealed record CompressionResult(ModelProto Model, IReadOnlyList<LayerOutcome> Layers, IReadOnlyList<SkippedNode> Skipped)
{
    /// <summary>Weight parameters the rewrites removed, net of the factors they added.</summary>
    public long ParametersSaved => Layers.Sum(l => l.OriginalParameters - l.NewParameters);
}
