using OnnxLowRank.Core.Execution;

namespace OnnxLowRank.Core.Data;

/// <summary>Joins tensors along axis 0, the batch axis, and cuts single rows out of a tensor.</summary>
public static class TensorStacking
{
    /// <summary>Concatenates along axis 0; every part must share the element type and the other dimensions.</summary>
    public static TensorData Concatenate(IReadOnlyList<TensorData> parts)
    {
        ArgumentOutOfRangeException.ThrowIfZero(parts.Count);
        if (parts.Count == 1) return parts[0];
        var first = parts[0];
        if (first.Shape.Length == 0) throw new ArgumentException("Scalars have no axis 0 to concatenate along.", nameof(parts));
        long rows = 0;
        foreach (var part in parts)
        {
            if (part.ElementType != first.ElementType || !part.Shape.AsSpan(1).SequenceEqual(first.Shape.AsSpan(1)))
                throw new ArgumentException(
                    $"Cannot stack [{string.Join(",", part.Shape)}] {part.ElementType} onto [{string.Join(",", first.Shape)}] {first.ElementType}.", nameof(parts));
            rows += part.Shape[0];
        }
        var shape = (long[])first.Shape.Clone();
        shape[0] = rows;
        var values = Array.CreateInstance(first.Values.GetType().GetElementType()!, parts.Sum(p => p.Values.Length));
        var at = 0;
        foreach (var part in parts)
        {
            Array.Copy(part.Values, 0, values, at, part.Values.Length);
            at += part.Values.Length;
        }
        return new TensorData(first.ElementType, shape, values);
    }

    /// <summary>Row <paramref name="row"/> of axis 0, reshaped to <paramref name="rowShape"/> (whose element count must match one row).</summary>
    public static TensorData Row(TensorData tensor, long row, long[] rowShape)
    {
        var rowLength = tensor.Shape.Length == 0 || tensor.Shape[0] == 0 ? 0 : tensor.ElementCount / tensor.Shape[0];
        var values = Array.CreateInstance(tensor.Values.GetType().GetElementType()!, rowLength);
        Array.Copy(tensor.Values, row * rowLength, values, 0, rowLength);
        return new TensorData(tensor.ElementType, rowShape, values);
    }
}
