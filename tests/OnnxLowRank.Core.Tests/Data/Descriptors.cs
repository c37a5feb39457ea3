using OnnxLowRank.Core.Execution;
using DataType = OnnxLowRank.Onnx.Protos.TensorProto.Types.DataType;

namespace OnnxLowRank.Core.Tests.Data;

/// <summary>Model input descriptors written by hand; null dimensions are symbolic.</summary>
internal static class Descriptors
{
    public static ValueDescriptor Input(string name, DataType type, params long?[] shape) =>
        new(name, type, shape, shape.Select(d => d is null ? "N" : null).ToArray());

    public static ValueDescriptor Float(string name, params long?[] shape) => Input(name, DataType.Float, shape);
}
