using System.Runtime.InteropServices;
using OnnxLowRank.Onnx;
using OnnxLowRank.Onnx.Protos;
using DataType = OnnxLowRank.Onnx.Protos.TensorProto.Types.DataType;

namespace OnnxLowRank.Runtime.Tests.Support;

/// <summary>A tensor from an ONNX test vector (.pb), decoded into the managed array an OrtValue carries.</summary>
internal sealed record TestVectorTensor(TensorElementType ElementType, long[] Shape, Array Values)
{
    public static TestVectorTensor Read(string path) => Decode(TensorProto.Parser.ParseFrom(File.ReadAllBytes(path)))
        ?? throw new InvalidOperationException($"{path}: element type not carried by OrtValue.");

    /// <summary>The decoded tensor, or null when its element type has no OrtValue carrier here (string, bfloat16, complex, ...).</summary>
    public static TestVectorTensor? Decode(TensorProto tensor)
    {
        var shape = tensor.Dims.ToArray();
        Array? values = (DataType)tensor.DataType switch
        {
            DataType.Float => TensorCodec.ToFloats(tensor),
            DataType.Double => TensorCodec.ToDoubles(tensor),
            DataType.Float16 => Array.ConvertAll(TensorCodec.ToFloats(tensor), v => (Half)v),
            DataType.Int64 => tensor.HasRawData ? Raw<long>(tensor) : tensor.Int64Data.ToArray(),
            DataType.Int32 => tensor.HasRawData ? Raw<int>(tensor) : tensor.Int32Data.ToArray(),
            DataType.Int16 => tensor.HasRawData ? Raw<short>(tensor) : tensor.Int32Data.Select(v => (short)v).ToArray(),
            DataType.Int8 => tensor.HasRawData ? Raw<sbyte>(tensor) : tensor.Int32Data.Select(v => (sbyte)v).ToArray(),
            DataType.Uint8 => tensor.HasRawData ? Raw<byte>(tensor) : tensor.Int32Data.Select(v => (byte)v).ToArray(),
            DataType.Uint16 => tensor.HasRawData ? Raw<ushort>(tensor) : tensor.Int32Data.Select(v => (ushort)v).ToArray(),
            DataType.Uint32 => tensor.HasRawData ? Raw<uint>(tensor) : tensor.Uint64Data.Select(v => (uint)v).ToArray(),
            DataType.Uint64 => tensor.HasRawData ? Raw<ulong>(tensor) : tensor.Uint64Data.ToArray(),
            DataType.Bool => tensor.HasRawData ? Raw<byte>(tensor).Select(b => b != 0).ToArray() : tensor.Int32Data.Select(v => v != 0).ToArray(),
            _ => null,
        };
        return values is null ? null : new TestVectorTensor((TensorElementType)tensor.DataType, shape, values);
    }

    public bool IsFloatingPoint => ElementType is TensorElementType.Float or TensorElementType.Double or TensorElementType.Float16;

    /// <summary>Element types with a CLR carrier here; the rest (string, bfloat16, complex, float8, ...) are unsupported.</summary>
    public static bool IsCarried(TensorElementType elementType) => elementType is
        TensorElementType.Float or TensorElementType.Double or TensorElementType.Float16 or TensorElementType.Int64 or
        TensorElementType.Int32 or TensorElementType.Int16 or TensorElementType.Int8 or TensorElementType.UInt8 or
        TensorElementType.UInt16 or TensorElementType.UInt32 or TensorElementType.UInt64 or TensorElementType.Bool;

    /// <summary>An input value over this tensor's array.</summary>
    /// <remarks>Switches on the element type, not the array: the CLR lets a byte[] pass as sbyte[] (and int[] as uint[], ...).</remarks>
    public OrtValue ToOrtValue() => ElementType switch
    {
        TensorElementType.Float => OrtValue.CreateTensorValueFromMemory((float[])Values, Shape),
        TensorElementType.Double => OrtValue.CreateTensorValueFromMemory((double[])Values, Shape),
        TensorElementType.Float16 => OrtValue.CreateTensorValueFromMemory(MemoryMarshal.Cast<Half, Float16>((Half[])Values).ToArray(), Shape),
        TensorElementType.Int64 => OrtValue.CreateTensorValueFromMemory((long[])Values, Shape),
        TensorElementType.Int32 => OrtValue.CreateTensorValueFromMemory((int[])Values, Shape),
        TensorElementType.Int16 => OrtValue.CreateTensorValueFromMemory((short[])Values, Shape),
        TensorElementType.Int8 => OrtValue.CreateTensorValueFromMemory((sbyte[])Values, Shape),
        TensorElementType.UInt8 => OrtValue.CreateTensorValueFromMemory((byte[])Values, Shape),
        TensorElementType.UInt16 => OrtValue.CreateTensorValueFromMemory((ushort[])Values, Shape),
        TensorElementType.UInt32 => OrtValue.CreateTensorValueFromMemory((uint[])Values, Shape),
        TensorElementType.UInt64 => OrtValue.CreateTensorValueFromMemory((ulong[])Values, Shape),
        TensorElementType.Bool => OrtValue.CreateTensorValueFromMemory((bool[])Values, Shape),
        _ => throw new InvalidOperationException($"No OrtValue for {ElementType}."),
    };

