using MathNet.Numerics.LinearAlgebra;
using OnnxLowRank.Core.DataAware;
using OnnxLowRank.Core.Execution;
using OnnxLowRank.Core.Factorization;
using OnnxLowRank.Core.Layers;
using OnnxLowRank.Core.Numerics;
using OnnxLowRank.Core.Planning;
using OnnxLowRank.Core.Rewrites;
using OnnxLowRank.Core.Tests.Support;
using OnnxLowRank.Onnx.Protos;
using DataType = OnnxLowRank.Onnx.Protos.TensorProto.Types.DataType;

namespace OnnxLowRank.Core.Tests.DataAware;

/// <summary>
/// Sequential calibration: the refit of a layer whose input x' differs from the original x is the rank-j
/// least-squares fit of W X by W^ X', checked against a reference built here from MathNet's SVD of X' (a different
/// route from the refit's Cholesky whitening); the paired statistics equal sums formed from ONNX Runtime's outputs
/// of the original and the partly compressed model; and on a small network the refitted last layer never does
/// worse at the output than the plain data-aware factors.
/// </summary>
public class SequentialRefitTests
{
    private const int Samples = 300;

    [TestCase(6, 10, false)]
    [TestCase(10, 6, false)]
    [TestCase(6, 10, true)]
    [TestCase(10, 6, true)]
    public void RefitIsTheRankJLeastSquaresFitOfWXByX(int f, int m, bool correctBias)
    {
        var w = Matrix<double>.Build.Dense(f, m, RandomValues.Normal(60, f * m));
        var x = Inputs(61, m, Samples);
        // x' is x seen through a perturbed upstream: mixed, shifted and noisy.
        var drift = Matrix<double>.Build.DenseIdentity(m) + 0.2 * Matrix<double>.Build.Dense(m, m, RandomValues.Normal(62, m * m));
        var xPrime = drift * x + 0.3 * Matrix<double>.Build.Dense(m, Samples, RandomValues.Normal(63, m * Samples)) + 0.4;
        var layer = GemmLayer(w);
        var paired = new PairedInputStatistics(
            new LayerInputStatistics(m, [DenseReference.ToRowMajor(xPrime * xPrime.Transpose())], [xPrime.RowSums().ToArray()], Samples),
            [DenseReference.ToRowMajor(x * xPrime.Transpose())], [x.RowSums().ToArray()]);
        var refit = new RefitFactorizer(new Dictionary<string, PairedInputStatistics> { [layer.NodeName] = paired }, new WeightSvdFactorizer(), 0, correctBias);

        var mean = x.RowSums() / Samples;
        var meanPrime = xPrime.RowSums() / Samples;
        var seen = correctBias ? x - Spread(mean) : x;
        var seenPrime = correctBias ? xPrime - Spread(meanPrime) : xPrime;
        // Reference: X' = U S V^T (thin). W^ X' = (W^ U S) V^T, so the best Z = W^ U S of rank j is the truncated SVD
        // of W X V (the part of W X outside the rows of X' is out of reach), and W^ = Z S^-1 U^T.
        var svd = seenPrime.Svd(computeVectors: true);
        var u = svd.U.SubMatrix(0, m, 0, m);
        var v = svd.VT.SubMatrix(0, m, 0, Samples).Transpose();
        var target = w * seen * v;
        var targetSvd = target.Svd(computeVectors: true);
        for (var rank = 1; rank < Math.Min(f, m); rank++)
        {
            var z = targetSvd.U.SubMatrix(0, f, 0, rank) * Matrix<double>.Build.DenseOfDiagonalArray(targetSvd.S.SubVector(0, rank).ToArray())
                * targetSvd.VT.SubMatrix(0, rank, 0, m);
            var expected = z * Matrix<double>.Build.DenseOfDiagonalArray(svd.S.Map(s => 1 / s).ToArray()) * u.Transpose();

            var factors = refit.Factorize(layer, WeightMatrixView.Of(layer), 1, rank);
            var actual = Product(factors[0, 0]);
            Assert.That((actual - expected).FrobeniusNorm(), Is.LessThan(1e-8 * expected.FrobeniusNorm()), $"rank {rank}: W^");
            if (correctBias)
            {
                var shift = Vector<double>.Build.DenseOfArray(factors.OutputShift!);
                var expectedShift = w * mean - expected * meanPrime;
                Assert.That((shift - expectedShift).L2Norm(), Is.LessThan(1e-8 * (1 + expectedShift.L2Norm())), $"rank {rank}: shift W mean(x) - W^ mean(x')");
                // The shifted output then has the original's mean: the residual sums to zero per output.
                var residual = w * x - actual * xPrime - Spread(shift);
                Assert.That(residual.RowSums().AbsoluteMaximum(), Is.LessThan(1e-8 * Samples * (1 + shift.AbsoluteMaximum())), $"rank {rank}: mean output kept");
            }
            else
            {
                Assert.That(factors.OutputShift, Is.Null);
            }
        }
    }

