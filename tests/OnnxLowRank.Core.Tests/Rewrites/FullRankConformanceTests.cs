using OnnxLowRank.Core.Layers;
using OnnxLowRank.Core.Planning;
using OnnxLowRank.Core.Rewrites;
using OnnxLowRank.Core.Tests.Support;
using OnnxLowRank.Onnx;

namespace OnnxLowRank.Core.Tests.Rewrites;

/// <summary>
/// At full rank a rewrite is exact, so ONNX Runtime running the rewritten model must reproduce
/// ONNX's own expected outputs for every Conv, Linear, Gemm and MatMul test vector, for every slice count.
/// </summary>
public class FullRankConformanceTests
{
    private const double Rtol = 1e-4;
    private const double Atol = 1e-5;
    private static readonly HashSet<string> LayerOps = ["Gemm", "MatMul", "Conv"];

    [Test]
    public void FullRankRewritesReproduceOnnxExpectedOutputs()
    {
        var cases = OnnxTestCase.Find("pytorch-converted", "test_Conv1d", "test_Conv2d", "test_Conv3d", "test_Linear")
            .Concat(OnnxTestCase.Find("node", "test_gemm_", "test_matmul_2d"))
            .ToList();
        var failures = new List<string>();
        var notLoaded = new List<string>();
        int checkedCases = 0, rewrites = 0, depthwise = 0;

        foreach (var testCase in cases)
        {
            var weights = testCase.LoadModel().Graph.Node.Where(n => LayerOps.Contains(n.OpType)).Select(n => n.Input[1]).ToHashSet();
            var (model, feeds) = testCase.Prepare(weights);
            var expected = testCase.Outputs;
            try
            {
                Engine.Run(model, feeds);
            }
            catch (Exception e) when (e is not AssertionException)
            {
                notLoaded.Add($"{testCase.Name}: {e.Message}");
                continue;
            }
            checkedCases++;

            var options = new CompressionOptions { Force = true, Discovery = new DiscoveryOptions { RemoveInitializerInputs = true } };
            var discovery = LayerDiscovery.Find(model, options.Discovery);
            if (testCase.Name.Contains("depthwise", StringComparison.Ordinal))
            {
                depthwise++;
                var unchanged = new LowRankCompressor().Compress(model, CompressionPlan.FullRank(discovery.Layers), options);
                Assert.Multiple(() =>
                {
                    Assert.That(discovery.Layers, Is.Empty, testCase.Name);
                    Assert.That(discovery.Skipped.Select(s => s.Reason), Is.EqualTo(new[] { SkipReason.Depthwise }), testCase.Name);
                    Assert.That(unchanged.Model, Is.EqualTo(model), $"{testCase.Name} must come out unchanged");
                });
                continue;
            }
            Assert.That(discovery.Layers, Has.Count.EqualTo(1), $"{testCase.Name}: {string.Join("; ", discovery.Skipped)}");

            foreach (var k in discovery.Layers[0].SliceCounts())
            {
                var plan = CompressionPlan.FullRank(discovery.Layers, k);
                var result = new LowRankCompressor().Compress(model, plan, options);
                Assert.That(result.Layers, Has.Count.EqualTo(1), testCase.Name);
                Assert.That(result.Layers[0].RelativeError, Is.LessThan(1e-6), $"{testCase.Name} k={k}: full rank is exact");
                var outputs = Engine.Run(result.Model, feeds);
                for (var i = 0; i < expected.Count; i++)
                {
                    var actual = outputs[result.Model.Graph.Output[i].Name].ToDoubles();
                    var mismatch = Closeness.Mismatch(actual, TensorCodec.ToDoubles(expected[i]), Rtol, Atol);
                    if (mismatch is not null) failures.Add($"{testCase.Name} k={k} output {i}: {mismatch}");
                }
                rewrites++;
            }
        }

        TestContext.Out.WriteLine(
            $"{cases.Count} cases: {checkedCases} run by ONNX Runtime ({depthwise} depthwise, left unchanged), {rewrites} full-rank rewrites compared, {notLoaded.Count} not loaded.");
        foreach (var line in notLoaded) TestContext.Out.WriteLine($"  not loaded: {line}");
        Assert.Multiple(() =>
        {
            Assert.That(failures, Is.Empty);
            Assert.That(depthwise, Is.EqualTo(4), "the four depthwise cases were checked");
            Assert.That(notLoaded.Where(n => n.StartsWith("test_gemm", StringComparison.Ordinal) || n.StartsWith("test_matmul", StringComparison.Ordinal)), Is.Empty,
                "the opset 13 node cases must all load");
            Assert.That(rewrites, Is.GreaterThan(checkedCases), "several slice counts per conv case");
        });
    }
}
