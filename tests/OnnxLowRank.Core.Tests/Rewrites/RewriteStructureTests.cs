using OnnxLowRank.Core.Layers;
using OnnxLowRank.Core.Planning;
using OnnxLowRank.Core.Rewrites;
using OnnxLowRank.Core.Tests.Support;
using OnnxLowRank.Onnx;
using DataType = OnnxLowRank.Onnx.Protos.TensorProto.Types.DataType;

namespace OnnxLowRank.Core.Tests.Rewrites;

/// <summary>What a rewritten graph looks like: names, doc strings, order, and an untouched input model.</summary>
public class RewriteStructureTests
{
    [Test]
    public void RewriteKeepsOutputsOrderAndLeavesTheInputModelAlone()
    {
        var model = LayerChain.Build();
        var before = model.Clone();
        var plan = CompressionPlan.UniformRatio(LayerDiscovery.Find(model).Layers, 0.5);

        var result = new LowRankCompressor().Compress(model, plan);
        var graph = result.Model.Graph;
        var added = graph.Node.Where(n => n.DocString.StartsWith("onnx-lowrank:", StringComparison.Ordinal)).ToList();

        Assert.Multiple(() =>
        {
            Assert.That(model, Is.EqualTo(before), "the input model is not modified");
            Assert.That(new GraphIndex(graph).IsTopologicallySorted, Is.True);
            Assert.That(graph.Output.Select(o => o.Name), Is.EqualTo(new[] { "Y" }));
            Assert.That(added, Has.Count.EqualTo(2 * result.Layers.Count));
            Assert.That(graph.Node.Select(n => n.Name), Is.Unique);
            Assert.That(graph.Initializer.Select(t => t.Name), Is.Unique);
            Assert.That(graph.Initializer.Select(t => t.Name), Has.No.Member("w_grouped").And.No.Member("w_dense").And.No.Member("w_folded"));
            Assert.That(graph.Node.Single(n => n.Output.Contains("h4") && n.OpType == "Gemm").DocString,
                Does.Match(@"^onnx-lowrank: uniform k=1 rank=8 rel_error=0\.\d{4}$"));
        });
        Assert.That(Engine.Run(result.Model, LayerChain.Feeds())["Y"].Shape, Is.EqualTo(new long[] { 2, 5 }));
    }

    [Test]
    public void NewNamesAvoidNamesAlreadyInTheGraph()
    {
        var b = new ModelBuilder();
        b.Node("MatMul", "mm", [b.Input("X", 2, 6), b.Initializer("B", [6, 5], RandomValues.Normal(1, 30))], "mm_lowrank_hidden");
        b.Node("Identity", "mm_lowrank_first", ["mm_lowrank_hidden"], b.Output("Y"));

        var result = new LowRankCompressor().Compress(b.Build(), new CompressionPlan([new LayerPlan("mm", 1, 2)]));

        var nodes = result.Model.Graph.Node;
        Assert.That(nodes.Select(n => n.Name), Is.EqualTo(new[] { "mm_lowrank_first_2", "mm_lowrank_second", "mm_lowrank_first" }));
        Assert.That(nodes[0].Output.Single(), Is.EqualTo("mm_lowrank_hidden_2"));
        Assert.That(nodes[1].Output.Single(), Is.EqualTo("mm_lowrank_hidden"), "the original output name is kept");
    }

    [Test]
    public void PlannedRewriteThatIsNotSmallerIsLeftAloneWithoutForce()
    {
        var model = LayerChain.Build();
        var result = new LowRankCompressor().Compress(model, new CompressionPlan([new LayerPlan("head", 1, 5)]));
        Assert.That(result.Layers, Is.Empty);
        Assert.That(result.Skipped.Single(s => s.NodeName == "head").Reason, Is.EqualTo(SkipReason.NotBeneficial));
    }

    [TestCase(DataType.Float16)]
    [TestCase(DataType.Bfloat16)]
    [TestCase(DataType.Double)]
    public void FactorsKeepTheWeightsElementType(DataType type)
    {
        var b = new ModelBuilder(13, type);
        b.Node("Conv", "conv", [b.Input("X", 1, 4, 6, 6), b.Initializer("W", [6, 4, 3, 3], RandomValues.Normal(2, 216))], b.Output("Y"));

        var result = new LowRankCompressor().Compress(b.Build(), new CompressionPlan([new LayerPlan("conv", 2, 3)]));

        Assert.That(result.Model.Graph.Initializer.Select(t => (DataType)t.DataType), Is.EqualTo(new[] { type, type }));
    }
}
