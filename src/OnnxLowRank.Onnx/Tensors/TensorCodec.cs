using System.Buffers.Binary;
using Google.Protobuf;
using OnnxLowRank.Onnx.Errors;
using OnnxLowRank.Onnx.Protos;
using DataType = OnnxLowRank.Onnx.Protos.TensorProto.Types.DataType;

namespace OnnxLowRank.Onnx;

/// <summary>
/// Converts floating-point tensors (FLOAT, DOUBLE, FLOAT16, BFLOAT16) to and from plain arrays.
/// Reads raw_data (little-endian) or the typed fields the ONNX spec allows; always writes raw_data.
/// </summary>
public static class TensorCodec
{
    /// <summary>The tensor's values as doubles (exact for every supported type).</summary>
    public static double[] ToDoubles(TensorProto tensor)
    {
        var type = RequireFloatingPoint(tensor);
        var count = CheckedCount(tensor);
        // The stored values are checked before the array is made: dims alone must not size an allocation.
        if (tensor.HasRawData) RawBytes(tensor, type, count);
        else if (DiskTensor.Locate(tensor) is null) RequireTypedCount(tensor, type, count);
        var values = new double[count];
        ReadDoubles(tensor, 0, values);
        return values;
    }

    /// <summary>
    /// Decodes elements [<paramref name="first"/>, first + destination.Length) of the tensor's values (in
    /// row-major order) into <paramref name="destination"/>: a part of a large weight without decoding all of it.
    /// </summary>
    public static void ReadDoubles(TensorProto tensor, long first, Span<double> destination)
    {
        var type = RequireFloatingPoint(tensor);
        var count = CheckedCount(tensor);
        ArgumentOutOfRangeException.ThrowIfNegative(first);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(first + destination.Length, count, nameof(destination));
        if (DiskTensor.Locate(tensor) is { } where)
        {
            var size = ElementSize(type);
            RequireDiskLength(tensor, where, type, count);
            // Through a 1 MiB buffer (whole elements of every size), so a large block never has a byte copy in memory.
            using var file = DiskTensor.OpenAt(where, first * size);
            var buffer = new byte[Math.Min(destination.Length * size, 1 << 20)];
            for (var done = 0; done < destination.Length;)
            {
                var values = destination.Slice(done, Math.Min(buffer.Length / size, destination.Length - done));
                var chunk = buffer.AsSpan(0, values.Length * size);
                file.ReadExactly(chunk);
                for (var i = 0; i < values.Length; i++) values[i] = ReadRaw(chunk, type, i);
                done += values.Length;
            }
            return;
        }
        var start = (int)first;
        if (tensor.HasRawData)
        {
            var raw = RawBytes(tensor, type, count);
            for (var i = 0; i < destination.Length; i++) destination[i] = ReadRaw(raw, type, start + i);
            return;
        }
        RequireTypedCount(tensor, type, count);
        switch (type)
        {
            case DataType.Float:
                for (var i = 0; i < destination.Length; i++) destination[i] = tensor.FloatData[start + i];
                break;
            case DataType.Double:
                for (var i = 0; i < destination.Length; i++) destination[i] = tensor.DoubleData[start + i];
                break;
            default:
                for (var i = 0; i < destination.Length; i++) destination[i] = HalfWidth(type, (ushort)tensor.Int32Data[start + i]);
                break;
        }
    }

    /// <summary>Whether every value is finite (no NaN or infinity), read a block at a time so no copy of the tensor is made.</summary>
    public static bool AllFinite(TensorProto tensor)
    {
        var type = RequireFloatingPoint(tensor);
        var count = CheckedCount(tensor);
        if (DiskTensor.Locate(tensor) is { } where)
        {
            // One pass through the file with one buffer: block reads would each open the file and allocate.
            var size = ElementSize(type);
            RequireDiskLength(tensor, where, type, count);
            using var file = DiskTensor.OpenAt(where, 0);
            var buffer = new byte[Math.Min((long)count * size, 1 << 20)];
            for (long done = 0; done < count;)
            {
                var values = (int)Math.Min(buffer.Length / size, count - done);
                var chunk = buffer.AsSpan(0, values * size);
                file.ReadExactly(chunk);
                for (var i = 0; i < values; i++)
                {
                    if (!double.IsFinite(ReadRaw(chunk, type, i))) return false;
                }
                done += values;
            }
            return true;
        }
        Span<double> block = stackalloc double[512];
        for (long first = 0; first < count; first += block.Length)
        {
            var part = block[..(int)Math.Min(block.Length, count - first)];
            ReadDoubles(tensor, first, part);
            foreach (var value in part)
            {
                if (!double.IsFinite(value)) return false;
            }
        }
        return true;
    }

