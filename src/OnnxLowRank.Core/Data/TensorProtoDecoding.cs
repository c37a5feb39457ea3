using System.Runtime.InteropServices;
using Google.Protobuf;
using OnnxLowRank.Core.Execution;
using OnnxLowRank.Onnx;
using OnnxLowRank.Onnx.Errors;
using OnnxLowRank.Onnx.Protos;
using DataType = OnnxLowRank.Onnx.Protos.TensorProto.Types.DataType;

namespace OnnxLowRank.Core.Data;

/// <summary>
/// Turns a serialized ONNX TensorProto (a test-data .pb file) into <see cref="TensorData"/>,
/// reading either raw_data (little-endian) or the typed repeated fields, for the element types
/// a model input can take here: floating point through <see cref="TensorCodec"/>, integers and
/// booleans here.
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
        try
        {
            Array values = type switch
            {
                // Floating point goes through the shared codec, which checks sizes before it allocates.
                DataType.Float => TensorCodec.ToFloats(tensor),
                DataType.Double => TensorCodec.ToDoubles(tensor),
                DataType.Float16 => Array.ConvertAll(TensorCodec.ToDoubles(tensor), v => (Half)v),
                DataType.Int64 => tensor.HasRawData ? Cast<long>(tensor.RawData.Span) : tensor.Int64Data.ToArray(),
                DataType.Int32 => tensor.HasRawData ? Cast<int>(tensor.RawData.Span) : tensor.Int32Data.ToArray(),
                DataType.Uint8 => tensor.HasRawData ? tensor.RawData.ToByteArray() : tensor.Int32Data.Select(v => (byte)v).ToArray(),
                DataType.Bool => tensor.HasRawData ? Array.ConvertAll(tensor.RawData.ToByteArray(), b => b != 0) : tensor.Int32Data.Select(v => v != 0).ToArray(),
                _ => throw new InvalidInputDataException($"Element type {type} is not supported as a model input here.", path, tensor.Name),
            };
            var count = shape.Aggregate(1L, (a, d) => a * d);
            if (values.LongLength != count)
                throw new InvalidInputDataException($"Shape [{string.Join(",", shape)}] needs {count} values but the tensor holds {values.Length}.", path, tensor.Name);
            return new TensorData(type, shape, values);
        }
        catch (OnnxLowRankException e) when (e is not InvalidInputDataException)
        {
            throw new InvalidInputDataException(e.Reason, path, tensor.Name, e.Advice, e);
        }
    }

    private static T[] Cast<T>(ReadOnlySpan<byte> raw) where T : struct
    {
        if (!BitConverter.IsLittleEndian)
            throw new PlatformNotSupportedException("raw_data is little-endian; this machine is not.");
        return MemoryMarshal.Cast<byte, T>(raw).ToArray();
    }
}
