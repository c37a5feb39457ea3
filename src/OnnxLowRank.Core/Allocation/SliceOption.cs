namespace OnnxLowRank.Core.Allocation;

/// <summary>
/// One channel-slicing choice k for a layer: the input channels of every group are cut into
/// <see cref="SliceCount"/> contiguous slices, each factorized on its own at one shared rank j.
/// </summary>
/// <param name="SliceCount">k, a divisor of the input channels per group.</param>
/// <param name="Groups">g, the layer's convolution groups (1 for Gemm and MatMul).</param>
/// <param name="OutputsPerGroup">f_g, output channels per group.</param>
/// <param name="SliceInputs">Columns of one slice: c_g / k * prod(kernel).</param>
/// <param name="BlockSpectra">
/// Descending singular values of every (group, slice) block, group-major: index g * k + i.
/// Values past the end of an array count as zero.
/// </param>
/// <param name="NormOfWeight">max over groups of ||W_g||_2, the denominator of the relative error.</param>
public sealed record SliceOption(
    int SliceCount,
    int Groups,
    int OutputsPerGroup,
    int SliceInputs,
    IReadOnlyList<double[]> BlockSpectra,
    double NormOfWeight)
{
    /// <summary>The largest useful rank per slice: min(f_g, slice columns).</summary>
    public int MaxRank => Math.Min(OutputsPerGroup, SliceInputs);

    /// <summary>Parameters of the two-node pair at rank j: g * j * (k * f_g + c_g * prod(kernel)).</summary>
    public long SizeAtRank(int rank) => (long)Groups * rank * SliceCount * ((long)OutputsPerGroup + SliceInputs);

    /// <summary>
    /// The allocation error bound at rank j: per group sqrt(sum_i sigma_{j+1}(W_{g,i})^2), the
    /// largest over groups, divided by <see cref="NormOfWeight"/>. For k = 1 this is sigma_{j+1} / sigma_1.
    /// </summary>
    public double ErrorBoundAtRank(int rank)
    {
        if (NormOfWeight <= 0) return 0;
        var worst = 0.0;
        for (var g = 0; g < Groups; g++)
        {
            var squares = 0.0;
            for (var i = 0; i < SliceCount; i++)
            {
                var spectrum = BlockSpectra[g * SliceCount + i];
                if (rank < spectrum.Length) squares += spectrum[rank] * spectrum[rank];
            }
            worst = Math.Max(worst, Math.Sqrt(squares));
        }
        return worst / NormOfWeight;
    }

    internal void Validate(string layerName, long fullSize)
    {
        if (SliceCount < 1 || Groups < 1 || OutputsPerGroup < 1 || SliceInputs < 1)
            throw new ArgumentException($"Layer '{layerName}': slice option k={SliceCount} has a non-positive dimension.");
        if (BlockSpectra.Count != Groups * SliceCount)
            throw new ArgumentException($"Layer '{layerName}': slice option k={SliceCount} has {BlockSpectra.Count} spectra, expected groups * k = {Groups * SliceCount}.");
        if ((long)Groups * OutputsPerGroup * SliceCount * SliceInputs != fullSize)
            throw new ArgumentException($"Layer '{layerName}': slice option k={SliceCount} describes {(long)Groups * OutputsPerGroup * SliceCount * SliceInputs} weights, the layer has {fullSize}.");
        foreach (var spectrum in BlockSpectra)
        {
            if (spectrum.Length > MaxRank)
                throw new ArgumentException($"Layer '{layerName}': slice option k={SliceCount} has a spectrum of {spectrum.Length} values, more than min(f_g, slice columns) = {MaxRank}.");
            if (spectrum.Any(s => double.IsNaN(s) || s < 0))
                throw new ArgumentException($"Layer '{layerName}': slice option k={SliceCount} has a negative or NaN singular value.");
        }
        if (double.IsNaN(NormOfWeight) || NormOfWeight < 0)
            throw new ArgumentException($"Layer '{layerName}': slice option k={SliceCount} has an invalid weight norm {NormOfWeight}.");
    }
}
