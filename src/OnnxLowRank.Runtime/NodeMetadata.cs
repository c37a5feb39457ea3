namespace OnnxLowRank.Runtime;

/// <summary>
/// What a session says about one of its inputs or outputs. For tensors, <see cref="Dimensions"/> holds -1
/// where a dimension is symbolic and <see cref="SymbolicDimensions"/> its name there ("" when unnamed or fixed).
/// </summary>
public sealed class NodeMetadata
{
    internal NodeMetadata(OnnxValueType onnxValueType, TensorElementType elementDataType, int[] dimensions, string[] symbolicDimensions)
    {
        OnnxValueType = onnxValueType;
        ElementDataType = elementDataType;
        Dimensions = dimensions;
        SymbolicDimensions = symbolicDimensions;
    }

    public OnnxValueType OnnxValueType { get; }

    public bool IsTensor => OnnxValueType == OnnxValueType.ONNX_TYPE_TENSOR;

    /// <summary>The tensor element type; <see cref="TensorElementType.Undefined"/> for values that are not tensors.</summary>
    public TensorElementType ElementDataType { get; }

    /// <summary>The CLR type that carries the elements, or null when none does (string, bfloat16, non-tensors).</summary>
    public Type? ElementType => ClrElementTypes.ClrType(ElementDataType);

    public int[] Dimensions { get; }

    public string[] SymbolicDimensions { get; }
}
