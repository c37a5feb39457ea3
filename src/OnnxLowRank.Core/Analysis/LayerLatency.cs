using OnnxLowRank.Core.Allocation;
using OnnxLowRank.Core.Execution;

namespace OnnxLowRank.Core.Analysis;

/// <summary>What timing found for one layer: the input it was timed on and its measured times.</summary>
public sealed record LayerLatency(LayerInputShapes.Shape Input, LatencyProfile Profile);