    /// <summary>A managed copy of an output value, or null when its element type has no carrier here.</summary>
    public static TestVectorTensor? FromOrtValue(OrtValue value)
    {
        if (!value.IsTensor) return null;
        var info = value.GetTensorTypeAndShape();
        Array? values = info.ElementDataType switch
        {
            TensorElementType.Float => value.GetTensorDataAsSpan<float>().ToArray(),
            TensorElementType.Double => value.GetTensorDataAsSpan<double>().ToArray(),
            TensorElementType.Float16 => MemoryMarshal.Cast<Float16, Half>(value.GetTensorDataAsSpan<Float16>()).ToArray(),
            TensorElementType.Int64 => value.GetTensorDataAsSpan<long>().ToArray(),
            TensorElementType.Int32 => value.GetTensorDataAsSpan<int>().ToArray(),
            TensorElementType.Int16 => value.GetTensorDataAsSpan<short>().ToArray(),
            TensorElementType.Int8 => value.GetTensorDataAsSpan<sbyte>().ToArray(),
            TensorElementType.UInt8 => value.GetTensorDataAsSpan<byte>().ToArray(),
            TensorElementType.UInt16 => value.GetTensorDataAsSpan<ushort>().ToArray(),
            TensorElementType.UInt32 => value.GetTensorDataAsSpan<uint>().ToArray(),
            TensorElementType.UInt64 => value.GetTensorDataAsSpan<ulong>().ToArray(),
            TensorElementType.Bool => value.GetTensorDataAsSpan<bool>().ToArray(),
            _ => null,
        };
        return values is null ? null : new TestVectorTensor(info.ElementDataType, info.Shape, values);
    }

    /// <summary>
    /// Null when <paramref name="actual"/> matches this expected tensor (floating point within
    /// |a - e| &lt;= atol + rtol * |e|, NaN matching NaN; everything else exactly), else what differs.
    /// </summary>
    public string? Mismatch(TestVectorTensor actual, double rtol = 1e-3, double atol = 1e-5)
    {
        if (actual.ElementType != ElementType) return $"element type {actual.ElementType}, expected {ElementType}";
        if (!actual.Shape.SequenceEqual(Shape)) return $"shape [{string.Join(",", actual.Shape)}], expected [{string.Join(",", Shape)}]";
        if (IsFloatingPoint)
        {
            var e = Doubles(Values);
            var a = Doubles(actual.Values);
            for (var i = 0; i < e.Length; i++)
            {
                if (double.IsNaN(e[i]) && double.IsNaN(a[i])) continue;
                if (e[i] == a[i]) continue; // equal infinities
                if (!(Math.Abs(a[i] - e[i]) <= atol + rtol * Math.Abs(e[i])))
                    return $"element {i} is {a[i]:R}, expected {e[i]:R}";
            }
            return null;
        }
        for (var i = 0; i < Values.Length; i++)
        {
            if (!Equals(Values.GetValue(i), actual.Values.GetValue(i)))
                return $"element {i} is {actual.Values.GetValue(i)}, expected {Values.GetValue(i)}";
        }
        return null;
    }

    private static double[] Doubles(Array values) => values switch
    {
        float[] f => Array.ConvertAll(f, v => (double)v),
        double[] d => d,
        Half[] h => Array.ConvertAll(h, v => (double)v),
        _ => throw new InvalidOperationException($"{values.GetType().Name} is not floating point."),
    };

    private static T[] Raw<T>(TensorProto tensor) where T : unmanaged =>
        MemoryMarshal.Cast<byte, T>(tensor.RawData.Span).ToArray();
}
