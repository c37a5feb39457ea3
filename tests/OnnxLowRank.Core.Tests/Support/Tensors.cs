using OnnxLowRank.Core.Execution;
using OnnxLowRank.Onnx;
using OnnxLowRank.Onnx.Protos;
using DataType = OnnxLowRank.Onnx.Protos.TensorProto.Types.DataType;

namespace OnnxLowRank.Core.Tests.Support;

/// <summary>Moves test tensors between TensorProto, TensorData and double arrays.</summary>
internal static class Tensors
{
    public static TensorData FromProto(TensorProto tensor) => (DataType)tensor.DataType switch
    {
        DataType.Float => TensorData.FromFloats(tensor.Dims.ToArray(), TensorCodec.ToFloats(tensor)),
        DataType.Double => new TensorData(DataType.Double, tensor.Dims.ToArray(), TensorCodec.ToDoubles(tensor)),
        var other => throw new NotSupportedException($"Test tensors of {other} are not needed."),
    };

    public static TensorData FromDoubles(DataType type, long[] shape, double[] values) => type switch
    {
        DataType.Float => TensorData.FromFloats(shape, Array.ConvertAll(values, v => (float)v)),
        DataType.Double => new TensorData(DataType.Double, shape, values),
        _ => throw new NotSupportedException($"Test tensors of {type} are not needed."),
    };

    public static TensorProto Read(string path) => TensorProto.Parser.ParseFrom(File.ReadAllBytes(path));
}
