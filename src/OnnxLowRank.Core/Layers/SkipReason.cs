namespace OnnxLowRank.Core.Layers;

/// <summary>Why a Gemm, MatMul, Conv or embedding Gather node is not compressed.</summary>
public enum SkipReason
{
    /// <summary>The operator lives in a domain other than the default ONNX one.</summary>
    NonDefaultDomain,

    /// <summary>The user asked to leave the node alone.</summary>
    Excluded,

    /// <summary>The weight is computed at run time, not a constant.</summary>
    NonConstantWeight,

    /// <summary>The weight (or its folded Transpose) feeds more than this one node, or is a graph output.</summary>
    SharedWeight,

    /// <summary>The weight is also a graph input, so a caller may override it.</summary>
    WeightIsGraphInput,

    /// <summary>The weight's shape is not one the layer rules cover (MatMul with an N-D constant, an empty axis).</summary>
    UnsupportedShape,

    /// <summary>A depthwise Conv (group == input channels > 1): every group is a single row.</summary>
    Depthwise,

    /// <summary>The weight is not float, double, float16 or bfloat16.</summary>
    UnsupportedElementType,

    /// <summary>The weight holds NaN or infinity.</summary>
    NonFiniteWeight,

    /// <summary>No rank makes the factorized pair smaller than the weight (or the planned one does not).</summary>
    NotBeneficial,

    /// <summary>
    /// Inside a subgraph, under a FLOP or latency budget, the layer's cost cannot be counted: a Loop whose trip count
    /// is not a constant, a Scan, a branch the measuring run did not reach. Parameter budgets still compress it.
    /// </summary>
    UncountedCost,

    /// <summary>
    /// An embedding Gather without a tied head, under a FLOP budget: a lookup multiplies nothing, and its factors would
    /// add r * H multiply-accumulates a token, so factorizing it could only spend FLOPs. Parameter budgets compress it.
    /// </summary>
    NoFlopsToSave,

    /// <summary>Inside a subgraph, under latency-aware analysis: the engine cannot give the input shape a layer is timed on.</summary>
    NotTimed,

    /// <summary>The weight is dequantized at run time (DequantizeLinear of an integer constant): the model is quantized.</summary>
    QuantizedWeight,

    /// <summary>An integer operator of a quantized model (QLinearMatMul, MatMulInteger, QLinearConv, ConvInteger, MatMulNBits, ...).</summary>
    QuantizedOperator,

    /// <summary>An ONNX Runtime fused operator (com.microsoft Attention, FusedMatMul, FusedConv, FusedGemm, ...) whose weights sit in a fused layout.</summary>
    FusedOperator,
}
