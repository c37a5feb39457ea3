using OnnxLowRank.Core.Layers;
using OnnxLowRank.Core.Tests.Support;
using OnnxLowRank.Onnx.Protos;
using DataType = OnnxLowRank.Onnx.Protos.TensorProto.Types.DataType;

namespace OnnxLowRank.Core.Tests.Layers;

public class LayerDiscoveryTests
{
    private static double[] Ones(long count) => Enumerable.Repeat(1.0, (int)count).ToArray();

    private static SkippedNode SkippedOnly(ModelBuilder b, DiscoveryOptions? options = null)
    {
        var result = LayerDiscovery.Find(b.Build(), options);
        Assert.That(result.Layers, Is.Empty);
        return result.Skipped.Single();
    }

    [Test]
    public void ConvWeightSharedByTwoNodesIsReportedForBoth()
    {
        var b = new ModelBuilder();
        var w = b.Initializer("W", [4, 3, 3, 3], Ones(108));
        b.Node("Conv", "first", [b.Input("X", 1, 3, 8, 8), w], "h", ModelBuilder.Ints("pads", 1, 1, 1, 1));
        b.Node("Conv", "second", [b.Input("Z", 1, 3, 8, 8), w], b.Output("Y"));

        var result = LayerDiscovery.Find(b.Build());

        Assert.That(result.Layers, Is.Empty);
        Assert.That(result.Skipped.Select(s => (s.NodeName, s.Reason)),
            Is.EqualTo(new[] { ("first", SkipReason.SharedWeight), ("second", SkipReason.SharedWeight) }));
    }

    [Test]
    public void WeightListedAsGraphInputIsSkippedUnlessInputsMayBeRemoved()
    {
        var b = new ModelBuilder();
        b.Node("MatMul", "mm", [b.Input("X", 2, 6), b.Initializer("B", [6, 5], Ones(30))], b.Output("Y"));
        b.Input("B", 6, 5);

        Assert.That(SkippedOnly(b).Reason, Is.EqualTo(SkipReason.WeightIsGraphInput));
        Assert.That(LayerDiscovery.Find(b.Build(), new DiscoveryOptions { RemoveInitializerInputs = true }).Layers.Single().NodeName, Is.EqualTo("mm"));
    }

    [Test]
    public void DepthwiseConvIsSkippedButASingleChannelFirstConvIsALayer()
    {
        var b = new ModelBuilder();
        b.Node("Conv", "stem", [b.Input("X", 1, 1, 8, 8), b.Initializer("W0", [16, 1, 3, 3], Ones(144))], "h");
        b.Node("Conv", "dw", ["h", b.Initializer("W1", [16, 1, 3, 3], Ones(144))], b.Output("Y"), ModelBuilder.Int("group", 16));

        var result = LayerDiscovery.Find(b.Build());

        Assert.That(result.Layers.Select(l => l.NodeName), Is.EqualTo(new[] { "stem" }));
        Assert.That(result.Skipped.Select(s => (s.NodeName, s.Reason)), Is.EqualTo(new[] { ("dw", SkipReason.Depthwise) }));
    }

    [Test]
    public void Int8WeightIsNotFactorized()
    {
        var b = new ModelBuilder();
        var weight = new TensorProto { Name = "W", DataType = (int)DataType.Int8, Dims = { 4, 3, 3, 3 } };
        weight.Int32Data.AddRange(Enumerable.Repeat(1, 108));
        b.Graph.Initializer.Add(weight);
        b.Node("Conv", "q", [b.Input("X", 1, 3, 8, 8), "W"], b.Output("Y"));
        Assert.That(SkippedOnly(b).Reason, Is.EqualTo(SkipReason.UnsupportedElementType));
    }

    [Test]
    public void NaNWeightIsNotFactorized()
    {
        var b = new ModelBuilder();
        var values = Ones(48);
        values[17] = double.NaN;
        b.Node("Gemm", "g", [b.Input("A", 2, 8), b.Initializer("B", [8, 6], values)], b.Output("Y"));
        Assert.That(SkippedOnly(b).Reason, Is.EqualTo(SkipReason.NonFiniteWeight));
    }

    [Test]
    public void OneByOneGemmWeightCannotShrink()
    {
        var b = new ModelBuilder();
        b.Node("Gemm", "tiny", [b.Input("A", 4, 1), b.Initializer("B", [1, 1], [2.0])], b.Output("Y"));
        Assert.That(SkippedOnly(b).Reason, Is.EqualTo(SkipReason.NotBeneficial));
    }

    [Test]
    public void TransposedConstantFeedingMatMulIsFolded()
    {
        var b = new ModelBuilder();
        b.Node("Transpose", "t", [b.Initializer("W", [5, 7], Ones(35))], "WT", ModelBuilder.Ints("perm", 1, 0));
        b.Node("MatMul", "mm", [b.Input("X", 3, 7), "WT"], b.Output("Y"));

        var layer = LayerDiscovery.Find(b.Build()).Layers.Single();

        Assert.Multiple(() =>
        {
            Assert.That(layer.FoldedTranspose, Is.True);
            Assert.That(layer.ConstantName, Is.EqualTo("W"));
            Assert.That(layer.StoredTransposed, Is.False, "the stored W (5 x 7) is already f x K");
            Assert.That((layer.Geometry.OutputChannels, layer.Geometry.InputChannels), Is.EqualTo((5, 7)));
        });
    }

