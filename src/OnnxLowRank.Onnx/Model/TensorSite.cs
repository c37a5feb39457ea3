using OnnxLowRank.Onnx.Protos;

namespace OnnxLowRank.Onnx;

/// <summary>
/// One tensor stored somewhere in a model, with the name errors should use for it.
/// <paramref name="IsInitializer"/> is true for graph initializers (dense or sparse), in any graph.
/// </summary>
internal readonly record struct TensorSite(TensorProto Tensor, string Subject, bool IsInitializer);
