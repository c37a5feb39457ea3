using System.Runtime.InteropServices;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using OnnxLowRank.Core.Execution;
using OnnxLowRank.Onnx.Errors;
using DataType = OnnxLowRank.Onnx.Protos.TensorProto.Types.DataType;

namespace OnnxLowRank.Runtime;

/// <summary>Moves tensors between Core's <see cref="TensorData"/> and ONNX Runtime's <see cref="OrtValue"/>.</summary>
internal static class TensorDataConversion
{
    /// <summary>
    /// A value over the tensor's own array (pinned, not copied) for as long as the value lives. float16 is
    /// the exception: the package carries it as its own <see cref="Float16"/>, so those elements are copied.
    /// </summary>
    public static OrtValue ToOrtValue(TensorData tensor) => tensor.ElementType switch
    {
        DataType.Float => OrtValue.CreateTensorValueFromMemory((float[])tensor.Values, tensor.Shape),
        DataType.Double => OrtValue.CreateTensorValueFromMemory((double[])tensor.Values, tensor.Shape),
        DataType.Float16 => OrtValue.CreateTensorValueFromMemory(MemoryMarshal.Cast<Half, Float16>((Half[])tensor.Values).ToArray(), tensor.Shape),
        DataType.Int64 => OrtValue.CreateTensorValueFromMemory((long[])tensor.Values, tensor.Shape),
        DataType.Int32 => OrtValue.CreateTensorValueFromMemory((int[])tensor.Values, tensor.Shape),
        DataType.Bool => OrtValue.CreateTensorValueFromMemory((bool[])tensor.Values, tensor.Shape),
        DataType.Uint8 => OrtValue.CreateTensorValueFromMemory((byte[])tensor.Values, tensor.Shape),
        _ => throw new ArgumentException($"TensorData of {tensor.ElementType} has no OrtValue carrier.", nameof(tensor)),
    };

    /// <summary>A managed copy of a tensor value.</summary>
    public static TensorData ToTensorData(OrtValue value, string name)
    {
        if (!value.IsTensor)
            throw new UnsupportedModelException($"value is a {value.OnnxType}, not a tensor", subject: name);
        var info = value.GetTensorTypeAndShape();
        Array values = info.ElementDataType switch
        {
            TensorElementType.Float => value.GetTensorDataAsSpan<float>().ToArray(),
            TensorElementType.Double => value.GetTensorDataAsSpan<double>().ToArray(),
            TensorElementType.Float16 => MemoryMarshal.Cast<Float16, Half>(value.GetTensorDataAsSpan<Float16>()).ToArray(),
            TensorElementType.Int64 => value.GetTensorDataAsSpan<long>().ToArray(),
            TensorElementType.Int32 => value.GetTensorDataAsSpan<int>().ToArray(),
            TensorElementType.Bool => value.GetTensorDataAsSpan<bool>().ToArray(),
            TensorElementType.UInt8 => value.GetTensorDataAsSpan<byte>().ToArray(),
            _ => throw new UnsupportedModelException($"tensor element type {info.ElementDataType} cannot be carried by TensorData", subject: name,
                advice: "expose float, double, float16, int64, int32, bool or uint8 values only"),
        };
        return new TensorData((DataType)info.ElementDataType, info.Shape, values);
    }
}
