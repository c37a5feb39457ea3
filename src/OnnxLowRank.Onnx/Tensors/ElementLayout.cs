using OnnxLowRank.Onnx.Protos;

namespace OnnxLowRank.Onnx;

/// <summary>How many bytes the raw_data of a tensor of a given element type must hold.</summary>
internal static class ElementLayout
{
    /// <summary>
    /// Bytes needed by <paramref name="elementCount"/> elements stored in raw_data, or null when the
    /// type has no fixed size (STRING, UNDEFINED, types newer than this schema).
    /// </summary>
    public static long? RawByteLength(int dataType, long elementCount) => (TensorProto.Types.DataType)dataType switch
    {
        TensorProto.Types.DataType.Bool or TensorProto.Types.DataType.Int8 or TensorProto.Types.DataType.Uint8
            or TensorProto.Types.DataType.Float8E4M3Fn or TensorProto.Types.DataType.Float8E4M3Fnuz
            or TensorProto.Types.DataType.Float8E5M2 or TensorProto.Types.DataType.Float8E5M2Fnuz => elementCount,
        TensorProto.Types.DataType.Int16 or TensorProto.Types.DataType.Uint16
            or TensorProto.Types.DataType.Float16 or TensorProto.Types.DataType.Bfloat16 => checked(elementCount * 2),
        TensorProto.Types.DataType.Float or TensorProto.Types.DataType.Int32 or TensorProto.Types.DataType.Uint32 => checked(elementCount * 4),
        TensorProto.Types.DataType.Double or TensorProto.Types.DataType.Int64 or TensorProto.Types.DataType.Uint64
            or TensorProto.Types.DataType.Complex64 => checked(elementCount * 8),
        TensorProto.Types.DataType.Complex128 => checked(elementCount * 16),
        // Two 4-bit elements share a byte; an odd count leaves the last high nibble unused.
        TensorProto.Types.DataType.Int4 or TensorProto.Types.DataType.Uint4 or TensorProto.Types.DataType.Float4E2M1 => elementCount / 2 + elementCount % 2,
        _ => null,
    };
}
