using OnnxLowRank.Onnx.Errors;
using OnnxLowRank.Onnx.Protos;
using DataType = OnnxLowRank.Onnx.Protos.TensorProto.Types.DataType;

namespace OnnxLowRank.Onnx.Tests;

public sealed class GraphIndexTests
{
    /// <summary>
    /// x ─MatMul(W)→ h ─Add(B)→ z ─Mul(z, z)→ p ─Add(c)→ out, where c comes from a Constant node.
    /// </summary>
    private static GraphProto SmallGraph()
    {
        var graph = new GraphProto { Name = "small" };
        graph.Input.Add(new ValueInfoProto { Name = "x" });
        graph.Output.Add(new ValueInfoProto { Name = "out" });
        graph.Initializer.Add(TensorCodec.FromFloats("W", [2, 2], [1, 2, 3, 4], DataType.Float));
        graph.Initializer.Add(TensorCodec.FromFloats("B", [2], [5, 6], DataType.Float));
        graph.Node.Add(Node("matmul", "MatMul", ["x", "W"], ["h"]));
        graph.Node.Add(Node("bias", "Add", ["h", "B"], ["z"]));
        var constant = Node("const", "Constant", [], ["c"]);
        constant.Attribute.Add(new AttributeProto
        {
            Name = "value",
            Type = AttributeProto.Types.AttributeType.Tensor,
            T = TensorCodec.FromFloats("c_value", [1], [7], DataType.Float),
        });
        graph.Node.Add(constant);
        graph.Node.Add(Node("square", "Mul", ["z", "z"], ["p"]));
        graph.Node.Add(Node("shift", "Add", ["p", "c"], ["out"]));
        return graph;
    }

    private static NodeProto Node(string name, string opType, string[] inputs, string[] outputs) =>
        new() { Name = name, OpType = opType, Input = { inputs }, Output = { outputs } };

    [Test]
    public void ProducersAreTheNodesThatWriteEachValue()
    {
        var graph = SmallGraph();
        var index = new GraphIndex(graph);
        Assert.That(index.Producer("h"), Is.SameAs(graph.Node[0]));
        Assert.That(index.Producer("z"), Is.SameAs(graph.Node[1]));
        Assert.That(index.Producer("c"), Is.SameAs(graph.Node[2]));
        Assert.That(index.Producer("out"), Is.SameAs(graph.Node[4]));
        Assert.That(index.Producer("x"), Is.Null, "graph input");
        Assert.That(index.Producer("W"), Is.Null, "initializer");
        Assert.That(index.Producer("nowhere"), Is.Null);
        Assert.That(index.Graph, Is.SameAs(graph));
    }

    [Test]
    public void ConsumersCountEveryInputSlot()
    {
        var graph = SmallGraph();
        var index = new GraphIndex(graph);
        Assert.That(index.Consumers("x"), Is.EqualTo(new[] { graph.Node[0] }));
        Assert.That(index.Consumers("W"), Is.EqualTo(new[] { graph.Node[0] }));
        Assert.That(index.Consumers("z"), Has.Count.EqualTo(2).And.All.SameAs(graph.Node[3]));
        Assert.That(index.Consumers("c"), Is.EqualTo(new[] { graph.Node[4] }));
        Assert.That(index.Consumers("out"), Is.Empty);
        Assert.That(index.Consumers("nowhere"), Is.Empty);
    }

    [Test]
    public void ConstantsAreInitializersAndConstantNodeValues()
    {
        var graph = SmallGraph();
        var index = new GraphIndex(graph);
        Assert.That(index.Constant("W"), Is.SameAs(graph.Initializer[0]));
        Assert.That(index.Constant("B"), Is.SameAs(graph.Initializer[1]));
        Assert.That(TensorCodec.ToFloats(index.Constant("c")!), Is.EqualTo(new[] { 7f }));
        Assert.That(index.Constant("x"), Is.Null);
        Assert.That(index.Constant("h"), Is.Null);
        Assert.That(index.IsInitializer("W"), Is.True);
        Assert.That(index.IsInitializer("c"), Is.False, "a Constant node output is constant but not an initializer");
        Assert.That(index.IsGraphInput("x"), Is.True);
        Assert.That(index.IsGraphInput("W"), Is.False);
        Assert.That(index.IsGraphOutput("out"), Is.True);
        Assert.That(index.IsGraphOutput("p"), Is.False);
    }

