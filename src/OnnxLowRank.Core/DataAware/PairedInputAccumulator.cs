using OnnxLowRank.Core.Layers;
using OnnxLowRank.Core.Numerics;

namespace OnnxLowRank.Core.DataAware;

/// <summary>
/// Streams one layer's input batches from two models run on the same samples into <see cref="PairedInputStatistics"/>:
/// the same input vectors are drawn from both tensors (they have the same shape), so x and x' pair up one to one.
/// </summary>
internal sealed class PairedInputAccumulator : LayerInputSums
{
    private readonly double[][] _compressedGrams;
    private readonly double[][] _crossSums;
    private readonly double[][] _compressedSums;
    private readonly double[][] _originalSums;
    private RowMajorMatrix? _x;
    private RowMajorMatrix? _xPrime;

    public PairedInputAccumulator(CompressibleLayer layer, int layerIndex)
        : base(layer, layerIndex)
    {
        _compressedGrams = PerGroup(checked(Columns * Columns));
        _crossSums = PerGroup(Columns * Columns);
        _compressedSums = PerGroup(Columns);
        _originalSums = PerGroup(Columns);
    }

    public void Add(InputValues original, InputValues compressed, int batchIndex, CalibrationOptions options, ILinearAlgebraBackend backend)
    {
        if (!original.Shape.SequenceEqual(compressed.Shape))
            throw new InvalidOperationException($"The input of '{Layer.NodeName}' has shape [{string.Join(", ", original.Shape)}] in the original model " +
                $"and [{string.Join(", ", compressed.Shape)}] in the compressed one.");
        var indices = Sample(original.Shape, batchIndex, options);
        if (indices.Length == 0) return;
        var x = Scratch.Vectors(ref _x, Columns, indices.Length);
        var xPrime = Scratch.Vectors(ref _xPrime, Columns, indices.Length);
        for (var group = 0; group < _crossSums.Length; group++)
        {
            // Each step in two halves side by side keeps two cores busy even when a wave refits a single layer (most
            // waves of a ResNet), where the caller's loop over layers would leave one idle.
            Parallel.Invoke(
                () => Fill(original, group, indices, x),
                () => Fill(compressed, group, indices, xPrime));
            Parallel.Invoke(
                () => backend.AddRowGram(xPrime, _compressedGrams[group]),
                () => backend.AddRowProduct(x, xPrime, _crossSums[group]));
            Parallel.Invoke(
                () => AddRowTotals(x, _originalSums[group]),
                () => AddRowTotals(xPrime, _compressedSums[group]));
        }
    }

    public PairedInputStatistics Result() =>
        new(new LayerInputStatistics(Columns, _compressedGrams, _compressedSums, Count), _crossSums, _originalSums);
}
