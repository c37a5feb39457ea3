using OnnxLowRank.Core.Layers;
using OnnxLowRank.Core.Numerics;

namespace OnnxLowRank.Core.DataAware;

/// <summary>
/// Streams one layer's input batches from two models run on the same samples into <see cref="PairedInputStatistics"/>:
/// the same input vectors are drawn from both tensors (they have the same shape), so x and x' pair up one to one.
/// </summary>
internal sealed class PairedInputAccumulator
{
    private readonly InputVectorLayout _layout;
    private readonly int _layerIndex;
    private readonly int _columns;
    private readonly double[][] _compressedGrams;
    private readonly double[][] _crossSums;
    private readonly double[][] _compressedSums;
    private readonly double[][] _originalSums;
    private long _count;
    private RowMajorMatrix? _x;
    private RowMajorMatrix? _xPrime;

    public PairedInputAccumulator(CompressibleLayer layer, int layerIndex)
    {
        Layer = layer;
        _layerIndex = layerIndex;
        _layout = InputVectorLayout.For(layer);
        var groups = layer.Geometry.Groups;
        _columns = layer.Geometry.GroupColumns;
        double[][] Arrays(int length) => Enumerable.Range(0, groups).Select(_ => new double[length]).ToArray();
        _compressedGrams = Arrays(checked(_columns * _columns));
        _crossSums = Arrays(_columns * _columns);
        _compressedSums = Arrays(_columns);
        _originalSums = Arrays(_columns);
    }

    public CompressibleLayer Layer { get; }

    public void Add(InputValues original, InputValues compressed, int batchIndex, CalibrationOptions options, ILinearAlgebraBackend backend)
    {
        if (!original.Shape.SequenceEqual(compressed.Shape))
            throw new InvalidOperationException($"The input of '{Layer.NodeName}' has shape [{string.Join(", ", original.Shape)}] in the original model " +
                $"and [{string.Join(", ", compressed.Shape)}] in the compressed one.");
        var total = _layout.VectorCount(original.Shape);
        var indices = SampleSelection.Choose(total, options.MaxVectorsPerBatch, SampleSelection.For(options.Seed, _layerIndex, batchIndex));
        if (indices.Length == 0) return;
        var x = Scratch.Vectors(ref _x, _columns, indices.Length);
        var xPrime = Scratch.Vectors(ref _xPrime, _columns, indices.Length);
        for (var group = 0; group < _crossSums.Length; group++)
        {
            // Each step in two halves side by side keeps two cores busy even when a wave refits a single layer (most
            // waves of a ResNet), where the caller's loop over layers would leave one idle.
            Parallel.Invoke(
                () => _layout.Fill(original, group, indices, x),
                () => _layout.Fill(compressed, group, indices, xPrime));
            Parallel.Invoke(
                () => backend.AddRowGram(xPrime, _compressedGrams[group]),
                () => backend.AddRowProduct(x, xPrime, _crossSums[group]));
            Parallel.Invoke(
                () => AddRowTotals(x, _originalSums[group]),
                () => AddRowTotals(xPrime, _compressedSums[group]));
        }
        _count += indices.Length;
    }

    public PairedInputStatistics Result() =>
        new(new LayerInputStatistics(_columns, _compressedGrams, _compressedSums, _count), _crossSums, _originalSums);

    private static void AddRowTotals(RowMajorMatrix vectors, double[] sums)
    {
        for (var c = 0; c < sums.Length; c++)
        {
            var total = 0.0;
            foreach (var v in vectors.Values.AsSpan(c * vectors.Columns, vectors.Columns)) total += v;
            sums[c] += total;
        }
    }
}