    [Test]
    public void ConstantNodesGivenAsListsOfNumbersAreConstantsToo()
    {
        var graph = new GraphProto();
        var floats = Node("f", "Constant", [], ["floats"]);
        floats.Attribute.Add(new AttributeProto { Name = "value_floats", Type = AttributeProto.Types.AttributeType.Floats, Floats = { 1.5f, 2.5f } });
        var scalar = Node("i", "Constant", [], ["int"]);
        scalar.Attribute.Add(new AttributeProto { Name = "value_int", Type = AttributeProto.Types.AttributeType.Int, I = 42 });
        graph.Node.Add([floats, scalar]);
        var index = new GraphIndex(graph);

        var floatsTensor = index.Constant("floats")!;
        Assert.That(floatsTensor.Dims, Is.EqualTo(new long[] { 2 }));
        Assert.That(TensorCodec.ToFloats(floatsTensor), Is.EqualTo(new[] { 1.5f, 2.5f }));
        var intTensor = index.Constant("int")!;
        Assert.That(intTensor.Dims, Is.Empty, "value_int is a scalar");
        Assert.That(intTensor.DataType, Is.EqualTo((int)DataType.Int64));
        Assert.That(intTensor.Int64Data, Is.EqualTo(new long[] { 42 }));
    }

    [Test]
    public void SortedGraphKeepsItsOrder()
    {
        var graph = SmallGraph();
        var index = new GraphIndex(graph);
        Assert.That(index.IsTopologicallySorted, Is.True);
        Assert.That(index.TopologicalOrder(), Is.EqualTo(graph.Node).AsCollection);
    }

    [Test]
    public void UnsortedGraphIsDetectedAndOrdered()
    {
        var graph = SmallGraph();
        var shift = graph.Node[4];
        graph.Node.RemoveAt(4);
        graph.Node.Insert(0, shift);
        var index = new GraphIndex(graph);

        Assert.That(index.IsTopologicallySorted, Is.False);
        var order = index.TopologicalOrder()!.Select(n => n.Name).ToList();
        Assert.That(order, Is.EqualTo(new[] { "matmul", "bias", "const", "square", "shift" }));
    }

    [Test]
    public void CycleHasNoTopologicalOrder()
    {
        var graph = new GraphProto();
        graph.Input.Add(new ValueInfoProto { Name = "x" });
        graph.Node.Add(Node("a", "Add", ["x", "b_out"], ["a_out"]));
        graph.Node.Add(Node("b", "Relu", ["a_out"], ["b_out"]));
        var index = new GraphIndex(graph);
        Assert.That(index.TopologicalOrder(), Is.Null);
        Assert.That(index.IsTopologicallySorted, Is.False);
    }

    [Test]
    public void NodeReadingItsOwnOutputIsACycle()
    {
        var graph = new GraphProto();
        graph.Node.Add(Node("loop", "Relu", ["y"], ["y"]));
        Assert.That(new GraphIndex(graph).TopologicalOrder(), Is.Null);
    }

    [Test]
    public void EmptyOptionalInputsNeedNoProducer()
    {
        var graph = new GraphProto();
        graph.Input.Add(new ValueInfoProto { Name = "x" });
        graph.Node.Add(Node("clip", "Clip", ["x", "", "max"], ["y"]));
        graph.Initializer.Add(TensorCodec.FromFloats("max", [], [6], DataType.Float));
        var index = new GraphIndex(graph);
        Assert.That(index.IsTopologicallySorted, Is.True);
        Assert.That(index.Consumers(""), Is.Empty);
    }

    [Test]
    public void ValueWithTwoProducersIsRefused()
    {
        var graph = new GraphProto();
        graph.Node.Add(Node("first", "Relu", ["x"], ["y"]));
        graph.Node.Add(Node("second", "Relu", ["x"], ["y"]));
        var error = Assert.Throws<InvalidModelException>(() => _ = new GraphIndex(graph));
        Assert.That(error!.Subject, Is.EqualTo("y"));
    }
}
