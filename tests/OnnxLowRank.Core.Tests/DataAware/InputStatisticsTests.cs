using OnnxLowRank.Core.DataAware;
using OnnxLowRank.Core.Execution;
using OnnxLowRank.Core.Layers;
using OnnxLowRank.Core.Tests.Support;
using OnnxLowRank.Onnx.Protos;
using DataType = OnnxLowRank.Onnx.Protos.TensorProto.Types.DataType;

namespace OnnxLowRank.Core.Tests.DataAware;

/// <summary>
/// Calibration statistics, read from inside a network by ONNX Runtime over several batches, equal
/// sum x x^T and the mean over every input vector, formed here by explicit im2col loops written from
/// the ONNX Conv definition (and by reading Gemm's rows directly).
/// </summary>
public class InputStatisticsTests
{
    private const double Tolerance = 1e-9;
    private const int Batches = 3;

    /// <summary>Conv cases: input shape, weight shape, group, attributes, and the explicit pads they amount to.</summary>
    private static IEnumerable<TestCaseData> ConvCases()
    {
        yield return new TestCaseData(new long[] { 2, 4, 9, 8 }, new long[] { 6, 2, 3, 2 }, 2,
            new[] { ModelBuilder.Ints("strides", 2, 1), ModelBuilder.Ints("pads", 1, 0, 2, 1), ModelBuilder.Ints("dilations", 2, 1) },
            new long[] { 2, 1 }, new long[] { 1, 0, 2, 1 }, new long[] { 2, 1 }).SetName("Conv2d strides pads dilations group 2");
        // Odd total padding: SAME_LOWER puts the extra pixel first, SAME_UPPER last.
        yield return new TestCaseData(new long[] { 2, 3, 10 }, new long[] { 4, 3, 3 }, 1,
            new[] { ModelBuilder.Ints("strides", 2), ModelBuilder.Text("auto_pad", "SAME_LOWER") },
            new long[] { 2 }, new long[] { 1, 0 }, new long[] { 1 }).SetName("Conv1d SAME_LOWER stride 2");
        yield return new TestCaseData(new long[] { 1, 6, 6, 5 }, new long[] { 6, 2, 3, 3 }, 3,
            new[] { ModelBuilder.Ints("strides", 2, 2), ModelBuilder.Text("auto_pad", "SAME_UPPER") },
            new long[] { 2, 2 }, new long[] { 0, 1, 1, 1 }, new long[] { 1, 1 }).SetName("Conv2d SAME_UPPER stride 2 group 3");
    }

    [TestCaseSource(nameof(ConvCases))]
    public void ConvPatchStatisticsMatchExplicitIm2col(
        long[] xShape, long[] wShape, int group, AttributeProto[] attributes, long[] strides, long[] pads, long[] dilations)
    {
        var b = new ModelBuilder();
        var x = b.Input("x", xShape);
        // The layer's input is an inner value (x * 2) that the calibration run must expose.
        b.Node("Mul", "double", [x, b.Initializer("two", [], [2.0])], "h");
        b.Node("Conv", "conv", ["h", b.Initializer("w", wShape, RandomValues.Normal(1, RandomValues.Count(wShape)))], "y",
            [ModelBuilder.Int("group", group), .. attributes]);
        b.Output("y");
        var model = b.Build();
        var layer = LayerDiscovery.Find(model).Layers.Single();

        var inputs = Enumerable.Range(0, Batches).Select(i => RoundedToFloat(RandomValues.Normal(10 + i, RandomValues.Count(xShape)))).ToList();
        var statistics = Collect(model, layer, inputs.Select(v => Feed("x", xShape, v)).ToList());

        int cg = (int)wShape[1], kernelSize = (int)RandomValues.Count(wShape[2..]);
        var columns = cg * kernelSize;
        Assert.That(statistics.Groups, Is.EqualTo(group));
        Assert.That(statistics.Columns, Is.EqualTo(columns));
        for (var g = 0; g < group; g++)
        {
            var patches = inputs.SelectMany(v => Im2col(v.Select(e => 2 * e).ToArray(), xShape, wShape[2..], g, cg, strides, pads, dilations)).ToList();
            Assert.That(statistics.VectorCount, Is.EqualTo(patches.Count), "every patch of every batch");
            AssertStatistics(statistics, g, patches);
        }
    }

    [TestCase(0)]
    [TestCase(1)]
    public void GemmRowStatisticsMatchTheRowsOfA(int transA)
    {
        const int m = 7, k = 5, n = 4;
        long[] aShape = transA == 1 ? [k, m] : [m, k];
        var b = new ModelBuilder();
        var a = b.Input("a", aShape);
        b.Node("Mul", "double", [a, b.Initializer("two", [], [2.0])], "h");
        b.Node("Gemm", "gemm", ["h", b.Initializer("w", [n, k], RandomValues.Normal(2, n * k))], "y",
            ModelBuilder.Int("transA", transA), ModelBuilder.Int("transB", 1));
        b.Output("y");
        var model = b.Build();
        var layer = LayerDiscovery.Find(model).Layers.Single();

        var inputs = Enumerable.Range(0, Batches).Select(i => RoundedToFloat(RandomValues.Normal(20 + i, m * k))).ToList();
        var statistics = Collect(model, layer, inputs.Select(v => Feed("a", aShape, v)).ToList());

        var rows = inputs.SelectMany(v => Enumerable.Range(0, m).Select(r =>
            Enumerable.Range(0, k).Select(c => 2 * (transA == 1 ? v[c * m + r] : v[r * k + c])).ToArray())).ToList();
        Assert.That(statistics.VectorCount, Is.EqualTo(rows.Count));
        AssertStatistics(statistics, 0, rows);
    }

