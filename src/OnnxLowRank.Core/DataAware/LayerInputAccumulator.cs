using OnnxLowRank.Core.Layers;
using OnnxLowRank.Core.Numerics;

namespace OnnxLowRank.Core.DataAware;

/// <summary>Streams one layer's input batches into sums of x x^T and x per group, in double; activations are never kept.</summary>
internal sealed class LayerInputAccumulator : LayerInputSums
{
    private readonly double[][] _outerProductSums;
    private readonly double[][] _sums;

    public LayerInputAccumulator(CompressibleLayer layer, int layerIndex)
        : base(layer, layerIndex)
    {
        _outerProductSums = PerGroup(checked(Columns * Columns));
        _sums = PerGroup(Columns);
    }

    public void Add(InputValues values, int batchIndex, CalibrationOptions options, ILinearAlgebraBackend backend)
    {
        var indices = Sample(values.Shape, batchIndex, options);
        if (indices.Length == 0) return;
        var vectors = new RowMajorMatrix(Columns, indices.Length);
        for (var group = 0; group < _sums.Length; group++)
        {
            Fill(values, group, indices, vectors);
            backend.AddRowGram(vectors, _outerProductSums[group]);
            AddRowTotals(vectors, _sums[group]);
        }
    }

    public LayerInputStatistics Result() => new(Columns, _outerProductSums, _sums, Count);
}
