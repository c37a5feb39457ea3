using OnnxLowRank.Core.Layers;
using OnnxLowRank.Core.Numerics;

namespace OnnxLowRank.Core.DataAware;

/// <summary>Streams one layer's input batches into sums of x x^T and x per group, in double; activations are never kept.</summary>
internal sealed class LayerInputAccumulator
{
    private readonly InputVectorLayout _layout;
    private readonly int _layerIndex;
    private readonly int _columns;
    private readonly double[][] _outerProductSums;
    private readonly double[][] _sums;
    private long _count;

    public LayerInputAccumulator(CompressibleLayer layer, int layerIndex)
    {
        Layer = layer;
        _layerIndex = layerIndex;
        _layout = InputVectorLayout.For(layer);
        var geometry = layer.Geometry;
        _columns = geometry.GroupColumns;
        _outerProductSums = Enumerable.Range(0, geometry.Groups).Select(_ => new double[checked(_columns * _columns)]).ToArray();
        _sums = Enumerable.Range(0, geometry.Groups).Select(_ => new double[_columns]).ToArray();
    }

    public CompressibleLayer Layer { get; }

    public void Add(InputValues values, int batchIndex, CalibrationOptions options, ILinearAlgebraBackend backend)
    {
        var total = _layout.VectorCount(values.Shape);
        var indices = SampleSelection.Choose(total, options.MaxVectorsPerBatch, SampleSelection.For(options.Seed, _layerIndex, batchIndex));
        if (indices.Length == 0) return;
        var vectors = new RowMajorMatrix(_columns, indices.Length);
        for (var group = 0; group < _sums.Length; group++)
        {
            _layout.Fill(values, group, indices, vectors);
            backend.AddRowGram(vectors, _outerProductSums[group]);
            var sums = _sums[group];
            for (var c = 0; c < _columns; c++)
                sums[c] += Total(vectors.Values.AsSpan(c * indices.Length, indices.Length));
        }
        _count += indices.Length;
    }

    public LayerInputStatistics Result() => new(_columns, _outerProductSums, _sums, _count);

    private static double Total(ReadOnlySpan<double> values)
    {
        var total = 0.0;
        foreach (var v in values) total += v;
        return total;
    }
}