    [Test]
    public void MatMulTakesEveryLeadingPositionAndSamplingKeepsTheCap()
    {
        long[] xShape = [3, 10, 6];
        var b = new ModelBuilder();
        var x = b.Input("x", xShape);
        b.Node("MatMul", "mm", [x, b.Initializer("w", [6, 4], RandomValues.Normal(3, 24))], "y");
        b.Output("y");
        var model = b.Build();
        var layer = LayerDiscovery.Find(model).Layers.Single();
        var values = RoundedToFloat(RandomValues.Normal(30, RandomValues.Count(xShape)));
        var feed = Feed("x", xShape, values);

        var all = Collect(model, layer, [feed, feed]);
        AssertStatistics(all, 0, Enumerable.Range(0, 30).Concat(Enumerable.Range(0, 30)).Select(r => values.Skip(r * 6).Take(6).ToArray()).ToList());

        var sampled = Collect(model, layer, [feed, feed], maxVectors: 25);
        Assert.That(sampled.VectorCount, Is.EqualTo(50), "25 vectors from each batch");
        var again = Collect(model, layer, [feed, feed], maxVectors: 25);
        Assert.That(again.OuterProductSum(0), Is.EqualTo(sampled.OuterProductSum(0)), "the same seed samples the same vectors");
    }

    private static LayerInputStatistics Collect(ModelProto model, CompressibleLayer layer, List<IReadOnlyDictionary<string, TensorData>> batches, int maxVectors = int.MaxValue)
    {
        var options = CalibrationOptions.From(new FixedBatches(batches)) with { MaxVectorsPerBatch = maxVectors };
        var result = CalibrationRun.Collect(model, [layer], Engine.Runner, options);
        Assert.That(result.Samples, Is.EqualTo(batches.Sum(f => f.Values.First().Shape[0])));
        return result.Layers[layer.NodeName];
    }

    private static void AssertStatistics(LayerInputStatistics statistics, int group, IReadOnlyList<double[]> vectors)
    {
        var columns = statistics.Columns;
        var outer = new double[columns * columns];
        var sum = new double[columns];
        foreach (var v in vectors)
            for (var r = 0; r < columns; r++)
            {
                sum[r] += v[r];
                for (var c = 0; c < columns; c++) outer[r * columns + c] += v[r] * v[c];
            }
        var scale = outer.Max(Math.Abs);
        var actual = statistics.OuterProductSum(group);
        for (var i = 0; i < outer.Length; i++)
            Assert.That(actual[i], Is.EqualTo(outer[i]).Within(Tolerance * scale), $"group {group}: C[{i / columns},{i % columns}]");
        var mean = statistics.Mean(group);
        var meanScale = Math.Max(1e-300, sum.Max(Math.Abs) / vectors.Count);
        for (var c = 0; c < columns; c++)
            Assert.That(mean[c], Is.EqualTo(sum[c] / vectors.Count).Within(Tolerance * meanScale), $"group {group}: mean[{c}]");
    }

    /// <summary>
    /// Every patch of group g, in (sample, output position) order: entry (ci * prod(kernel) + kernel offset)
    /// is x at channel g * cg + ci and position out * stride - pad_begin + offset * dilation, 0 in the padding.
    /// </summary>
    private static IEnumerable<double[]> Im2col(double[] x, long[] xShape, long[] kernel, int g, int cg, long[] strides, long[] pads, long[] dilations)
    {
        var rank = kernel.Length;
        var spatial = xShape[2..];
        var outSize = new long[rank];
        for (var a = 0; a < rank; a++)
            outSize[a] = (spatial[a] + pads[a] + pads[a + rank] - dilations[a] * (kernel[a] - 1) - 1) / strides[a] + 1;
        var kernelSize = (int)RandomValues.Count(kernel);
        var plane = RandomValues.Count(spatial);
        for (long n = 0; n < xShape[0]; n++)
            foreach (var position in Positions(outSize))
            {
                var patch = new double[cg * kernelSize];
                var kk = 0;
                foreach (var offset in Positions(kernel))
                {
                    var inside = true;
                    long flat = 0;
                    for (var a = 0; a < rank; a++)
                    {
                        var p = position[a] * strides[a] - pads[a] + offset[a] * dilations[a];
                        inside &= p >= 0 && p < spatial[a];
                        flat = flat * spatial[a] + p;
                    }
                    for (var ci = 0; ci < cg; ci++)
                        patch[ci * kernelSize + kk] = inside ? x[(n * xShape[1] + g * cg + ci) * plane + flat] : 0;
                    kk++;
                }
                yield return patch;
            }
    }

    /// <summary>Every index of a box, last axis fastest.</summary>
    private static IEnumerable<long[]> Positions(long[] box)
    {
        var total = RandomValues.Count(box);
        for (long i = 0; i < total; i++)
        {
            var p = new long[box.Length];
            for (long a = box.Length - 1, rest = i; a >= 0; a--)
            {
                p[a] = rest % box[a];
                rest /= box[a];
            }
            yield return p;
        }
    }

    /// <summary>Values that float holds exactly, so the engine's float tensors carry what the reference uses.</summary>
    private static double[] RoundedToFloat(double[] values) => values.Select(v => (double)(float)v).ToArray();

    private static IReadOnlyDictionary<string, TensorData> Feed(string name, long[] shape, double[] values) =>
        new Dictionary<string, TensorData> { [name] = Tensors.FromDoubles(DataType.Float, shape, values) };
}