    [Test]
    public void WithoutUpstreamChangeTheRefitIsThePlainDataAwareFactorization()
    {
        const int f = 7, m = 9;
        var w = Matrix<double>.Build.Dense(f, m, RandomValues.Normal(70, f * m));
        var x = Inputs(71, m, Samples);
        var layer = GemmLayer(w);
        var gram = DenseReference.ToRowMajor(x * x.Transpose());
        var sums = x.RowSums().ToArray();
        var statistics = new LayerInputStatistics(m, [gram], [sums], Samples);
        var paired = new PairedInputStatistics(statistics, [gram], [sums]);
        var whitened = new WhitenedFactorizer(new Dictionary<string, LayerInputStatistics> { [layer.NodeName] = statistics }, 0);
        var refit = new RefitFactorizer(new Dictionary<string, PairedInputStatistics> { [layer.NodeName] = paired }, whitened, 0);
        var weight = WeightMatrixView.Of(layer);
        for (var rank = 1; rank < f; rank++)
        {
            var expected = whitened.Factorize(layer, weight, 1, rank);
            var actual = refit.Factorize(layer, weight, 1, rank);
            var e = Product(expected[0, 0]);
            Assert.That((Product(actual[0, 0]) - e).FrobeniusNorm(), Is.LessThan(1e-8 * e.FrobeniusNorm()), $"rank {rank}");
            Assert.That(actual.OutputShift, Is.EqualTo(expected.OutputShift).Within(1e-8 * (1 + expected.OutputShift!.Max(Math.Abs))), $"rank {rank}: shift");
        }
    }

    [Test]
    public void TooFewVectorsPerColumnKeepTheFallbackFactors()
    {
        const int f = 5, m = 8, n = 15 * m;
        var w = Matrix<double>.Build.Dense(f, m, RandomValues.Normal(75, f * m));
        var x = Inputs(76, m, n);
        var xPrime = 0.8 * x + 0.3;
        var layer = GemmLayer(w);
        var paired = new PairedInputStatistics(
            new LayerInputStatistics(m, [DenseReference.ToRowMajor(xPrime * xPrime.Transpose())], [xPrime.RowSums().ToArray()], n),
            [DenseReference.ToRowMajor(x * xPrime.Transpose())], [x.RowSums().ToArray()]);
        var statistics = new Dictionary<string, PairedInputStatistics> { [layer.NodeName] = paired };
        var weight = WeightMatrixView.Of(layer);
        var fallback = new WeightSvdFactorizer().Factorize(layer, weight, 1, 2);

        var undersampled = new RefitFactorizer(statistics, new WeightSvdFactorizer()).Factorize(layer, weight, 1, 2);
        Assert.That(undersampled[0, 0].P.Values, Is.EqualTo(fallback[0, 0].P.Values), "15 vectors per column: the fallback's factors");
        Assert.That(undersampled.OutputShift, Is.Null);
        var refitted = new RefitFactorizer(statistics, new WeightSvdFactorizer(), minimumVectorsPerColumn: 15).Factorize(layer, weight, 1, 2);
        Assert.That(refitted.OutputShift, Is.Not.Null, "at the threshold the layer is refitted");
    }

    [Test]
    public void PairedStatisticsMatchTheInputsOfBothModels()
    {
        var model = Chain();
        var layers = LayerDiscovery.Find(model).Layers;
        var partial = new LowRankCompressor().Compress(model, new CompressionPlan([new LayerPlan("first", 1, 2)])).Model;
        var batches = Enumerable.Range(0, 3).Select(i => Feed(RandomValues.Normal(80 + i, Rows * Features))).ToList();
        var second = layers.Single(l => l.NodeName == "second");

        var options = CalibrationOptions.From(new FixedBatches(batches));
        var paired = PairedCalibrationRun.Collect(model, partial, [second], [1], Engine.Runner, options)["second"];

        // Direct: the rows of the second layer's input, read from each model by ONNX Runtime.
        var x = Rows2(model, batches);
        var xPrime = Rows2(partial, batches);
        Assert.That((x - xPrime).FrobeniusNorm(), Is.GreaterThan(1e-3 * x.FrobeniusNorm()), "the first layer's compression reaches the second's input");
        Assert.That(paired.Compressed.VectorCount, Is.EqualTo(x.ColumnCount));
        AssertClose(paired.Compressed.OuterProductSum(0), xPrime * xPrime.Transpose(), "sum x' x'^T");
        AssertClose(paired.CrossSum(0), x * xPrime.Transpose(), "sum x x'^T");
        AssertClose(paired.OriginalMean(0), (x.RowSums() / x.ColumnCount).ToArray(), "mean x");
        AssertClose(paired.Compressed.Mean(0), (xPrime.RowSums() / x.ColumnCount).ToArray(), "mean x'");

        // Sampled positions pair up: the same model on both sides gives a cross sum equal to the Gram sum.
        var sampled = PairedCalibrationRun.Collect(model, model, [second], [1], Engine.Runner, options with { MaxVectorsPerBatch = 5 })["second"];
        Assert.That(sampled.Compressed.VectorCount, Is.EqualTo(15));
        Assert.That(sampled.CrossSum(0), Is.EqualTo(sampled.Compressed.OuterProductSum(0)));
    }