    [Test]
    public void TransposeFeedingTwoNodesIsNotFolded()
    {
        var b = new ModelBuilder();
        b.Node("Transpose", "t", [b.Initializer("W", [5, 7], Ones(35))], "WT");
        b.Node("MatMul", "mm", [b.Input("X", 3, 7), "WT"], b.Output("Y"));
        b.Node("Identity", "copy", ["WT"], b.Output("Z"));
        Assert.That(SkippedOnly(b).Reason, Is.EqualTo(SkipReason.SharedWeight));
    }

    [Test]
    public void RunTimeWeightAndForeignDomainAreReported()
    {
        var b = new ModelBuilder();
        b.Node("MatMul", "activations", [b.Input("X", 3, 7), b.Input("Z", 7, 4)], "h");
        var foreign = b.Node("Conv", "custom", [b.Input("P", 1, 3, 8, 8), b.Initializer("W", [4, 3, 3, 3], Ones(108))], b.Output("Y"));
        foreign.Domain = "com.example";

        var result = LayerDiscovery.Find(b.Build());

        Assert.That(result.Skipped.Select(s => (s.NodeName, s.Reason)),
            Is.EqualTo(new[] { ("activations", SkipReason.NonConstantWeight), ("custom", SkipReason.NonDefaultDomain) }));
    }

    [Test]
    public void DequantizedWeightIsReportedAsQuantized()
    {
        var b = new ModelBuilder();
        var quantized = new TensorProto { Name = "Wq", DataType = (int)DataType.Int8, Dims = { 8, 4 } };
        quantized.Int32Data.AddRange(Enumerable.Range(0, 32).Select(i => i - 16));
        b.Graph.Initializer.Add(quantized);
        b.Node("DequantizeLinear", "dq", ["Wq", b.Initializer("scale", [], [0.05])], "W");
        b.Node("MatMul", "fc", [b.Input("X", 2, 8), "W"], b.Output("Y"));

        var skipped = SkippedOnly(b);

        Assert.That(skipped.Reason, Is.EqualTo(SkipReason.QuantizedWeight));
        Assert.That(skipped.Detail, Does.Contain("'Wq'").And.Contain("Int8").And.Contain("quantize the result"));
    }

    [Test]
    public void QuantizedAndFusedOperatorsAreReportedNotFactorized()
    {
        var b = new ModelBuilder();
        var x = b.Input("X", 2, 8);
        b.Node("MatMulInteger", "int_fc", [b.Input("Xq", 2, 8), b.Input("Wq", 8, 4)], "Yq");
        var fused = b.Node("FusedMatMul", "fused_fc", [x, b.Initializer("W", [8, 4], Ones(32))], "h");
        fused.Domain = "com.microsoft";
        var attention = b.Node("Attention", "attention", [b.Input("S", 1, 3, 8), b.Initializer("Wqkv", [8, 24], Ones(192))], b.Output("A"));
        attention.Domain = "com.microsoft";
        var custom = b.Node("Attention", "other_domain_attention", [b.Input("T", 1, 3, 8)], "B");
        custom.Domain = "com.example";

        var result = LayerDiscovery.Find(b.Build());

        Assert.That(result.Layers, Is.Empty);
        Assert.That(result.Skipped.Select(s => (s.NodeName, s.Reason)), Is.EqualTo(new[]
        {
            ("int_fc", SkipReason.QuantizedOperator), ("fused_fc", SkipReason.FusedOperator), ("attention", SkipReason.FusedOperator),
        }));
    }

    [TestCase(0, 6, 8)]
    [TestCase(1, 8, 6)]
    public void GemmWeightMatrixFollowsTransB(int transB, int rows, int columns)
    {
        var b = new ModelBuilder();
        b.Node("Gemm", "g", [b.Input("A", 2, transB == 1 ? 6 : 8), b.Initializer("B", [rows, columns], Ones(48))], b.Output("Y"),
            ModelBuilder.Int("transB", transB));

        var layer = LayerDiscovery.Find(b.Build()).Layers.Single();

        // W is N x K: B itself with transB = 1, B^T without.
        var (n, k) = transB == 1 ? (rows, columns) : (columns, rows);
        Assert.That((layer.Geometry.OutputChannels, layer.Geometry.InputChannels, layer.StoredTransposed), Is.EqualTo((n, k, transB == 0)));
    }

    [Test]
    public void ConstantNodeWeightIsALayerAndUnnamedNodesGetStableNames()
    {
        var b = new ModelBuilder();
        var w = b.ConstantNode("W", [6, 4, 3], Ones(72));
        b.Node("Conv", "", [b.Input("X", 1, 4, 10), w], b.Output("Y"));

        var layer = LayerDiscovery.Find(b.Build()).Layers.Single();

        Assert.That((layer.NodeName, layer.Geometry.KernelSize, layer.SliceCounts()), Is.EqualTo(("Conv:Y", 3, new[] { 1, 2, 4 })));
    }

    [Test]
    public void RepeatedNodeNamesAreReplacedByNamesThatStayUnique()
    {
        var b = new ModelBuilder();
        b.Node("MatMul", "dense", [b.Input("X", 2, 6), b.Initializer("B1", [6, 5], Ones(30))], "h");
        b.Node("MatMul", "dense", ["h", b.Initializer("B2", [5, 4], Ones(20))], "g");
        b.Node("MatMul", "MatMul:h", ["g", b.Initializer("B3", [4, 3], Ones(12))], b.Output("Y"));

        var names = LayerDiscovery.Find(b.Build()).Layers.Select(l => l.NodeName);

        Assert.That(names, Is.EqualTo(new[] { "MatMul:h#0", "MatMul:g", "MatMul:h" }));
    }
}
