using OnnxLowRank.Core.Layers;
using OnnxLowRank.Core.Planning;
using OnnxLowRank.Core.Rewrites;
using OnnxLowRank.Core.Tests.Support;
using OnnxLowRank.Onnx;
using OnnxLowRank.Onnx.Protos;

namespace OnnxLowRank.Core.Tests.Rewrites;

/// <summary>Parameters after a rewrite: original, minus the replaced weights, plus j * (k * f_g + c_g * prod(kernel)) per group.</summary>
public class ParameterAccountingTests
{
    /// <summary>Elements of every initializer and every Constant node tensor.</summary>
    private static long Parameters(ModelProto model) =>
        model.Graph.Initializer.Sum(TensorCodec.ElementCount)
        + model.Graph.Node.Where(n => n.OpType == "Constant").Sum(n => TensorCodec.ElementCount(n.Attribute.Single(a => a.Name == "value").T));

    [Test]
    public void CountAfterRewriteFollowsTheSizeFormula()
    {
        var model = LayerChain.Build();
        // (node, k, j, weight elements, groups, f_g, c_g, prod(kernel))
        var rows = new (string Node, int K, int J, long Weight, long G, long Fg, long Cg, long Kernel)[]
        {
            ("grouped", 2, 3, 12 * 4 * 9, 2, 6, 4, 9),
            ("pointwise", 1, 4, 10 * 12, 1, 10, 12, 1),
            ("dense", 1, 5, 360 * 16, 1, 16, 360, 1),
            ("folded", 1, 4, 9 * 16, 1, 9, 16, 1),
            ("head", 1, 2, 9 * 5, 1, 5, 9, 1),
        };
        var plan = new CompressionPlan(rows.Select(r => new LayerPlan(r.Node, r.K, r.J)));

        var result = new LowRankCompressor().Compress(model, plan);

        var expected = Parameters(model) - rows.Sum(r => r.Weight) + rows.Sum(r => r.G * r.J * (r.K * r.Fg + r.Cg * r.Kernel));
        Assert.Multiple(() =>
        {
            Assert.That(Parameters(result.Model), Is.EqualTo(expected));
            Assert.That(result.Layers.Select(l => (l.NodeName, l.OriginalParameters, l.NewParameters)),
                Is.EqualTo(rows.Select(r => (r.Node, r.Weight, r.G * r.J * (r.K * r.Fg + r.Cg * r.Kernel)))));
            Assert.That(result.Skipped.Select(s => (s.NodeName, s.Reason)), Is.EqualTo(new[] { ("depthwise", SkipReason.Depthwise) }));
            Assert.That(result.Model.Graph.Node.Select(n => n.OpType), Has.No.Member("Constant").And.No.Member("Transpose"),
                "the Constant weight and the folded Transpose are gone");
        });
        TestContext.Out.WriteLine($"{Parameters(model)} parameters -> {Parameters(result.Model)}");
    }

    [Test]
    public void ChainAtFullRankComputesTheSame()
    {
        var model = LayerChain.Build();
        var discovery = LayerDiscovery.Find(model);
        var plan = new CompressionPlan(discovery.Layers.Select(l => new LayerPlan(l.NodeName, l.SliceCounts()[^1], l.Geometry.MaxRank(l.SliceCounts()[^1]))));
        var result = new LowRankCompressor().Compress(model, plan, new CompressionOptions { Force = true });
        Assert.That(result.Layers, Has.Count.EqualTo(5));

        var expected = Engine.Run(model, LayerChain.Feeds())["Y"].ToDoubles();
        var actual = Engine.Run(result.Model, LayerChain.Feeds())["Y"].ToDoubles();
        Assert.That(Closeness.Mismatch(actual, expected, 1e-4, 1e-5), Is.Null);
    }
}
