using OnnxLowRank.Core.Layers;
using OnnxLowRank.Core.Numerics;

namespace OnnxLowRank.Core.DataAware;

/// <summary>
/// Streams one layer's input batches into sums of x x^T and x per group, in double. The sampled vectors themselves are
/// kept instead of sum x x^T while they are fewer than a vector's length, so take less memory (see
/// <see cref="LayerInputStatistics"/>); past that they are folded into sum x x^T and no activation is kept.
/// </summary>
internal sealed class LayerInputAccumulator : LayerInputSums
{
    private readonly double[][] _sums;
    private double[][]? _outerProductSums;
    private List<RowMajorMatrix>[]? _vectors;

    public LayerInputAccumulator(CompressibleLayer layer, int layerIndex)
        : base(layer, layerIndex)
    {
        _sums = PerGroup(Columns);
        _vectors = _sums.Select(_ => new List<RowMajorMatrix>()).ToArray();
    }

    public void Add(InputValues values, int batchIndex, CalibrationOptions options, ILinearAlgebraBackend backend)
    {
        var indices = Sample(values.Shape, batchIndex, options);
        if (indices.Length == 0) return;
        if (_vectors is not null && Count >= Columns) FoldVectors(backend);
        for (var group = 0; group < _sums.Length; group++)
        {
            var vectors = new RowMajorMatrix(Columns, indices.Length);
            Fill(values, group, indices, vectors);
            if (_vectors is { } kept) kept[group].Add(vectors);
            else backend.AddRowGram(vectors, _outerProductSums![group]);
            AddRowTotals(vectors, _sums[group]);
        }
    }

    public LayerInputStatistics Result() => _vectors is { } kept
        ? new LayerInputStatistics(kept.Select(Join).ToArray())
        : new LayerInputStatistics(Columns, _outerProductSums!, _sums, Count);

    /// <summary>Replaces the kept vectors by their sum x x^T, from here on the smaller form.</summary>
    private void FoldVectors(ILinearAlgebraBackend backend)
    {
        _outerProductSums = PerGroup(checked(Columns * Columns));
        for (var group = 0; group < _sums.Length; group++)
            foreach (var batch in _vectors![group]) backend.AddRowGram(batch, _outerProductSums[group]);
        _vectors = null;
    }

    /// <summary>The batches' vectors side by side (columns x all of them).</summary>
    private RowMajorMatrix Join(List<RowMajorMatrix> batches)
    {
        var count = batches.Sum(b => b.Columns);
        var joined = new RowMajorMatrix(Columns, count);
        var first = 0;
        foreach (var batch in batches)
        {
            for (var r = 0; r < Columns; r++)
                Array.Copy(batch.Values, (long)r * batch.Columns, joined.Values, (long)r * count + first, batch.Columns);
            first += batch.Columns;
        }
        return joined;
    }
}
