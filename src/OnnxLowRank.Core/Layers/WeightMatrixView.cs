using OnnxLowRank.Core.Numerics;
using OnnxLowRank.Onnx;
using OnnxLowRank.Onnx.Protos;

namespace OnnxLowRank.Core.Layers;

/// <summary>
/// A layer's weight as the matrix W of ALGORITHMS.md section 1, in double: f rows, and
/// c_g * prod(kernel) columns where column (channel, kernel offset) = channel * prod(kernel) + offset.
/// Group g is the row block [g * f_g, (g + 1) * f_g); slice i of k is the column block of
/// input channels [i * c_g / k, (i + 1) * c_g / k) within it.
/// A view of a tensor decodes each block when asked, straight from the stored values: decoding the
/// whole weight up front would hold twice its size (double against float) per layer in flight.
/// </summary>
public sealed class WeightMatrixView
{
    private readonly RowMajorMatrix? _matrix;
    private readonly TensorProto? _tensor;
    private readonly bool _storedTransposed;

    public WeightMatrixView(WeightGeometry geometry, RowMajorMatrix full)
    {
        if (full.Rows != geometry.OutputChannels || full.Columns != geometry.GroupColumns)
            throw new ArgumentException($"A {full.Rows} x {full.Columns} matrix does not fit a weight of {geometry.OutputChannels} x {geometry.GroupColumns}.", nameof(full));
        Geometry = geometry;
        _matrix = full;
    }

    private WeightMatrixView(WeightGeometry geometry, TensorProto tensor, bool storedTransposed)
    {
        Geometry = geometry;
        _tensor = tensor;
        _storedTransposed = storedTransposed;
    }

    /// <summary>A view of the layer's weight tensor; nothing is decoded until a block is asked for.</summary>
    public static WeightMatrixView Of(CompressibleLayer layer) => new(layer.Geometry, layer.Weight, layer.StoredTransposed);

    public WeightGeometry Geometry { get; }

    /// <summary>The whole f x (c_g * prod(kernel)) matrix, groups stacked by rows (a fresh copy).</summary>
    public RowMajorMatrix Full => Read(0, Geometry.OutputChannels, 0, Geometry.GroupColumns);

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
        return Read(group * rows, rows, firstColumn, width);
    }

    /// <summary>Rows [firstRow, firstRow + rows) and columns [firstColumn, firstColumn + width) of W, as a new matrix.</summary>
    private RowMajorMatrix Read(int firstRow, int rows, int firstColumn, int width)
    {
        var block = new RowMajorMatrix(rows, width);
        var columns = Geometry.GroupColumns;
        if (_matrix is not null)
        {
            for (var r = 0; r < rows; r++)
                Array.Copy(_matrix.Values, (firstRow + r) * columns + firstColumn, block.Values, r * width, width);
            return block;
        }
        if (!_storedTransposed && width == columns)
        {
            // Whole rows are one contiguous run of the tensor: one read (one file access for weights kept on disk).
            TensorCodec.ReadDoubles(_tensor!, (long)firstRow * columns, block.Values);
            return block;
        }
        if (!_storedTransposed)
        {
            for (var r = 0; r < rows; r++)
                TensorCodec.ReadDoubles(_tensor!, (long)(firstRow + r) * columns + firstColumn, block.Values.AsSpan(r * width, width));
            return block;
        }
        // Stored as W^T (K x N): column c of W is stored row c, read in one piece and spread down the block's column.
        var storedRow = new double[rows];
        for (var c = 0; c < width; c++)
        {
            TensorCodec.ReadDoubles(_tensor!, (long)(firstColumn + c) * Geometry.OutputChannels + firstRow, storedRow);
            for (var r = 0; r < rows; r++) block.Values[r * width + c] = storedRow[r];
        }
        return block;
    }
}
