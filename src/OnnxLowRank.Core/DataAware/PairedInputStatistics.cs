
namespace OnnxLowRank.Core.DataAware;

/// <summary>
/// What sequential calibration saw at one layer's input in two models run on the same samples, per convolution
/// group: x from the original model and x' from the model whose earlier layers are already compressed, taken at
/// the same input vectors (same samples, same sampled positions). Holds sum x' x'^T, the cross sum x x'^T and both
/// sums; what the refit of <see cref="RefitFactorizer"/> needs (ALGORITHMS.md section 5).
/// </summary>
public sealed class PairedInputStatistics
{
    private readonly double[][] _crossSums;
    private readonly double[][] _originalSums;

    /// <param name="compressed">sum x' x'^T and sum x' per group: the compressed model's inputs.</param>
    /// <param name="crossSums">Per group, sum x x'^T (columns x columns, row-major; row index from x).</param>
    /// <param name="originalSums">Per group, sum x.</param>
    public PairedInputStatistics(LayerInputStatistics compressed, IReadOnlyList<double[]> crossSums, IReadOnlyList<double[]> originalSums)
    {
        ArgumentNullException.ThrowIfNull(compressed);
        var columns = compressed.Columns;
        if (crossSums.Count != compressed.Groups || originalSums.Count != compressed.Groups)
            throw new ArgumentException($"{crossSums.Count} cross sums and {originalSums.Count} sums do not describe {compressed.Groups} groups.", nameof(crossSums));
        if (crossSums.Any(c => c.Length != (long)columns * columns) || originalSums.Any(s => s.Length != columns))
            throw new ArgumentException($"Every group needs a {columns} x {columns} cross sum and a sum of {columns} values.", nameof(crossSums));
        Compressed = compressed;
        _crossSums = crossSums.ToArray();
        _originalSums = originalSums.ToArray();
    }

    /// <summary>The statistics of x' alone (sum x' x'^T, sum x', the vector count).</summary>
    public LayerInputStatistics Compressed { get; }

    /// <summary>sum x x'^T of a group (row-major, not a copy).</summary>
    public IReadOnlyList<double> CrossSum(int group) => _crossSums[group];

    /// <summary>The mean of the original model's input vectors x in a group (zeros when nothing was seen).</summary>
    public double[] OriginalMean(int group) =>
        _originalSums[group].Select(s => Compressed.VectorCount == 0 ? 0 : s / Compressed.VectorCount).ToArray();
}
