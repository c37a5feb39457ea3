namespace OnnxLowRank.Runtime;

/// <summary>The CLR types that carry tensor elements with ONNX Runtime's exact memory layout.</summary>
internal static class ClrElementTypes
{
    public static TensorElementType Of<T>() where T : unmanaged => Of(typeof(T))
        ?? throw new NotSupportedException($"{typeof(T).Name} is not a tensor element type.");

    public static TensorElementType? Of(Type type) =>
        type == typeof(float) ? TensorElementType.Float
        : type == typeof(double) ? TensorElementType.Double
        : type == typeof(Half) ? TensorElementType.Float16
        : type == typeof(long) ? TensorElementType.Int64
        : type == typeof(int) ? TensorElementType.Int32
        : type == typeof(bool) ? TensorElementType.Bool
        : type == typeof(byte) ? TensorElementType.UInt8
        : type == typeof(sbyte) ? TensorElementType.Int8
        : type == typeof(short) ? TensorElementType.Int16
        : type == typeof(ushort) ? TensorElementType.UInt16
        : type == typeof(uint) ? TensorElementType.UInt32
        : type == typeof(ulong) ? TensorElementType.UInt64
        : null;

    /// <summary>The CLR type for an element type, or null when none carries it (string, bfloat16, complex, ...).</summary>
    public static Type? ClrType(TensorElementType elementType) => elementType switch
    {
        TensorElementType.Float => typeof(float),
        TensorElementType.Double => typeof(double),
        TensorElementType.Float16 => typeof(Half),
        TensorElementType.Int64 => typeof(long),
        TensorElementType.Int32 => typeof(int),
        TensorElementType.Bool => typeof(bool),
        TensorElementType.UInt8 => typeof(byte),
        TensorElementType.Int8 => typeof(sbyte),
        TensorElementType.Int16 => typeof(short),
        TensorElementType.UInt16 => typeof(ushort),
        TensorElementType.UInt32 => typeof(uint),
        TensorElementType.UInt64 => typeof(ulong),
        _ => null,
    };
}
