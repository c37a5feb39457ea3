using MathNet.Numerics.LinearAlgebra;
using OnnxLowRank.Core.Execution;
using OnnxLowRank.Onnx;
using OnnxLowRank.Onnx.Protos;
using DataType = OnnxLowRank.Onnx.Protos.TensorProto.Types.DataType;

namespace OnnxLowRank.Core.Tests.Support;

/// <summary>
/// A one-layer model whose weight matrix W the test knows, with an input batch and the reference
/// operator that turns a weight-shaped E into the layer's (bias-free) output E applied to x.
/// </summary>
public sealed record TruncationCase(
    string Name, ModelProto Model, Dictionary<string, TensorData> Feeds, string Input, Matrix<double> W, int Groups,
    Func<double[], long[], Matrix<double>, double[]> OutputOf)
{
    public override string ToString() => Name;

    internal static TruncationCase Gemm(string name, DataType type, long opset, int m, int kIn, int n, bool transA, bool transB, float alpha, float beta, long[]? cShape, int seed)
    {
        var b = new ModelBuilder(opset, type);
        var aShape = transA ? new long[] { kIn, m } : [m, kIn];
        var a = b.Input("A", aShape);
        var w = Matrix<double>.Build.Dense(n, kIn, RandomValues.Normal(seed, n * kIn));
        var stored = transB ? w : w.Transpose();
        var weight = b.Initializer("B", [stored.RowCount, stored.ColumnCount], DenseReference.ToRowMajor(stored));
        var inputs = new List<string> { a, weight };
        if (cShape is not null) inputs.Add(b.Initializer("C", cShape, RandomValues.Normal(seed + 1, RandomValues.Count(cShape))));
        b.Node("Gemm", "gemm", inputs.ToArray(), b.Output("Y"),
            ModelBuilder.Int("transA", transA ? 1 : 0), ModelBuilder.Int("transB", transB ? 1 : 0),
            ModelBuilder.Float("alpha", alpha), ModelBuilder.Float("beta", beta));
        return new TruncationCase(name, b.Build(), Feed(a, aShape, type, seed + 2), a, w, 1,
            (x, shape, e) => ReferenceOps.Linear(x, shape, e, transA, alpha));
    }

    internal static TruncationCase MatMul(string name, DataType type, long[] xShape, int n, int seed)
    {
        var b = new ModelBuilder(13, type);
        var x = b.Input("X", xShape);
        var kIn = (int)xShape[^1];
        var w = Matrix<double>.Build.Dense(n, kIn, RandomValues.Normal(seed, n * kIn));
        b.Node("MatMul", "matmul", [x, b.Initializer("B", [kIn, n], DenseReference.ToRowMajor(w.Transpose()))], b.Output("Y"));
        return new TruncationCase(name, b.Build(), Feed(x, xShape, type, seed + 1), x, w, 1, (v, shape, e) => ReferenceOps.Linear(v, shape, e));
    }

    internal static TruncationCase Conv(string name, DataType type, long[] xShape, int filters, int group, long[] kernel, long[] strides, long[] pads, long[] dilations, int seed)
    {
        var b = new ModelBuilder(13, type);
        var x = b.Input("X", xShape);
        long[] wShape = [filters, xShape[1] / group, .. kernel];
        var values = RandomValues.Normal(seed, RandomValues.Count(wShape));
        var bias = b.Initializer("Bias", [filters], RandomValues.Normal(seed + 1, filters));
        b.Node("Conv", "conv", [x, b.Initializer("W", wShape, values), bias], b.Output("Y"),
            ModelBuilder.Int("group", group), ModelBuilder.Ints("kernel_shape", kernel), ModelBuilder.Ints("strides", strides),
            ModelBuilder.Ints("pads", pads), ModelBuilder.Ints("dilations", dilations));
        var w = DenseReference.RowMajor(filters, values.Length / filters, values);
        return new TruncationCase(name, b.Build(), Feed(x, xShape, type, seed + 2), x, w, group,
            (v, shape, e) => ReferenceOps.Conv(v, shape, DenseReference.ToRowMajor(e), wShape, group, strides, pads, dilations));
    }

    /// <summary>
    /// A pytorch-converted Conv or Linear test model with its own weights (initializer "1") and input
    /// batch: Conv, Gemm(transB=1) and Transpose -> MatMul all hold W itself in "1".
    /// </summary>
    internal static TruncationCase FromTestData(OnnxTestCase testCase)
    {
        var (model, feeds) = testCase.Prepare(new HashSet<string>());
        var graph = model.Graph;
        var weight = graph.Initializer.Single(t => t.Name == "1");
        var values = TensorCodec.ToDoubles(weight);
        var w = DenseReference.RowMajor((int)weight.Dims[0], values.Length / (int)weight.Dims[0], values);
        var layer = graph.Node.Single(n => n.OpType is "Conv" or "Gemm" or "MatMul");
        var input = graph.Input[0].Name;
        long[] Ints(string attribute) => layer.Attribute.Single(a => a.Name == attribute).Ints.ToArray();
        if (layer.OpType != "Conv")
            return new TruncationCase(testCase.Name, model, feeds, input, w, 1, (v, shape, e) => ReferenceOps.Linear(v, shape, e));
        var group = (int)layer.Attribute.Single(a => a.Name == "group").I;
        var wShape = weight.Dims.ToArray();
        return new TruncationCase(testCase.Name, model, feeds, input, w, group,
            (v, shape, e) => ReferenceOps.Conv(v, shape, DenseReference.ToRowMajor(e), wShape, group, Ints("strides"), Ints("pads"), Ints("dilations")));
    }

    private static Dictionary<string, TensorData> Feed(string name, long[] shape, DataType type, int seed) =>
        new() { [name] = Tensors.FromDoubles(type, shape, RandomValues.Normal(seed, RandomValues.Count(shape))) };
}
