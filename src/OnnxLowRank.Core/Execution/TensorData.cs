using OnnxLowRank.Onnx.Protos;

namespace OnnxLowRank.Core.Execution;

/// <summary>
/// A dense tensor in managed memory, the currency between Core and a model runner.
/// <see cref="Values"/> is a one-dimensional array whose element type matches <see cref="ElementType"/>:
/// float[], double[], Half[], long[], int[], bool[] or byte[].
/// </summary>
public sealed class TensorData
{
    public TensorData(TensorProto.Types.DataType elementType, long[] shape, Array values)
    {
        long count = 1;
        foreach (var d in shape)
        {
            if (d < 0) throw new ArgumentException($"Dimension {d} is negative.", nameof(shape));
            count = checked(count * d);
        }
        if (values.Length != count)
            throw new ArgumentException($"Shape [{string.Join(",", shape)}] holds {count} elements but {values.Length} were given.", nameof(values));
        if (ClrTypeOf(elementType) != values.GetType().GetElementType())
            throw new ArgumentException($"{elementType} needs {ClrTypeOf(elementType)?.Name}[] but got {values.GetType().Name}.", nameof(values));
        ElementType = elementType;
        Shape = shape;
        Values = values;
    }

    public TensorProto.Types.DataType ElementType { get; }

    public long[] Shape { get; }

    public Array Values { get; }

    public long ElementCount => Values.LongLength;

    public static TensorData FromFloats(long[] shape, float[] values) => new(TensorProto.Types.DataType.Float, shape, values);

    public float[] AsFloats() => Values as float[] ?? throw new InvalidOperationException($"Tensor holds {ElementType}, not float.");

    /// <summary>
    /// A copy of the values widened to double, for every element type a tensor may hold (booleans as 0 and 1):
    /// data conversion and output comparison both work on these.
    /// </summary>
    public double[] ToDoubles() => Values switch
    {
        float[] f => Array.ConvertAll(f, v => (double)v),
        double[] d => (double[])d.Clone(),
        Half[] h => Array.ConvertAll(h, v => (double)v),
        long[] l => Array.ConvertAll(l, v => (double)v),
        int[] i => Array.ConvertAll(i, v => (double)v),
        byte[] b => Array.ConvertAll(b, v => (double)v),
        bool[] b => Array.ConvertAll(b, v => v ? 1.0 : 0.0),
        _ => throw new InvalidOperationException($"Tensor holds {ElementType}, which has no double value."),
    };

    /// <summary>The CLR element type that carries a given ONNX element type, or null when none does.</summary>
    public static Type? ClrTypeOf(TensorProto.Types.DataType elementType) => elementType switch
    {
        TensorProto.Types.DataType.Float => typeof(float),
        TensorProto.Types.DataType.Double => typeof(double),
        TensorProto.Types.DataType.Float16 => typeof(Half),
        TensorProto.Types.DataType.Int64 => typeof(long),
        TensorProto.Types.DataType.Int32 => typeof(int),
        TensorProto.Types.DataType.Bool => typeof(bool),
        TensorProto.Types.DataType.Uint8 => typeof(byte),
        _ => null,
    };
}
