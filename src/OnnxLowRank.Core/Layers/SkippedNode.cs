namespace OnnxLowRank.Core.Layers;

/// <summary>A Gemm, MatMul, Conv or embedding Gather node left as it is, with the reason in a word and in a sentence.</summary>
public sealed record SkippedNode(string NodeName, string OpType, SkipReason Reason, string Detail);
