using OnnxLowRank.Core.DataAware;
using OnnxLowRank.Core.Execution;
using OnnxLowRank.Core.Layers;
using OnnxLowRank.Core.Planning;
using OnnxLowRank.Core.Rewrites;
using OnnxLowRank.Core.Tests.DataAware;
using OnnxLowRank.Core.Tests.Support;
using OnnxLowRank.Onnx.Protos;
using DataType = OnnxLowRank.Onnx.Protos.TensorProto.Types.DataType;

namespace OnnxLowRank.Core.Tests.Rewrites;

/// <summary>
/// With bias correction, a truncated layer keeps the original's mean output per channel over the
/// calibration data, as ONNX Runtime computes both models; without it the means move.
/// </summary>
public class BiasCorrectionTests
{
    private const int Batches = 3;

    private static IEnumerable<TestCaseData> Cases()
    {
        yield return new TestCaseData("Gemm", new long[] { 6 }, 1).SetName("Gemm alpha beta, C (N)");
        yield return new TestCaseData("Gemm", new long[] { 1 }, 1).SetName("Gemm alpha beta, C (1) widened");
        yield return new TestCaseData("Gemm", new long[] { 5, 1 }, 1).SetName("Gemm alpha beta, C (M, 1) widened");
        yield return new TestCaseData("Gemm", null, 1).SetName("Gemm without C");
        yield return new TestCaseData("Conv", new long[] { 6 }, 2).SetName("Conv with bias, 2 groups, 2 slices");
        yield return new TestCaseData("Conv", null, 1).SetName("Conv without bias");
        yield return new TestCaseData("MatMul", null, 1).SetName("MatMul, 3-D input");
    }

    [TestCaseSource(nameof(Cases))]
    public void MeanOutputIsKept(string op, long[]? biasShape, int slices)
    {
        var (model, inputShape) = Build(op, biasShape);
        var layer = LayerDiscovery.Find(model).Layers.Single();
        var batches = Enumerable.Range(0, Batches).Select(i => new Dictionary<string, TensorData>
        {
            // Inputs with a clear mean, as after a ReLU.
            ["x"] = Tensors.FromDoubles(DataType.Float, inputShape, RandomValues.Normal(60 + i, RandomValues.Count(inputShape)).Select(v => Math.Abs(v) + 0.3).ToArray()),
        }).ToList<IReadOnlyDictionary<string, TensorData>>();
        var statistics = CalibrationRun.Collect(model, [layer], Engine.Runner,
            CalibrationOptions.From(new FixedBatches(batches)) with { MaxVectorsPerBatch = int.MaxValue });
        var plan = new CompressionPlan([new LayerPlan(layer.NodeName, slices, 1)]);

        var original = MeanOutput(model, batches);
        var compressed = new LowRankCompressor(new WhitenedFactorizer(statistics.Layers)).Compress(model, plan).Model;
        var corrected = MeanOutput(compressed, batches);
        Assert.That(compressed.Graph.Initializer.Select(t => t.Name), Does.Not.Contain("bias"), "the replaced bias is removed");
        var uncorrected = MeanOutput(new LowRankCompressor(new WhitenedFactorizer(statistics.Layers, correctBias: false)).Compress(model, plan).Model, batches);

        var scale = original.Max(Math.Abs);
        var drift = original.Zip(uncorrected, (a, b) => Math.Abs(a - b)).Max();
        TestContext.Out.WriteLine($"{op}: mean output drift without correction {drift / scale:0.0e0} of its scale");
        Assert.That(drift, Is.GreaterThan(1e-3 * scale), "rank 1 should move the mean when uncorrected");
        Assert.That(corrected, Is.EqualTo(original).Within(2e-5 * scale));
    }

    private static (ModelProto Model, long[] InputShape) Build(string op, long[]? biasShape)
    {
        var b = new ModelBuilder();
        string? bias = biasShape is null ? null : b.Initializer("bias", biasShape, RandomValues.Normal(70, RandomValues.Count(biasShape)));
        long[] shape;
        switch (op)
        {
            case "Gemm":
                shape = [5, 7];
                b.Node("Gemm", "layer", [b.Input("x", shape), b.Initializer("w", [7, 6], RandomValues.Normal(71, 42)), .. bias is null ? Array.Empty<string>() : [bias]], "y",
                    ModelBuilder.Float("alpha", 0.5f), ModelBuilder.Float("beta", 2f));
                break;
            case "Conv":
                shape = [2, 4, 6, 6];
                b.Node("Conv", "layer", [b.Input("x", shape), b.Initializer("w", [6, 2, 3, 3], RandomValues.Normal(72, 108)), .. bias is null ? Array.Empty<string>() : [bias]], "y",
                    ModelBuilder.Int("group", 2), ModelBuilder.Ints("pads", 1, 1, 1, 1));
                break;
            default:
                shape = [2, 3, 8];
                b.Node("MatMul", "layer", [b.Input("x", shape), b.Initializer("w", [8, 6], RandomValues.Normal(73, 48))], "y");
                break;
        }
        b.Output("y");
        return (b.Build(), shape);
    }

    /// <summary>Mean of the output per channel (axis 1 for Conv, the last axis otherwise) over all batches.</summary>
    private static double[] MeanOutput(ModelProto model, IReadOnlyList<IReadOnlyDictionary<string, TensorData>> batches)
    {
        double[]? sums = null;
        long count = 0;
        foreach (var batch in batches)
        {
            var y = Engine.Run(model, batch)["y"];
            var values = y.ToDoubles();
            var conv = y.Shape.Length == 4;
            var channels = (int)(conv ? y.Shape[1] : y.Shape[^1]);
            var inner = conv ? y.Shape[2] * y.Shape[3] : 1;
            sums ??= new double[channels];
            for (long i = 0; i < values.Length; i++) sums[(int)(i / inner % channels)] += values[i];
            count += values.Length / channels;
        }
        return sums!.Select(s => s / count).ToArray();
    }
}
