using Google.Protobuf;
using OnnxLowRank.Onnx.Protos;

namespace OnnxLowRank.Onnx.Tests;

public sealed class NodeAttributesTests
{
    private static NodeProto Conv()
    {
        var node = new NodeProto { OpType = "Conv" };
        node.Attribute.Add(new AttributeProto { Name = "group", Type = AttributeProto.Types.AttributeType.Int, I = 4 });
        node.Attribute.Add(new AttributeProto { Name = "alpha", Type = AttributeProto.Types.AttributeType.Float, F = 0.5f });
        node.Attribute.Add(new AttributeProto { Name = "auto_pad", Type = AttributeProto.Types.AttributeType.String, S = ByteString.CopyFromUtf8("SAME_UPPER") });
        var pads = new AttributeProto { Name = "pads", Type = AttributeProto.Types.AttributeType.Ints };
        pads.Ints.Add([1, 2, 1, 2]);
        node.Attribute.Add(pads);
        // A second attribute of the same name is malformed; the first one counts, as in ONNX Runtime.
        node.Attribute.Add(new AttributeProto { Name = "group", Type = AttributeProto.Types.AttributeType.Int, I = 8 });
        return node;
    }

    [Test]
    public void Present_attributes_are_read_from_their_field()
    {
        var node = Conv();
        Assert.Multiple(() =>
        {
            Assert.That(node.IntAttribute("group", 1), Is.EqualTo(4));
            Assert.That(node.FloatAttribute("alpha", 1f), Is.EqualTo(0.5f));
            Assert.That(node.StringAttribute("auto_pad", "NOTSET"), Is.EqualTo("SAME_UPPER"));
            Assert.That(node.IntsAttribute("pads"), Is.EqualTo(new long[] { 1, 2, 1, 2 }));
            Assert.That(node.FindAttribute("pads")?.Name, Is.EqualTo("pads"));
        });
    }

    [Test]
    public void Absent_attributes_take_the_default()
    {
        var node = new NodeProto { OpType = "Gemm" };
        Assert.Multiple(() =>
        {
            Assert.That(node.IntAttribute("transA", 0), Is.EqualTo(0));
            Assert.That(node.FloatAttribute("beta", 1f), Is.EqualTo(1f));
            Assert.That(node.StringAttribute("auto_pad", "NOTSET"), Is.EqualTo("NOTSET"));
            Assert.That(node.IntsAttribute("perm"), Is.Null);
            Assert.That(node.FindAttribute("perm"), Is.Null);
        });
    }

    [Test]
    public void Subgraphs_are_each_attributes_graph_then_its_list()
    {
        var node = new NodeProto { OpType = "If" };
        var thenBranch = new GraphProto { Name = "then" };
        var elseBranch = new GraphProto { Name = "else" };
        var list = new AttributeProto { Name = "bodies", Type = AttributeProto.Types.AttributeType.Graphs };
        list.Graphs.Add([new GraphProto { Name = "first" }, new GraphProto { Name = "second" }]);
        node.Attribute.Add(new AttributeProto { Name = "then_branch", Type = AttributeProto.Types.AttributeType.Graph, G = thenBranch });
        node.Attribute.Add(new AttributeProto { Name = "group", Type = AttributeProto.Types.AttributeType.Int, I = 1 });
        node.Attribute.Add(list);
        node.Attribute.Add(new AttributeProto { Name = "else_branch", Type = AttributeProto.Types.AttributeType.Graph, G = elseBranch });

        Assert.That(node.Subgraphs().Select(g => g.Name), Is.EqualTo(new[] { "then", "first", "second", "else" }));
        Assert.That(new NodeProto { OpType = "Relu" }.Subgraphs(), Is.Empty);
    }
}
