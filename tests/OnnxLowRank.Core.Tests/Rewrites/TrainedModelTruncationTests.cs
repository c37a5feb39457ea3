using MathNet.Numerics.LinearAlgebra;
using OnnxLowRank.Core.Execution;
using OnnxLowRank.Core.Layers;
using OnnxLowRank.Core.Planning;
using OnnxLowRank.Core.Rewrites;
using OnnxLowRank.Core.Tests.Support;
using OnnxLowRank.Onnx;
using OnnxLowRank.Onnx.Protos;
using DataType = OnnxLowRank.Onnx.Protos.TensorProto.Types.DataType;

namespace OnnxLowRank.Core.Tests.Rewrites;

/// <summary>
/// On the trained reference networks, factorizing one layer changes that layer's output (read from
/// inside the network by ONNX Runtime) by exactly (W - W^) x, x being the layer's real input.
/// </summary>
public class TrainedModelTruncationTests
{
    private const int Batch = 4;
    private const double OutputTolerance = 1e-4;
    private const double MinimumError = 0.01;

    [TestCase("mlp.onnx")]
    [TestCase("resnet.onnx")]
    public void EveryLayerLosesWhatItsTruncationPredicts(string file)
    {
        var model = OnnxModelFile.Load(RepositoryFiles.Model(file));
        var graph = model.Graph;
        var layers = LayerDiscovery.Find(model).Layers;
        Assert.That(layers, Is.Not.Empty);
        var input = graph.Input.Single(i => graph.Initializer.All(t => t.Name != i.Name));
        long[] shape = [Batch, .. input.Type.TensorType.Shape.Dim.Skip(1).Select(d => d.DimValue)];
        var feeds = new Dictionary<string, TensorData>
        {
            [input.Name] = Tensors.FromDoubles(DataType.Float, shape, RandomValues.Normal(3, RandomValues.Count(shape))),
        };
        var outputs = graph.Output.Select(o => o.Name).ToHashSet();
        var inner = layers.SelectMany(l => new[] { l.Node.Input[0], l.Node.Output[0] })
            .Where(v => v != input.Name && !outputs.Contains(v)).Distinct().ToList();
        var original = Engine.Run(model, feeds, inner);

        foreach (var layer in layers)
        {
            var k = layer.SliceCounts(4)[^1];
            var w = WeightOf(graph, layer.Node);
            // A quarter of the full rank, halved until the truncation costs at least 1%.
            int rank;
            Matrix<double> residual;
            double expectedError;
            for (rank = Math.Max(1, layer.Geometry.MaxRank(k) / 4); ; rank = Math.Max(1, rank / 2))
            {
                residual = DenseReference.Residual(w, layer.Geometry.Groups, k, rank);
                expectedError = DenseReference.RelativeError(w, residual, layer.Geometry.Groups);
                if (expectedError >= MinimumError || rank == 1) break;
            }

            var result = new LowRankCompressor().Compress(model, new CompressionPlan([new LayerPlan(layer.NodeName, k, rank)]));
            var y = layer.Node.Output[0];
            var rewritten = Engine.Run(result.Model, feeds, outputs.Contains(y) ? null : [y]);

            var x = original.TryGetValue(layer.Node.Input[0], out var exposed) ? exposed : feeds[layer.Node.Input[0]];
            var predicted = Apply(layer.Node, x.ToDoubles(), x.Shape, residual);
            var measured = original[y].ToDoubles().Zip(rewritten[y].ToDoubles(), (a, b) => a - b).ToArray();
            var deviation = Closeness.Norm(measured.Zip(predicted, (a, b) => a - b)) / Closeness.Norm(predicted);
            TestContext.Out.WriteLine($"{layer.NodeName}: k={k} rank={rank} weight error {expectedError:0.0000}, |measured - predicted| / |predicted| = {deviation:0.0e0}");
            Assert.Multiple(() =>
            {
                Assert.That(expectedError, Is.GreaterThanOrEqualTo(MinimumError), layer.NodeName);
                Assert.That(result.Layers.Single().RelativeError, Is.EqualTo(expectedError).Within(1e-4).Percent, $"{layer.NodeName}: reported error");
                Assert.That(deviation, Is.LessThanOrEqualTo(OutputTolerance), $"{layer.NodeName}: output error");
            });
        }
    }

    /// <summary>W (f x c_g*prod(kernel)) read straight from the exported weight: Conv's weight, or Gemm's B (transposed when transB = 0).</summary>
    private static Matrix<double> WeightOf(GraphProto graph, NodeProto node)
    {
        var tensor = graph.Initializer.Single(t => t.Name == node.Input[1]);
        var values = TensorCodec.ToDoubles(tensor);
        var rows = (int)tensor.Dims[0];
        var stored = DenseReference.RowMajor(rows, values.Length / rows, values);
        return node.OpType == "Gemm" && Attribute(node, "transB")?.I != 1 ? stored.Transpose() : stored;
    }

    private static double[] Apply(NodeProto node, double[] x, long[] xShape, Matrix<double> e) => node.OpType switch
    {
        "Gemm" => ReferenceOps.Linear(x, xShape, e, Attribute(node, "transA")?.I == 1, Attribute(node, "alpha")?.F ?? 1),
        "MatMul" => ReferenceOps.Linear(x, xShape, e),
        _ => ReferenceOps.Conv(x, xShape, DenseReference.ToRowMajor(e),
            [e.RowCount, xShape[1] / (Attribute(node, "group")?.I ?? 1), .. Attribute(node, "kernel_shape")!.Ints],
            (int)(Attribute(node, "group")?.I ?? 1), Ints(node, "strides", 1, xShape.Length - 2), Ints(node, "pads", 0, 2 * (xShape.Length - 2)),
            Ints(node, "dilations", 1, xShape.Length - 2)),
    };

    private static AttributeProto? Attribute(NodeProto node, string name) => node.Attribute.FirstOrDefault(a => a.Name == name);

    private static long[] Ints(NodeProto node, string name, long fallback, int count) =>
        Attribute(node, name)?.Ints.ToArray() ?? Enumerable.Repeat(fallback, count).ToArray();
}
