using OnnxLowRank.Core.Execution;
using DataType = OnnxLowRank.Onnx.Protos.TensorProto.Types.DataType;

namespace OnnxLowRank.Core.Data;

/// <summary>
/// Casts data to the element type a model input declares, where no information is lost in kind:
/// any number to a floating-point type, integers and booleans to an integer type. Floating point
/// to integer is refused, since silently truncating inputs would hide a data mistake.
/// </summary>
public static class TensorConversion
{
    /// <summary>True when <see cref="ConvertTo"/> accepts the pair.</summary>
    public static bool CanConvert(DataType from, DataType to) =>
        from == to || (IsFloating(to) && IsNumeric(from)) || (IsInteger(to) && (IsInteger(from) || from == DataType.Bool));

    public static TensorData ConvertTo(TensorData tensor, DataType target)
    {
        if (tensor.ElementType == target) return tensor;
        if (!CanConvert(tensor.ElementType, target))
            throw new ArgumentException($"Cannot convert {tensor.ElementType} data to {target}.", nameof(target));
        var source = tensor.ToDoubles();
        Array values = target switch
        {
            DataType.Float => Array.ConvertAll(source, v => (float)v),
            DataType.Double => source,
            DataType.Float16 => Array.ConvertAll(source, v => (Half)v),
            DataType.Int64 => Array.ConvertAll(source, v => (long)v),
            DataType.Int32 => Array.ConvertAll(source, v => checked((int)v)),
            DataType.Uint8 => Array.ConvertAll(source, v => checked((byte)v)),
            _ => throw new ArgumentException($"Cannot convert to {target}.", nameof(target)),
        };
        return new TensorData(target, (long[])tensor.Shape.Clone(), values);
    }

    private static bool IsFloating(DataType t) => t is DataType.Float or DataType.Double or DataType.Float16;

    private static bool IsInteger(DataType t) => t is DataType.Int64 or DataType.Int32 or DataType.Uint8;

    private static bool IsNumeric(DataType t) => IsFloating(t) || IsInteger(t);
}
