using System.Runtime.InteropServices;
using Google.Protobuf;
using OnnxLowRank.Core.Execution;
using OnnxLowRank.Onnx.Protos;
using DataType = OnnxLowRank.Onnx.Protos.TensorProto.Types.DataType;

namespace OnnxLowRank.Core.Data;

/// <summary>
/// Turns a serialized ONNX TensorProto (a test-data .pb file) into <see cref="TensorData"/>,
/// reading either raw_data (little-endian) or the typed repeated fields, for the element types
/// a model input can take here.
/// </summary>
public static class TensorProtoDecoding
{
    public static TensorProto ParseFile(string path)
    {
        try
        {
            return TensorProto.Parser.ParseFrom(File.ReadAllBytes(path));
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new InvalidInputDataException($"Not a serialized TensorProto: {e.Message}", path, inner: e);
        }
        catch (IOException e)
        {
            throw new InvalidInputDataException($"Cannot read the file: {e.Message}", path, inner: e);
        }
    }

    public static TensorData ToTensorData(TensorProto tensor, string path)
    {
        var type = (DataType)tensor.DataType;
        var shape = tensor.Dims.ToArray();
        if (shape.Any(d => d < 0))
            throw new InvalidInputDataException($"Negative dimension in [{string.Join(",", shape)}].", path, tensor.Name);
        if (tensor.HasDataLocation && tensor.DataLocation == TensorProto.Types.DataLocation.External)
            throw new InvalidInputDataException("The tensor's data is stored externally, which test-data files do not use.", path, tensor.Name);
        var count = checked((int)shape.Aggregate(1L, (a, d) => checked(a * d)));
        var raw = tensor.HasRawData ? tensor.RawData.Span : default;
        var useRaw = tensor.HasRawData;

        Array values = type switch
        {
            DataType.Float => useRaw ? Cast<float>(raw) : tensor.FloatData.ToArray(),
            DataType.Double => useRaw ? Cast<double>(raw) : tensor.DoubleData.ToArray(),
            DataType.Int64 => useRaw ? Cast<long>(raw) : tensor.Int64Data.ToArray(),
            DataType.Int32 => useRaw ? Cast<int>(raw) : tensor.Int32Data.ToArray(),
            DataType.Uint8 => useRaw ? raw.ToArray() : tensor.Int32Data.Select(v => (byte)v).ToArray(),
            DataType.Bool => useRaw ? raw.ToArray().Select(b => b != 0).ToArray() : tensor.Int32Data.Select(v => v != 0).ToArray(),
            // float16 travels as its bit pattern, in int32_data when not raw.
            DataType.Float16 => useRaw ? Cast<Half>(raw) : tensor.Int32Data.Select(v => BitConverter.UInt16BitsToHalf((ushort)v)).ToArray(),
            _ => throw new InvalidInputDataException($"Element type {type} is not supported as a model input here.", path, tensor.Name),
        };
        if (values.Length != count)
            throw new InvalidInputDataException($"Shape [{string.Join(",", shape)}] needs {count} values but the tensor holds {values.Length}.", path, tensor.Name);
        return new TensorData(type, shape, values);
    }

    private static T[] Cast<T>(ReadOnlySpan<byte> raw) where T : struct
    {
        if (!BitConverter.IsLittleEndian)
            throw new PlatformNotSupportedException("raw_data is little-endian; this machine is not.");
        return MemoryMarshal.Cast<byte, T>(raw).ToArray();
    }
}
