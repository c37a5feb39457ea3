using OnnxLowRank.Core.Execution;
using OnnxLowRank.Onnx;
using OnnxLowRank.Onnx.Protos;
using OnnxLowRank.Runtime.Tests.Support;
using DataType = OnnxLowRank.Onnx.Protos.TensorProto.Types.DataType;

namespace OnnxLowRank.Runtime.Tests;

/// <summary>
/// ONNX Runtime's CPU provider has no bfloat16 MatMul; the runner runs such a model as a float32
/// shadow, whose outputs must equal those of the same graph written in float32 by hand.
/// </summary>
public class Bfloat16ShadowTests
{
    private static readonly OnnxRuntimeModelRunner Runner = new(new OnnxRuntimeRunnerOptions { IntraOpNumThreads = 1 });

    [Test]
    public void A_bfloat16_weight_in_a_Constant_node_and_in_an_If_branch_runs_as_the_float32_graph_written_by_hand()
    {
        var weights = TinyModels.Ramp(8 * 6, 3);
        // Values bfloat16 can hold exactly, so the hand-written float32 graph is the same computation.
        var exact = TensorCodec.ToFloats(TensorCodec.FromFloats("w", [8, 6], weights, DataType.Bfloat16));
        var x = TensorData.FromFloats([5, 8], TinyModels.Ramp(40, 9));

        using var shadowed = Runner.Open(Model(DataType.Bfloat16, weights));
        using var reference = Runner.Open(Model(DataType.Float, exact));
        var got = shadowed.Run(new Dictionary<string, TensorData> { ["X"] = x });
        var expected = reference.Run(new Dictionary<string, TensorData> { ["X"] = x });

        Assert.That(shadowed.Inputs.Single().ElementType, Is.EqualTo(DataType.Float));
        foreach (var output in new[] { "Y", "Z" })
        {
            Assert.That(got[output].ElementType, Is.EqualTo(DataType.Float));
            Assert.That(got[output].AsFloats(), Is.EqualTo(expected[output].AsFloats()), output);
        }
    }

    // Xt = Cast(X, type); Y = If(true, then: Cast(MatMul(Xt, W_then), float), else: the same with W);
    // Z = Cast(MatMul(Xt, W), float), where W comes from a Constant node and W_then is the branch's initializer.
    private static ModelProto Model(DataType type, float[] weights)
    {
        var constant = new NodeProto
        {
            OpType = "Constant", Name = "weight", Output = { "W" },
            Attribute = { new AttributeProto { Name = "value", Type = AttributeProto.Types.AttributeType.Tensor, T = TensorCodec.FromFloats("W", [8, 6], weights, type) } },
        };
        var cast = Cast("X", "Xt", type);
        var condition = new TensorProto { Name = "cond", DataType = (int)DataType.Bool, Dims = { } };
        condition.Int32Data.Add(1);
        var then = Branch("then", TensorCodec.FromFloats("W_then", [8, 6], weights, type), "W_then");
        var otherwise = Branch("else", null, "W");
        var choose = new NodeProto
        {
            OpType = "If", Name = "choose", Input = { "cond" }, Output = { "Y" },
            Attribute =
            {
                new AttributeProto { Name = "then_branch", Type = AttributeProto.Types.AttributeType.Graph, G = then },
                new AttributeProto { Name = "else_branch", Type = AttributeProto.Types.AttributeType.Graph, G = otherwise },
            },
        };
        return TinyModels.Model(new GraphProto
        {
            Name = "bf16",
            Node = { constant, cast, choose, TinyModels.Node("MatMul", ["Xt", "W"], ["product"]), Cast("product", "Z", DataType.Float) },
            Initializer = { condition },
            Input = { TinyModels.Value("X", DataType.Float, "batch", 8L) },
            Output = { TinyModels.Value("Y", DataType.Float, "batch", 6L), TinyModels.Value("Z", DataType.Float, "batch", 6L) },
            ValueInfo = { TinyModels.Value("Xt", type, "batch", 8L) },
        });
    }

    private static GraphProto Branch(string name, TensorProto? initializer, string weight)
    {
        var graph = new GraphProto
        {
            Name = name,
            Node =
            {
                TinyModels.Node("MatMul", ["Xt", weight], [$"{name}_product"]),
                Cast($"{name}_product", $"{name}_y", DataType.Float),
            },
            Output = { TinyModels.Value($"{name}_y", DataType.Float, "batch", 6L) },
        };
        if (initializer is not null) graph.Initializer.Add(initializer);
        return graph;
    }

    private static NodeProto Cast(string input, string output, DataType to) => new()
    {
        OpType = "Cast", Name = $"cast_{output}", Input = { input }, Output = { output },
        Attribute = { new AttributeProto { Name = "to", Type = AttributeProto.Types.AttributeType.Int, I = (long)to } },
    };
}
