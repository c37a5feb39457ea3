namespace OnnxLowRank.Core.Layers;

/// <summary>The ONNX operator a compressible layer is.</summary>
public enum LayerKind
{
    Gemm,
    MatMul,
    Conv,

    /// <summary>A Gather (axis 0) over a constant [V, H] table, with the tied output head that reads the same table, if any.</summary>
    Embedding,
}
