using OnnxLowRank.Core.Allocation;
using OnnxLowRank.Core.DataAware;
using OnnxLowRank.Core.Layers;
using OnnxLowRank.Core.Numerics;

namespace OnnxLowRank.Core.Analysis;

/// <summary>
/// The singular values an allocator needs for one layer: for every slice count k it may use, the
/// spectrum of every (group, slice) block (ALGORITHMS.md section 3). Only values, no vectors.
/// </summary>
public static class LayerSpectra
{
    public static IReadOnlyList<SliceOption> Of(CompressibleLayer layer, WeightMatrixView weight, int maxSliceCount) =>
        Build(layer, maxSliceCount, (group, slice, k) => Spectrum.SingularValues(k == 1 ? weight.Group(group) : weight.Slice(group, slice, k)));

    /// <summary>
    /// The data-aware spectra (ALGORITHMS.md section 5): per block, the singular values of W_{g,i} S_{g,i},
    /// S_{g,i} the whitening factor of the block's input second moment, so the tail energy past rank j is
    /// the block's mean squared output error. The norm is max over groups of sigma_1(W_g S_g). A block that
    /// cannot be whitened keeps its weight's spectrum; <paramref name="notes"/> then says why. With
    /// <paramref name="centered"/> (bias correction on) S whitens the input covariance instead of the second moment.
    /// </summary>
    public static IReadOnlyList<SliceOption> Whitened(
        CompressibleLayer layer, WeightMatrixView weight, LayerInputStatistics statistics, int maxSliceCount, double relativeRidge, bool centered,
        out IReadOnlyList<string> notes)
    {
        var backend = LinearAlgebra.Default;
        var found = new SortedSet<string>(StringComparer.Ordinal);
        var options = Build(layer, maxSliceCount, (group, slice, k) =>
        {
            var width = weight.Geometry.SliceColumns(k);
            var (values, note) = WhitenedBlock.SingularValues(weight.Slice(group, slice, k), statistics, group, slice * width, relativeRidge, centered, backend);
            if (note is not null) found.Add(note);
            return values;
        });
        notes = found.ToList();
        return options;
    }

    /// <summary>
    /// An embedding's data-aware spectrum: the singular values of D E, its table with row t weighted by sqrt(w_t), the
    /// share of calibration's lookups that read it (smoothed, see <see cref="TokenFrequencies.RowWeights"/>), so the
    /// tail past rank r is the mean squared error of the rows looked up.
    /// </summary>
    public static IReadOnlyList<SliceOption> RowWeighted(CompressibleLayer layer, WeightMatrixView weight, TokenFrequencies frequencies) =>
        Build(layer, 1, (_, _, _) => RowWeightedEmbedding.SingularValues(weight.Full, frequencies, LinearAlgebra.Default));

    private static List<SliceOption> Build(CompressibleLayer layer, int maxSliceCount, Func<int, int, int, double[]> blockSpectrum)
    {
        var geometry = layer.Geometry;
        var options = new List<SliceOption>();
        var normOfWeight = 0.0;
        // SliceCounts starts at k = 1, whose blocks are the whole groups: their top singular values give ||W_g||_2.
        foreach (var k in layer.SliceCounts(maxSliceCount))
        {
            var blocks = new List<double[]>(geometry.Groups * k);
            for (var group = 0; group < geometry.Groups; group++)
                for (var slice = 0; slice < k; slice++)
                    blocks.Add(blockSpectrum(group, slice, k));
            if (k == 1) normOfWeight = blocks.Max(b => b.Length > 0 ? b[0] : 0);
            options.Add(new SliceOption(k, geometry.Groups, geometry.OutputsPerGroup, geometry.SliceColumns(k), blocks, normOfWeight));
        }
        return options;
    }
}
