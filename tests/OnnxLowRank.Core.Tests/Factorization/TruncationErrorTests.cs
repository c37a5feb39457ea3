using OnnxLowRank.Core.Factorization;
using OnnxLowRank.Core.Layers;
using OnnxLowRank.Core.Planning;
using OnnxLowRank.Core.Rewrites;
using OnnxLowRank.Core.Tests.Support;
using DataType = OnnxLowRank.Onnx.Protos.TensorProto.Types.DataType;

namespace OnnxLowRank.Core.Tests.Factorization;

/// <summary>
/// Below full rank, the change ONNX Runtime measures at a layer's output must be exactly (W - W^) x,
/// with W^ the per-slice truncated SVD computed independently (MathNet, double), and the reported
/// error must be ||W - W^||_2 / ||W||_2.
/// </summary>
public class TruncationErrorTests
{
    private const double OutputTolerance = 1e-4;
    private const double MinimumError = 0.01;

    private static IEnumerable<TruncationCase> RandomLayers()
    {
        yield return TruncationCase.Gemm("Gemm transB=0, vector C", DataType.Double, 13, 6, 12, 9, false, false, 0.7f, 1.3f, [9], 11);
        yield return TruncationCase.Gemm("Gemm transA=1 transB=1, no C", DataType.Double, 13, 5, 10, 7, true, true, 1.5f, 1f, null, 21);
        yield return TruncationCase.Gemm("Gemm opset 9, transA=1, matrix C", DataType.Double, 9, 4, 11, 8, true, false, 0.5f, 2f, [4, 8], 31);
        yield return TruncationCase.MatMul("MatMul 3-D input", DataType.Double, [2, 3, 12], 10, 41);
        yield return TruncationCase.Conv("Conv2d group 2, stride 2, pad 1", ConvType, [2, 8, 7, 6], 6, 2, [3, 3], [2, 2], [1, 1, 1, 1], [1, 1], 51);
        yield return TruncationCase.Conv("Conv1d dilation 2, asymmetric pad", ConvType, [3, 4, 11], 6, 1, [3], [1], [2, 1], [2], 61);
        yield return TruncationCase.Conv("Conv3d", ConvType, [1, 4, 4, 5, 4], 5, 1, [2, 2, 2], [1, 1, 1], [0, 1, 0, 1, 0, 1], [1, 1, 1], 71);
        // More outputs than columns: the error's Gram matrix is taken over columns, coupling the slices.
        yield return TruncationCase.MatMul("MatMul tall weight", DataType.Double, [2, 3, 5], 12, 81);
        yield return TruncationCase.Conv("Conv 1x1 tall weight", ConvType, [1, 4, 5, 5], 16, 1, [1, 1], [1, 1], [0, 0, 0, 0], [1, 1], 91);
    }

    private static IEnumerable<TruncationCase> PretrainedLayers() =>
        OnnxTestCase.Find("pytorch-converted", "test_Conv1d", "test_Conv2d", "test_Conv3d", "test_Linear")
            .Where(c => !c.Name.Contains("depthwise", StringComparison.Ordinal))
            .Select(TruncationCase.FromTestData);

    /// <summary>ONNX Runtime's CPU Conv kernel is float only; fp32 rounding stays far below the tolerance at >= 1% error.</summary>
    private const DataType ConvType = DataType.Float;

    [TestCaseSource(nameof(RandomLayers))]
    [TestCaseSource(nameof(PretrainedLayers))]
    public void MeasuredOutputErrorIsTheTruncationApplied(TruncationCase layerCase)
    {
        var options = new CompressionOptions { Force = true, Discovery = new DiscoveryOptions { RemoveInitializerInputs = true } };
        var layer = LayerDiscovery.Find(layerCase.Model, options.Discovery).Layers.Single();
        var output = layerCase.Model.Graph.Output[0].Name;
        var baseline = Engine.Run(layerCase.Model, layerCase.Feeds)[output].ToDoubles();
        var input = layerCase.Feeds[layerCase.Input];
        var x = input.ToDoubles();
        var compared = 0;

        foreach (var k in layer.SliceCounts())
        {
            var maxRank = layer.Geometry.MaxRank(k);
            foreach (var rank in new[] { 1, maxRank / 2, maxRank - 1 }.Where(r => r >= 1 && r < maxRank).Distinct())
            {
                var residual = DenseReference.Residual(layerCase.W, layerCase.Groups, k, rank);
                var expectedError = DenseReference.RelativeError(layerCase.W, residual, layerCase.Groups);
                if (expectedError < MinimumError) continue;

                // The kernel-first order, the one the dense reference truncates (InputFirstConvTests covers the other).
                var result = new LowRankCompressor(new WeightSvdFactorizer(chooseFactorOrder: false))
                    .Compress(layerCase.Model, new CompressionPlan([new LayerPlan(layer.NodeName, k, rank)]), options);
                Assert.That(result.Layers.Single().RelativeError, Is.EqualTo(expectedError).Within(1e-4).Percent, $"k={k} rank={rank}: reported error");

                var predicted = layerCase.OutputOf(x, input.Shape, residual);
                var rewritten = Engine.Run(result.Model, layerCase.Feeds)[output].ToDoubles();
                var measured = baseline.Zip(rewritten, (a, b) => a - b).ToArray();
                var deviation = Closeness.Norm(measured.Zip(predicted, (a, b) => a - b));
                var size = Closeness.Norm(predicted);
                TestContext.Out.WriteLine($"k={k} rank={rank}: weight error {expectedError:0.0000}, output error {size:0.000e0}, |measured - predicted| / |predicted| = {deviation / size:0.0e0}");
                Assert.That(deviation, Is.LessThanOrEqualTo(OutputTolerance * size), $"k={k} rank={rank}: output error");
                compared++;
            }
        }
        Assert.That(compared, Is.GreaterThan(0), "at least one truncation with >= 1% error");
    }
}