    [Test]
    public void WavesFollowTheLongestPathOfPlannedLayers()
    {
        // a -> relu -> b ----> add -> d
        //          \-> c ---/
        var b = new ModelBuilder();
        var x = b.Input("x", 2, 4);
        string Weight(string name) => b.Initializer(name, [4, 4], RandomValues.Normal(name[^1], 16));
        b.Node("MatMul", "a", [x, Weight("wa")], "ha");
        b.Node("Relu", "relu", ["ha"], "ra");
        b.Node("MatMul", "b", ["ra", Weight("wb")], "hb");
        b.Node("MatMul", "c", ["ra", Weight("wc")], "hc");
        b.Node("Add", "add", ["hb", "hc"], "s");
        b.Node("MatMul", "d", ["s", Weight("wd")], b.Output("y"));
        var model = b.Build();
        var layers = LayerDiscovery.Find(model).Layers;

        var waves = SequentialRefit.Waves(model.Graph, layers);
        Assert.That(waves.Select(w => w.Select(l => l.NodeName)), Is.EqualTo(new[] { new[] { "a" }, new[] { "b", "c" }, new[] { "d" } }));
        // A layer left out of the plan does not count as a step.
        var withoutA = SequentialRefit.Waves(model.Graph, layers.Where(l => l.NodeName != "a").ToList());
        Assert.That(withoutA.Select(w => w.Select(l => l.NodeName)), Is.EqualTo(new[] { new[] { "b", "c" }, new[] { "d" } }));
    }

    [Test]
    public void UpstreamModelComputesTheValuesAsTheWholeModelDoes()
    {
        var model = LayerChain.Build();
        var upstream = UpstreamModel.Of(model, ["h2"]);
        Assert.That(upstream.Graph.Node.Select(n => n.Name), Is.EqualTo(new[] { "grouped", "relu1", "depthwise" }));
        Assert.That(upstream.Graph.Initializer.Select(t => t.Name), Is.EquivalentTo(new[] { "w_grouped", "b_grouped", "w_depthwise" }));
        Assert.That(model.Graph.Node, Has.Count.GreaterThan(3), "the input model is left whole");
        var feeds = LayerChain.Feeds();
        var expected = (float[])Engine.Run(model, feeds, ["h2"])["h2"].Values;
        Assert.That((float[])Engine.Run(upstream, feeds, ["h2"])["h2"].Values, Is.EqualTo(expected));
    }

    [Test]
    public void RefittedLastLayerDoesNoWorseAtTheOutputThanPlainDataAwareFactors()
    {
        var model = Chain();
        var layers = LayerDiscovery.Find(model).Layers;
        // 4 batches of 40 rows: 20 vectors per column of the second layer, enough for its refit.
        var batches = Enumerable.Range(0, 4).Select(i => Feed(RandomValues.Normal(90 + i, Rows * Features))).ToList();
        var options = CalibrationOptions.From(new FixedBatches(batches)) with { RelativeRidge = 0 };
        var statistics = CalibrationRun.Collect(model, layers, Engine.Runner, options);
        var whitened = new WhitenedFactorizer(statistics.Layers, 0);
        var plan = new CompressionPlan([new LayerPlan("first", 1, 2), new LayerPlan("second", 1, 2)]);

        var plain = new LowRankCompressor(whitened).Compress(model, plan).Model;
        var sequential = SequentialRefit.Compress(model, plan, Engine.Runner, options, whitened, new CompressionOptions()).Model;

        // Both share the first layer's factors, so the last layer sees the same inputs in both, and its refit is the
        // least-squares best of all rank-2 maps plus bias on exactly those inputs.
        double plainError = 0, sequentialError = 0, total = 0;
        foreach (var batch in batches)
        {
            var y = Output(model, batch);
            plainError += (Output(plain, batch) - y).L2Norm() is var p ? p * p : 0;
            sequentialError += (Output(sequential, batch) - y).L2Norm() is var s ? s * s : 0;
            total += y.L2Norm() * y.L2Norm();
        }
        TestContext.Out.WriteLine($"relative output error: plain {Math.Sqrt(plainError / total):0.0000}, sequential {Math.Sqrt(sequentialError / total):0.0000}");
        Assert.That(sequentialError, Is.LessThan(plainError), "the refit makes up for part of the first layer's error");
    }

