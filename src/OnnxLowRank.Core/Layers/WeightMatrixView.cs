using OnnxLowRank.Core.Numerics;
using OnnxLowRank.Onnx;

namespace OnnxLowRank.Core.Layers;

/// <summary>
/// A layer's weight as the matrix W of ALGORITHMS.md section 1, in double: f rows, and
/// c_g * prod(kernel) columns where column (channel, kernel offset) = channel * prod(kernel) + offset.
/// Group g is the row block [g * f_g, (g + 1) * f_g); slice i of k is the column block of
/// input channels [i * c_g / k, (i + 1) * c_g / k) within it.
/// </summary>
public sealed class WeightMatrixView
{
    private readonly RowMajorMatrix _full;

    public WeightMatrixView(WeightGeometry geometry, RowMajorMatrix full)
    {
        if (full.Rows != geometry.OutputChannels || full.Columns != geometry.GroupColumns)
            throw new ArgumentException($"A {full.Rows} x {full.Columns} matrix does not fit a weight of {geometry.OutputChannels} x {geometry.GroupColumns}.", nameof(full));
        Geometry = geometry;
        _full = full;
    }

    /// <summary>Decodes the layer's weight tensor.</summary>
    public static WeightMatrixView Of(CompressibleLayer layer)
    {
        var values = TensorCodec.ToDoubles(layer.Weight);
        var g = layer.Geometry;
        var stored = layer.StoredTransposed
            ? new RowMajorMatrix(g.GroupColumns, g.OutputChannels, values).Transpose()
            : new RowMajorMatrix(g.OutputChannels, g.GroupColumns, values);
        return new WeightMatrixView(g, stored);
    }

    public WeightGeometry Geometry { get; }

    /// <summary>The whole f x (c_g * prod(kernel)) matrix, groups stacked by rows.</summary>
    public RowMajorMatrix Full => _full;

    /// <summary>W_g: the f_g x (c_g * prod(kernel)) matrix of one group.</summary>
    public RowMajorMatrix Group(int group) => Block(group, 0, Geometry.GroupColumns);

    /// <summary>W_{g,i}: the f_g x (c_g / k * prod(kernel)) matrix of slice i of group g.</summary>
    public RowMajorMatrix Slice(int group, int slice, int sliceCount)
    {
        var width = Geometry.SliceColumns(sliceCount);
        ArgumentOutOfRangeException.ThrowIfNegative(slice);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(slice, sliceCount);
        return Block(group, slice * width, width);
    }

    private RowMajorMatrix Block(int group, int firstColumn, int width)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(group);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(group, Geometry.Groups);
        var rows = Geometry.OutputsPerGroup;
        var block = new RowMajorMatrix(rows, width);
        for (var r = 0; r < rows; r++)
            Array.Copy(_full.Values, (group * rows + r) * _full.Columns + firstColumn, block.Values, r * width, width);
        return block;
    }
}
