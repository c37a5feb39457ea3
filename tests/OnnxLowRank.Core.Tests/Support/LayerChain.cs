using OnnxLowRank.Core.Execution;
using OnnxLowRank.Onnx.Protos;
using DataType = OnnxLowRank.Onnx.Protos.TensorProto.Types.DataType;

namespace OnnxLowRank.Core.Tests.Support;

/// <summary>
/// A small network with one of every weight source: grouped Conv, depthwise Conv, a 1x1 Conv whose
/// weight is a Constant node, Gemm, Transpose(W) -> MatMul, and a plain MatMul.
/// </summary>
internal static class LayerChain
{
    public const string Input = "X";

    public static readonly long[] InputShape = [2, 8, 6, 6];

    public static ModelProto Build()
    {
        var b = new ModelBuilder(13, DataType.Float);
        var x = b.Input(Input, InputShape);
        var seed = 100;
        string Weight(string name, params long[] dims) => b.Initializer(name, dims, Scaled(seed++, dims));
        b.Node("Conv", "grouped", [x, Weight("w_grouped", 12, 4, 3, 3), Weight("b_grouped", 12)], "h1",
            ModelBuilder.Int("group", 2), ModelBuilder.Ints("pads", 1, 1, 1, 1));
        b.Node("Conv", "depthwise", [b.Node("Relu", "relu1", ["h1"], "r1").Output[0], Weight("w_depthwise", 12, 1, 3, 3)], "h2",
            ModelBuilder.Int("group", 12), ModelBuilder.Text("auto_pad", "SAME_UPPER"));
        var pointwise = b.ConstantNode("w_pointwise", [10, 12, 1, 1], Scaled(seed++, [10, 12, 1, 1]));
        b.Node("Conv", "pointwise", ["h2", pointwise], "h3");
        b.Node("Flatten", "flatten", ["h3"], "f3");
        b.Node("Gemm", "dense", ["f3", Weight("w_dense", 360, 16), Weight("b_dense", 16)], "h4");
        b.Node("Transpose", "w_folded_t", [Weight("w_folded", 9, 16)], "w_folded_T", ModelBuilder.Ints("perm", 1, 0));
        b.Node("MatMul", "folded", ["h4", "w_folded_T"], "h5");
        b.Node("MatMul", "head", ["h5", Weight("w_head", 9, 5)], b.Output("Y"));
        return b.Build();
    }

    public static Dictionary<string, TensorData> Feeds() =>
        new() { [Input] = Tensors.FromDoubles(DataType.Float, InputShape, RandomValues.Normal(7, RandomValues.Count(InputShape))) };

    /// <summary>Weights scaled by 1/sqrt(fan-in) so activations stay of order one through the chain.</summary>
    private static double[] Scaled(int seed, long[] dims)
    {
        var fanIn = dims.Length > 1 ? RandomValues.Count(dims[1..]) : 1;
        return RandomValues.Normal(seed, RandomValues.Count(dims)).Select(v => v / Math.Sqrt(fanIn)).ToArray();
    }
}