    private const int Rows = 40, Features = 6, Hidden = 8, Outputs = 5;

    /// <summary>Gemm (6 -> 8) with bias, Relu, Gemm (8 -> 5): the second layer's input is the Relu's output.</summary>
    private static ModelProto Chain()
    {
        var b = new ModelBuilder();
        var x = b.Input("x", Rows, Features);
        b.Node("Gemm", "first", [x, b.Initializer("w1", [Features, Hidden], RandomValues.Normal(1, Features * Hidden)), b.Initializer("b1", [Hidden], RandomValues.Normal(2, Hidden))], "h");
        b.Node("Relu", "relu", ["h"], "r");
        b.Node("Gemm", "second", ["r", b.Initializer("w2", [Hidden, Outputs], RandomValues.Normal(3, Hidden * Outputs))], b.Output("y"));
        return b.Build();
    }

    private static IReadOnlyDictionary<string, TensorData> Feed(double[] values) =>
        new Dictionary<string, TensorData> { ["x"] = Tensors.FromDoubles(DataType.Float, [Rows, Features], values.Select(v => (double)(float)v).ToArray()) };

    /// <summary>The second layer's input rows over all batches, as the columns of a Hidden x (batches * Rows) matrix.</summary>
    private static Matrix<double> Rows2(ModelProto model, IReadOnlyList<IReadOnlyDictionary<string, TensorData>> batches)
    {
        var columns = batches.Select(batch =>
        {
            var r = ((float[])Engine.Run(model, batch, ["r"])["r"].Values).Select(v => (double)v).ToArray();
            return Matrix<double>.Build.Dense(Hidden, Rows, (i, j) => r[j * Hidden + i]);
        });
        return columns.Aggregate((a, c) => a.Append(c));
    }

    private static Vector<double> Output(ModelProto model, IReadOnlyDictionary<string, TensorData> batch) =>
        Vector<double>.Build.DenseOfEnumerable(((float[])Engine.Run(model, batch)["y"].Values).Select(v => (double)v));

    private static void AssertClose(IReadOnlyList<double> actual, Matrix<double> expected, string what) =>
        AssertClose(actual, DenseReference.ToRowMajor(expected), what);

    private static void AssertClose(IReadOnlyList<double> actual, double[] expected, string what)
    {
        var scale = expected.Max(Math.Abs);
        Assert.That(actual.Count, Is.EqualTo(expected.Length), what);
        for (var i = 0; i < expected.Length; i++) Assert.That(actual[i], Is.EqualTo(expected[i]).Within(1e-9 * scale), $"{what}[{i}]");
    }

    private static Matrix<double> Inputs(int seed, int m, int n)
    {
        var mixing = Matrix<double>.Build.Dense(m, m, RandomValues.Normal(seed, m * m)) + 2 * Matrix<double>.Build.DenseIdentity(m);
        return mixing * Matrix<double>.Build.Dense(m, n, RandomValues.Normal(seed + 1000, m * n)) + 0.5;
    }

    private static Matrix<double> Spread(Vector<double> column) => Matrix<double>.Build.Dense(column.Count, Samples, (r, _) => column[r]);

    /// <summary>A Gemm holding W in double, so the layer's weight is exactly the reference's.</summary>
    private static CompressibleLayer GemmLayer(Matrix<double> w)
    {
        var b = new ModelBuilder(elementType: DataType.Double);
        b.Node("Gemm", "gemm", [b.Input("a", 1, w.ColumnCount), b.Initializer("w", [w.RowCount, w.ColumnCount], DenseReference.ToRowMajor(w))], "y",
            ModelBuilder.Int("transB", 1));
        b.Output("y");
        return LayerDiscovery.Find(b.Build()).Layers.Single();
    }

    private static Matrix<double> Product(LowRankFactors f) => DenseReference.RowMajor(f.P.Rows, f.P.Columns, f.P.Values) * DenseReference.RowMajor(f.Q.Rows, f.Q.Columns, f.Q.Values);
}
