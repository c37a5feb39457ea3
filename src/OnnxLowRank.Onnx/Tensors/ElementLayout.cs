using OnnxLowRank.Onnx.Protos;

namespace OnnxLowRank.Onnx;

/// <summary>How many bytes the raw_data of a tensor of a given element type must hold.</summary>
internal static class ElementLayout
{
    /// <summary>
    /// Bytes needed by <paramref name="elementCount"/> elements stored in raw_data, or null when the
    /// type has no fixed size (STRING, UNDEFINED, types newer than this schema). A size past 2^63
    /// saturates at <see cref="long.MaxValue"/>: no file holds it, so every comparison with real data refuses it.
    /// </summary>
    public static long? RawByteLength(int dataType, long elementCount) => ElementSize(dataType) switch
    {
        null => null,
        0 => elementCount / 2 + elementCount % 2,
        { } size => elementCount > long.MaxValue / size ? long.MaxValue : elementCount * size,
    };

    /// <summary>Bytes per element; 0 for the 4-bit types, two to a byte; null when the size is not fixed.</summary>
    private static int? ElementSize(int dataType) => (TensorProto.Types.DataType)dataType switch
    {
        TensorProto.Types.DataType.Bool or TensorProto.Types.DataType.Int8 or TensorProto.Types.DataType.Uint8
            or TensorProto.Types.DataType.Float8E4M3Fn or TensorProto.Types.DataType.Float8E4M3Fnuz
            or TensorProto.Types.DataType.Float8E5M2 or TensorProto.Types.DataType.Float8E5M2Fnuz => 1,
        TensorProto.Types.DataType.Int16 or TensorProto.Types.DataType.Uint16
            or TensorProto.Types.DataType.Float16 or TensorProto.Types.DataType.Bfloat16 => 2,
        TensorProto.Types.DataType.Float or TensorProto.Types.DataType.Int32 or TensorProto.Types.DataType.Uint32 => 4,
        TensorProto.Types.DataType.Double or TensorProto.Types.DataType.Int64 or TensorProto.Types.DataType.Uint64
            or TensorProto.Types.DataType.Complex64 => 8,
        TensorProto.Types.DataType.Complex128 => 16,
        // Two 4-bit elements share a byte; an odd count leaves the last high nibble unused.
        TensorProto.Types.DataType.Int4 or TensorProto.Types.DataType.Uint4 or TensorProto.Types.DataType.Float4E2M1 => 0,
        _ => null,
    };
}