    /// <summary>The tensor's values as floats (DOUBLE values are rounded to nearest).</summary>
    public static float[] ToFloats(TensorProto tensor)
    {
        var type = RequireFloatingPoint(tensor);
        if (type == DataType.Double || DiskTensor.Locate(tensor) is not null)
        {
            return Array.ConvertAll(ToDoubles(tensor), v => (float)v);
        }
        var count = CheckedCount(tensor);
        if (tensor.HasRawData)
        {
            var raw = RawBytes(tensor, type, count);
            var decoded = new float[count];
            for (var i = 0; i < decoded.Length; i++) decoded[i] = (float)ReadRaw(raw, type, i);
            return decoded;
        }
        RequireTypedCount(tensor, type, count);
        var values = new float[count];
        if (type == DataType.Float)
        {
            tensor.FloatData.CopyTo(values, 0);
            return values;
        }
        for (var i = 0; i < values.Length; i++) values[i] = (float)HalfWidth(type, (ushort)tensor.Int32Data[i]);
        return values;
    }

    /// <summary>A tensor holding <paramref name="values"/> in raw_data as <paramref name="elementType"/>, each rounded to nearest-even.</summary>
    public static TensorProto FromDoubles(string name, long[] dims, ReadOnlySpan<double> values, DataType elementType)
    {
        var bytes = AllocateRaw(dims, values.Length, elementType);
        for (var i = 0; i < values.Length; i++)
        {
            var value = values[i];
            switch (elementType)
            {
                case DataType.Float: BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(i * 4), (float)value); break;
                case DataType.Double: BinaryPrimitives.WriteDoubleLittleEndian(bytes.AsSpan(i * 8), value); break;
                case DataType.Float16: BinaryPrimitives.WriteHalfLittleEndian(bytes.AsSpan(i * 2), (Half)value); break;
                default: BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(i * 2), BFloat16.FromDouble(value)); break;
            }
        }
        return Build(name, dims, elementType, bytes);
    }

    /// <summary>A tensor holding <paramref name="values"/> in raw_data as <paramref name="elementType"/>, each rounded to nearest-even.</summary>
    public static TensorProto FromFloats(string name, long[] dims, ReadOnlySpan<float> values, DataType elementType)
    {
        var bytes = AllocateRaw(dims, values.Length, elementType);
        for (var i = 0; i < values.Length; i++)
        {
            var value = values[i];
            switch (elementType)
            {
                case DataType.Float: BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(i * 4), value); break;
                case DataType.Double: BinaryPrimitives.WriteDoubleLittleEndian(bytes.AsSpan(i * 8), value); break;
                case DataType.Float16: BinaryPrimitives.WriteHalfLittleEndian(bytes.AsSpan(i * 2), (Half)value); break;
                default: BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(i * 2), BFloat16.FromSingle(value)); break;
            }
        }
        return Build(name, dims, elementType, bytes);
    }

    /// <summary>The product of the tensor's dims (1 for a scalar), checked for overflow and negative dims.</summary>
    public static long ElementCount(TensorProto tensor) => ElementCount(tensor, modelPath: null, tensor.Name);

    /// <summary>True for FLOAT, DOUBLE, FLOAT16 and BFLOAT16, the types this codec converts.</summary>
    public static bool IsFloatingPoint(int dataType) =>
        (DataType)dataType is DataType.Float or DataType.Double or DataType.Float16 or DataType.Bfloat16;

    /// <param name="subject">How errors name the tensor (attribute tensors often have no name of their own).</param>
    internal static long ElementCount(TensorProto tensor, string? modelPath, string subject)
    {
        long count = 1;
        foreach (var dim in tensor.Dims)
        {
            if (dim < 0)
            {
                throw new InvalidModelException($"tensor has a negative dimension in {Describe(tensor)}", modelPath, subject,
                    "the file is corrupt or was written by a faulty exporter");
            }
            try
            {
                count = checked(count * dim);
            }
            catch (OverflowException e)
            {
                throw new InvalidModelException($"tensor dims {Describe(tensor)} multiply past 2^63 elements", modelPath, subject,
                    "the file is corrupt or was written by a faulty exporter", inner: e);
            }
        }
        return count;
    }

    internal static string Describe(TensorProto tensor) => $"[{string.Join(", ", tensor.Dims)}]";

    private static DataType RequireFloatingPoint(TensorProto tensor)
    {
        if (!IsFloatingPoint(tensor.DataType))
        {
            throw new UnsupportedModelException($"tensor element type {(DataType)tensor.DataType} is not a floating-point type",
                subject: tensor.Name, advice: "only FLOAT, DOUBLE, FLOAT16 and BFLOAT16 weights can be factorized");
        }
        if (tensor.DataLocation == TensorProto.Types.DataLocation.External && DiskTensor.Locate(tensor) is null)
        {
            throw new InvalidModelException("tensor data is still in an external file", subject: tensor.Name,
                advice: "load models with OnnxModelFile.Load, which reads external data");
        }
        return (DataType)tensor.DataType;
    }

    private static int CheckedCount(TensorProto tensor)
    {
        var count = ElementCount(tensor);
        if (count > Array.MaxLength)
        {
            throw new UnsupportedModelException($"tensor has {count} elements, more than one array can hold", subject: tensor.Name);
        }
        return (int)count;
    }

    private static ReadOnlySpan<byte> RawBytes(TensorProto tensor, DataType type, int count)
    {
        var size = ElementSize(type);
        if (tensor.RawData.Length != (long)count * size)
        {
            throw new InvalidModelException(
                $"raw_data holds {tensor.RawData.Length} bytes but dims {Describe(tensor)} of {type} need {(long)count * size}",
                subject: tensor.Name, advice: "the file is corrupt or was written by a faulty exporter");
        }
        return tensor.RawData.Span;
    }

    private static void RequireDiskLength(TensorProto tensor, (string Path, long Offset, long Length) where, DataType type, int count)
    {
        if (where.Length != (long)count * ElementSize(type))
        {
            throw new InvalidModelException($"external data holds {where.Length} bytes but dims {Describe(tensor)} of {type} need {(long)count * ElementSize(type)}",
                subject: tensor.Name, advice: "the file is corrupt or was written by a faulty exporter");
        }
    }

    private static void RequireTypedCount(TensorProto tensor, DataType type, long expected)
    {
        var (stored, field) = type switch
        {
            DataType.Float => (tensor.FloatData.Count, "float_data"),
            DataType.Double => (tensor.DoubleData.Count, "double_data"),
            _ => (tensor.Int32Data.Count, "int32_data"),
        };
        if (stored != expected)
        {
            throw new InvalidModelException($"{field} holds {stored} values but dims {Describe(tensor)} need {expected}",
                subject: tensor.Name, advice: "the file is corrupt or was written by a faulty exporter");
        }
    }

    private static double ReadRaw(ReadOnlySpan<byte> raw, DataType type, int index) => type switch
    {
        DataType.Float => BinaryPrimitives.ReadSingleLittleEndian(raw[(index * 4)..]),
        DataType.Double => BinaryPrimitives.ReadDoubleLittleEndian(raw[(index * 8)..]),
        _ => HalfWidth(type, BinaryPrimitives.ReadUInt16LittleEndian(raw[(index * 2)..])),
    };

    /// <summary>Decodes a 16-bit pattern (fp16 or bf16); the spec keeps them in the low 16 bits of int32_data.</summary>
    private static double HalfWidth(DataType type, ushort bits) =>
        type == DataType.Float16 ? (double)BitConverter.UInt16BitsToHalf(bits) : BFloat16.ToSingle(bits);

    private static int ElementSize(DataType type) => type switch
    {
        DataType.Float => 4,
        DataType.Double => 8,
        _ => 2,
    };

    private static byte[] AllocateRaw(long[] dims, int valueCount, DataType elementType)
    {
        if (!IsFloatingPoint((int)elementType))
        {
            throw new ArgumentOutOfRangeException(nameof(elementType), elementType, "only FLOAT, DOUBLE, FLOAT16 and BFLOAT16 can be encoded");
        }
        long expected = 1;
        foreach (var dim in dims)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(dim, nameof(dims));
            expected = checked(expected * dim);
        }
        if (expected != valueCount)
        {
            throw new ArgumentException($"dims [{string.Join(", ", dims)}] hold {expected} values but {valueCount} were given", nameof(dims));
        }
        return new byte[checked(valueCount * ElementSize(elementType))];
    }

    private static TensorProto Build(string name, long[] dims, DataType elementType, byte[] bytes)
    {
        var tensor = new TensorProto { Name = name, DataType = (int)elementType, RawData = UnsafeByteOperations.UnsafeWrap(bytes) };
        tensor.Dims.Add(dims);
        return tensor;
    }
}
