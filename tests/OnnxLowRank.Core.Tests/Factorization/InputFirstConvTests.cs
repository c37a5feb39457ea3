using MathNet.Numerics.LinearAlgebra;
using OnnxLowRank.Core.Execution;
using OnnxLowRank.Core.Factorization;
using OnnxLowRank.Core.Layers;
using OnnxLowRank.Core.Planning;
using OnnxLowRank.Core.Rewrites;
using OnnxLowRank.Core.Tests.Support;
using OnnxLowRank.Onnx.Protos;
using DataType = OnnxLowRank.Onnx.Protos.TensorProto.Types.DataType;

namespace OnnxLowRank.Core.Tests.Factorization;

/// <summary>
/// The 1x1-first factor order against independent references: MathNet's dense SVDs of both unfoldings of the
/// weight, and ONNX Runtime running the original Conv with the reference weight in place of its own.
/// </summary>
public class InputFirstConvTests
{
    private const int Channels = 8;
    private static readonly long[] InputShape = [2, Channels, 7, 6];

    [Test]
    public void AWeightOfLowInputRankIsReproducedExactly()
    {
        // W_B = U V with inner dimension 2: the 1x1-first pair at rank 2 is exact, the kernel-first one is not.
        const int rank = 2;
        var u = Matrix<double>.Build.Dense(Channels * 9, rank, RandomValues.Normal(11, Channels * 9 * rank));
        var v = Matrix<double>.Build.Dense(rank, Channels, RandomValues.Normal(12, rank * Channels));
        var model = ConvModel(Fold(u * v), pads: [1, 1, 1, 1]);

        var result = Compress(model, rank);

        var layer = result.Layers.Single();
        Assert.That(layer.Order, Is.EqualTo(FactorOrder.InputFirst));
        Assert.That(layer.RelativeError, Is.LessThan(1e-6));
        AssertSameOutputs(result.Model, model, 1e-4, "the pair against the original");
    }

    [Test]
    public void TheOrderWithTheSmallerDenseErrorIsKeptAndWrittenExactly()
    {
        var model = ConvModel(RandomValues.Normal(21, Channels * Channels * 9), pads: [1, 1, 1, 1]);
        var w = WeightOf(model);
        var norm = DenseReference.SpectralNorm(w);
        var orders = new HashSet<FactorOrder>();
        for (var rank = 1; rank < Channels; rank++)
        {
            var kernelFirstProduct = Truncate(w, rank);
            var inputFirstProduct = FoldToMatrix(Truncate(Unfold(w), rank));
            var kernelFirstError = DenseReference.SpectralNorm(w - kernelFirstProduct) / norm;
            var inputFirstError = DenseReference.SpectralNorm(w - inputFirstProduct) / norm;

            var result = Compress(model, rank);

            var layer = result.Layers.Single();
            var expectedOrder = inputFirstError < kernelFirstError ? FactorOrder.InputFirst : FactorOrder.KernelFirst;
            Assert.That(layer.Order, Is.EqualTo(expectedOrder), $"rank {rank}: {kernelFirstError:0.0000} kernel-first, {inputFirstError:0.0000} input-first");
            Assert.That(layer.RelativeError, Is.EqualTo(Math.Min(kernelFirstError, inputFirstError)).Within(1e-6), $"rank {rank}: reported error");
            var reference = ConvModel(DenseReference.ToRowMajor(expectedOrder == FactorOrder.InputFirst ? inputFirstProduct : kernelFirstProduct), pads: [1, 1, 1, 1]);
            AssertSameOutputs(result.Model, reference, 1e-4, $"rank {rank}: the pair against the Conv by the reference weight");
            orders.Add(expectedOrder);
        }
        Assert.That(orders, Has.Member(FactorOrder.InputFirst), "some rank of this weight prefers the 1x1-first order");
    }

    [Test]
    public void WithoutTheChoiceEveryConvStaysKernelFirst()
    {
        var u = Matrix<double>.Build.Dense(Channels * 9, 2, RandomValues.Normal(31, Channels * 9 * 2));
        var v = Matrix<double>.Build.Dense(2, Channels, RandomValues.Normal(32, 2 * Channels));
        var model = ConvModel(Fold(u * v), pads: [1, 1, 1, 1]);
        var plan = new CompressionPlan([new LayerPlan("conv", 1, 2)]);
        var result = new LowRankCompressor(new WeightSvdFactorizer(chooseFactorOrder: false)).Compress(model, plan);
        Assert.That(result.Layers.Single().Order, Is.EqualTo(FactorOrder.KernelFirst));
    }

