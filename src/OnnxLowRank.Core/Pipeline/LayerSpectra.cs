using OnnxLowRank.Core.Allocation;
using OnnxLowRank.Core.Layers;
using OnnxLowRank.Core.Numerics;

namespace OnnxLowRank.Core.Pipeline;

/// <summary>
/// The singular values an allocator needs for one layer: for every slice count k it may use, the
/// spectrum of every (group, slice) block (ALGORITHMS.md section 3). Only values, no vectors.
/// </summary>
public static class LayerSpectra
{
    public static IReadOnlyList<SliceOption> Of(CompressibleLayer layer, WeightMatrixView weight, int maxSliceCount)
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
                    blocks.Add(Spectrum.SingularValues(k == 1 ? weight.Group(group) : weight.Slice(group, slice, k)));
            if (k == 1) normOfWeight = blocks.Max(b => b.Length > 0 ? b[0] : 0);
            options.Add(new SliceOption(k, geometry.Groups, geometry.OutputsPerGroup, geometry.SliceColumns(k), blocks, normOfWeight));
        }
        return options;
    }
}
