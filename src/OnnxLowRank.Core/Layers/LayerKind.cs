namespace OnnxLowRank.Core.Layers;

/// <summary>The ONNX operator a compressible layer is.</summary>
public enum LayerKind
{
    Gemm,
    MatMul,
    Conv,
}
