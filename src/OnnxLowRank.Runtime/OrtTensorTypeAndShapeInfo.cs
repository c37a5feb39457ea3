namespace OnnxLowRank.Runtime;

/// <summary>The element type and concrete shape of a tensor value.</summary>
public sealed record OrtTensorTypeAndShapeInfo(TensorElementType ElementDataType, long ElementCount, long[] Shape);
