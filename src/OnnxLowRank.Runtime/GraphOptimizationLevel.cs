namespace OnnxLowRank.Runtime;

/// <summary>How much ONNX Runtime rewrites the graph before running it; names as in the official managed package.</summary>
public enum GraphOptimizationLevel
{
    ORT_DISABLE_ALL = 0,
    ORT_ENABLE_BASIC = 1,
    ORT_ENABLE_EXTENDED = 2,
    ORT_ENABLE_ALL = 99,
}