    private static IEnumerable<TestCaseData> Shapes()
    {
        yield return new TestCaseData(Channels, new long[] { 1, 1, 1, 1 }, null, null, 1, 1).Returns(true).SetName("3x3, pads 1");
        yield return new TestCaseData(Channels, null, null, "SAME_UPPER", 1, 1).Returns(true).SetName("3x3, SAME_UPPER");
        yield return new TestCaseData(Channels, new long[] { 1, 1, 1, 1 }, new long[] { 2, 2 }, null, 1, 1).Returns(false).SetName("stride 2");
        yield return new TestCaseData(Channels, new long[] { 0, 0, 0, 0 }, null, null, 1, 1).Returns(false).SetName("no padding: smaller output");
        yield return new TestCaseData(Channels, null, null, null, 1, 1).Returns(false).SetName("pads absent");
        yield return new TestCaseData(Channels, new long[] { 1, 0, 1, 0 }, null, null, 1, 1).Returns(false).SetName("pads on one axis only");
        yield return new TestCaseData(Channels / 2, new long[] { 1, 1, 1, 1 }, null, null, 1, 1).Returns(false).SetName("fewer outputs than inputs");
        yield return new TestCaseData(Channels, new long[] { 1, 1, 1, 1 }, null, null, 2, 1).Returns(false).SetName("two groups");
        yield return new TestCaseData(Channels, new long[] { 1, 1, 1, 1 }, null, null, 1, 2).Returns(false).SetName("two slices");
    }

    [TestCaseSource(nameof(Shapes))]
    public bool OnlyDropInsForTheKernelFirstPairAreOffered(int outputs, long[]? pads, long[]? strides, string? autoPad, int groups, int slices)
    {
        var b = new ModelBuilder();
        var x = b.Input("x", InputShape);
        var w = b.Initializer("w", [outputs, Channels / groups, 3, 3], RandomValues.Normal(41, outputs * Channels / groups * 9));
        var attributes = new List<AttributeProto> { ModelBuilder.Ints("kernel_shape", 3, 3), ModelBuilder.Int("group", groups) };
        if (pads is not null) attributes.Add(ModelBuilder.Ints("pads", pads));
        if (strides is not null) attributes.Add(ModelBuilder.Ints("strides", strides));
        if (autoPad is not null) attributes.Add(ModelBuilder.Text("auto_pad", autoPad));
        b.Node("Conv", "conv", [x, w], b.Output("y"), [.. attributes]);
        var layer = LayerDiscovery.Find(b.Build()).Layers.Single();
        return InputFirstConv.Allows(layer, slices);
    }

    private static CompressionResult Compress(ModelProto model, int rank) =>
        new LowRankCompressor(new WeightSvdFactorizer()).Compress(model, new CompressionPlan([new LayerPlan("conv", 1, rank)]));

    private static ModelProto ConvModel(double[] weight, long[] pads)
    {
        var b = new ModelBuilder();
        var x = b.Input("x", InputShape);
        var w = b.Initializer("w", [Channels, Channels, 3, 3], weight);
        var bias = b.Initializer("b", [Channels], RandomValues.Normal(5, Channels));
        b.Node("Conv", "conv", [x, w, bias], b.Output("y"), ModelBuilder.Ints("kernel_shape", 3, 3), ModelBuilder.Ints("pads", pads));
        return b.Build();
    }

    /// <summary>The weight as stored (float), unfolded f x (c K).</summary>
    private static Matrix<double> WeightOf(ModelProto model)
    {
        var full = WeightMatrixView.Of(LayerDiscovery.Find(model).Layers.Single()).Full;
        return DenseReference.RowMajor(full.Rows, full.Columns, full.Values);
    }

    /// <summary>W_A (f x c K) to W_B (f K x c).</summary>
    private static Matrix<double> Unfold(Matrix<double> w) =>
        Matrix<double>.Build.Dense(Channels * 9, Channels, (row, c) => w[row / 9, c * 9 + row % 9]);

    /// <summary>W_B (f K x c) back to the weight's own order, (f, c, kh, kw) row-major.</summary>
    private static double[] Fold(Matrix<double> wB)
    {
        var values = new double[Channels * Channels * 9];
        for (var o = 0; o < Channels; o++)
            for (var c = 0; c < Channels; c++)
                for (var t = 0; t < 9; t++)
                    values[(o * Channels + c) * 9 + t] = wB[o * 9 + t, c];
        return values;
    }

    private static Matrix<double> FoldToMatrix(Matrix<double> wB) => DenseReference.RowMajor(Channels, Channels * 9, Fold(wB));

    private static Matrix<double> Truncate(Matrix<double> m, int rank)
    {
        var svd = m.Svd(computeVectors: true);
        return svd.U.SubMatrix(0, m.RowCount, 0, rank) * Matrix<double>.Build.DenseOfDiagonalArray(svd.S.SubVector(0, rank).ToArray())
            * svd.VT.SubMatrix(0, rank, 0, m.ColumnCount);
    }

    private static void AssertSameOutputs(ModelProto actual, ModelProto expected, double tolerance, string what)
    {
        var feeds = new Dictionary<string, TensorData> { ["x"] = Tensors.FromDoubles(DataType.Float, InputShape, RandomValues.Normal(3, RandomValues.Count(InputShape))) };
        var expectedValues = Engine.Run(expected, feeds)["y"].ToDoubles();
        var actualValues = Engine.Run(actual, feeds)["y"].ToDoubles();
        var scale = Closeness.Norm(expectedValues) / Math.Sqrt(expectedValues.Length);
        Assert.That(Closeness.Mismatch(actualValues, expectedValues, 0, tolerance * scale), Is.Null, what);
    }
}
