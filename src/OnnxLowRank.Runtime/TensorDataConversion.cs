using OnnxLowRank.Core.Execution;
using OnnxLowRank.Onnx.Errors;
using DataType = OnnxLowRank.Onnx.Protos.TensorProto.Types.DataType;

namespace OnnxLowRank.Runtime;

/// <summary>Moves tensors between Core's <see cref="TensorData"/> and ONNX Runtime's <see cref="OrtValue"/>.</summary>
internal static class TensorDataConversion
{
    /// <summary>A value over the tensor's own array (pinned, not copied) for as long as the value lives.</summary>
    public static OrtValue ToOrtValue(TensorData tensor) => tensor.Values switch
    {
        float[] v => OrtValue.CreateTensorValueFromMemory(v, tensor.Shape),
        double[] v => OrtValue.CreateTensorValueFromMemory(v, tensor.Shape),
        Half[] v => OrtValue.CreateTensorValueFromMemory(v, tensor.Shape),
        long[] v => OrtValue.CreateTensorValueFromMemory(v, tensor.Shape),
        int[] v => OrtValue.CreateTensorValueFromMemory(v, tensor.Shape),
        bool[] v => OrtValue.CreateTensorValueFromMemory(v, tensor.Shape),
        byte[] v => OrtValue.CreateTensorValueFromMemory(v, tensor.Shape),
        _ => throw new ArgumentException($"{tensor.Values.GetType().Name} is not a TensorData element array.", nameof(tensor)),
    };

    /// <summary>A managed copy of a tensor value.</summary>
    public static TensorData ToTensorData(OrtValue value, string name)
    {
        if (!value.IsTensor)
            throw new UnsupportedModelException($"value is a {value.OnnxType}, not a tensor", subject: name);
        var info = value.GetTensorTypeAndShape();
        var elementType = (DataType)info.ElementDataType;
        Array values = info.ElementDataType switch
        {
            TensorElementType.Float => value.GetTensorDataAsArray<float>(),
            TensorElementType.Double => value.GetTensorDataAsArray<double>(),
            TensorElementType.Float16 => value.GetTensorDataAsArray<Half>(),
            TensorElementType.Int64 => value.GetTensorDataAsArray<long>(),
            TensorElementType.Int32 => value.GetTensorDataAsArray<int>(),
            TensorElementType.Bool => value.GetTensorDataAsArray<bool>(),
            TensorElementType.UInt8 => value.GetTensorDataAsArray<byte>(),
            _ => throw new UnsupportedModelException($"tensor element type {info.ElementDataType} cannot be carried by TensorData", subject: name,
                advice: "expose float, double, float16, int64, int32, bool or uint8 values only"),
        };
        return new TensorData(elementType, info.Shape, values);
    }
}
