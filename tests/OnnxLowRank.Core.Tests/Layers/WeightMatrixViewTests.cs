using OnnxLowRank.Core.Layers;
using OnnxLowRank.Core.Tests.Support;

namespace OnnxLowRank.Core.Tests.Layers;

public class WeightMatrixViewTests
{
    /// <summary>Slice i of group g holds W[g * f_g + r, i * c_g / k + channel, kernel...], read here by the tensor's own strides.</summary>
    [Test]
    public void SlicesOfGroupsAreTheDocumentedBlocksOfTheConvWeight()
    {
        const int f = 6, c = 8, g = 2, kh = 2, kw = 3, k = 2;
        var values = Enumerable.Range(0, f * (c / g) * kh * kw).Select(v => (double)v).ToArray();
        var b = new ModelBuilder();
        b.Node("Conv", "conv", [b.Input("X", 1, c, 5, 5), b.Initializer("W", [f, c / g, kh, kw], values)], b.Output("Y"), ModelBuilder.Int("group", g));
        var view = WeightMatrixView.Of(LayerDiscovery.Find(b.Build()).Layers.Single());

        int fg = f / g, cg = c / g, cs = cg / k;
        for (var group = 0; group < g; group++)
            for (var slice = 0; slice < k; slice++)
            {
                var m = view.Slice(group, slice, k);
                Assert.That((m.Rows, m.Columns), Is.EqualTo((fg, cs * kh * kw)));
                for (var r = 0; r < fg; r++)
                    for (var ch = 0; ch < cs; ch++)
                        for (var y = 0; y < kh; y++)
                            for (var x = 0; x < kw; x++)
                            {
                                var tensorIndex = (((group * fg + r) * cg + slice * cs + ch) * kh + y) * kw + x;
                                Assert.That(m[r, (ch * kh + y) * kw + x], Is.EqualTo(values[tensorIndex]));
                            }
            }
    }

    [Test]
    public void StoredTransposedMatMulWeightReadsAsWeightMatrix()
    {
        var b = new ModelBuilder();
        b.Node("MatMul", "mm", [b.Input("X", 2, 3), b.Initializer("B", [3, 2], [1, 2, 3, 4, 5, 6])], b.Output("Y"));
        var w = WeightMatrixView.Of(LayerDiscovery.Find(b.Build()).Layers.Single()).Full;
        // B (K x N) = [[1,2],[3,4],[5,6]], W = B^T.
        Assert.That(w.Values, Is.EqualTo(new double[] { 1, 3, 5, 2, 4, 6 }));
    }

    [TestCase(1, 1, 9)]
    [TestCase(1, 2, 9)]
    [TestCase(2, 1, 4)]
    [TestCase(4, 4, 1)]
    public void GeometryFormulasMatchSectionTwo(int groups, int slices, int kernelSize)
    {
        const int f = 16, c = 32;
        var geometry = new WeightGeometry(f, c, groups, kernelSize == 1 ? [1] : kernelSize == 4 ? [2, 2] : [3, 3]);
        int fg = f / groups, cg = c / groups;
        Assert.Multiple(() =>
        {
            Assert.That(geometry.OriginalParameters, Is.EqualTo(groups * fg * cg * kernelSize));
            Assert.That(geometry.FactoredParameters(slices, 3), Is.EqualTo(groups * 3 * (slices * fg + cg * kernelSize)));
            Assert.That(geometry.MaxRank(slices), Is.EqualTo(Math.Min(fg, cg / slices * kernelSize)));
        });
    }
}
