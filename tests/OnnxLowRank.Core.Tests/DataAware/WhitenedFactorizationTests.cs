using MathNet.Numerics.LinearAlgebra;
using OnnxLowRank.Core.Analysis;
using OnnxLowRank.Core.DataAware;
using OnnxLowRank.Core.Factorization;
using OnnxLowRank.Core.Layers;
using OnnxLowRank.Core.Numerics;
using OnnxLowRank.Core.Tests.Support;

namespace OnnxLowRank.Core.Tests.DataAware;

/// <summary>
/// SVD-LLM's identity, checked against MathNet's own Cholesky and SVD: the output error of the whitened
/// rank-j factors on the calibration inputs X is exactly the discarded energy of W S (S S^T = X X^T / n, or the
/// covariance under bias correction), and it never exceeds the output error of the plain SVD at the same rank.
/// </summary>
public class WhitenedFactorizationTests
{
    private const int Samples = 400;

    // A wide block takes the eigenpairs of W C W^T, a tall one the Cholesky factor of C: both must agree with the
    // reference. Without bias correction C is the second moment (SVD-LLM); with it, the covariance, and the error
    // is what remains once the bias has absorbed (W - W^) mean(x).
    [TestCase(8, 12, false)]
    [TestCase(12, 8, false)]
    [TestCase(8, 12, true)]
    [TestCase(12, 8, true)]
    public void OutputErrorIsTheDiscardedEnergyOfWS(int f, int m, bool correctBias)
    {
        var w = Matrix<double>.Build.Dense(f, m, RandomValues.Normal(40, f * m));
        var x = CorrelatedInputs(41, m, Samples);
        var layer = GemmLayer(w);
        var factorizer = new WhitenedFactorizer(new Dictionary<string, LayerInputStatistics> { [layer.NodeName] = StatisticsOf([x]) }, 0, correctBias);
        var mean = x.RowSums() / Samples;
        // With bias correction, the output error is that of the centered inputs.
        var seen = correctBias ? x - Matrix<double>.Build.Dense(m, Samples, (r, _) => mean[r]) : x;

        var sigma = (w * Whitener(seen)).Svd(computeVectors: false).S;
        for (var rank = 1; rank < Math.Min(f, m); rank++)
        {
            var factors = factorizer.Factorize(layer, WeightMatrixView.Of(layer), 1, rank);
            var residual = w - Product(factors[0, 0]);
            var output = residual * x;
            if (correctBias)
            {
                var shift = Vector<double>.Build.DenseOfArray(factors.OutputShift!);
                Assert.That((shift - residual * mean).L2Norm(), Is.LessThan(1e-10 * (1 + shift.L2Norm())), $"rank {rank}: shift (W - W^) mean(x)");
                output -= Matrix<double>.Build.Dense(f, Samples, (r, _) => shift[r]);
            }
            else
            {
                Assert.That(factors.OutputShift, Is.Null);
            }
            var whitenedError = output.FrobeniusNorm();
            var expected = Samples * Enumerable.Range(rank, sigma.Count - rank).Sum(i => sigma[i] * sigma[i]);
            Assert.That(whitenedError * whitenedError, Is.EqualTo(expected).Within(1e-8 * expected), $"rank {rank}");

            var plainError = (DenseReference.Residual(w, 1, 1, rank) * seen).FrobeniusNorm();
            TestContext.Out.WriteLine($"rank {rank}: output error whitened {whitenedError:0.000}, plain SVD {plainError:0.000}");
            Assert.That(whitenedError, Is.LessThanOrEqualTo(plainError * (1 + 1e-12)), $"rank {rank}: whitening must not lose to the plain SVD");
        }
    }

    // Measuring sensitivity factorizes a layer at a dozen ranks at once, computing the highest and cutting it: each cut must
    // be the factorization computed at its own rank, output shift included.
    [TestCase(8, 12, true)]
    [TestCase(12, 8, false)]
    public void FactorsAtSeveralRanksAreEachRanksOwn(int f, int m, bool correctBias)
    {
        var w = Matrix<double>.Build.Dense(f, m, RandomValues.Normal(42, f * m));
        var layer = GemmLayer(w);
        var factorizer = new WhitenedFactorizer(new Dictionary<string, LayerInputStatistics> { [layer.NodeName] = StatisticsOf([CorrelatedInputs(43, m, Samples)]) }, 0, correctBias);
        var ranks = Enumerable.Range(1, Math.Min(f, m) - 1).ToList();
        var together = factorizer.FactorizeAtRanks(layer, WeightMatrixView.Of(layer), 1, ranks);
        for (var i = 0; i < ranks.Count; i++)
        {
            var alone = factorizer.Factorize(layer, WeightMatrixView.Of(layer), 1, ranks[i]);
            Assert.That(together[i].Rank, Is.EqualTo(ranks[i]));
            var expected = Product(alone[0, 0]);
            Assert.That((Product(together[i][0, 0]) - expected).FrobeniusNorm(), Is.LessThan(1e-9 * expected.FrobeniusNorm()), $"rank {ranks[i]}");
            if (correctBias)
                Assert.That(together[i].OutputShift, Is.EqualTo(alone.OutputShift).Within(1e-9), $"rank {ranks[i]}: shift");
            else
                Assert.That(together[i].OutputShift, Is.Null);
        }
    }

    [Test]
    public void GroupsAndSlicesUseTheirOwnBlocks()
    {
        // Conv, 2 groups of 4 input channels, 1-D kernel 3: each group's matrix is 3 x 12, cut into k = 2 slices of 6 columns.
        var b = new ModelBuilder();
        b.Node("Conv", "conv", [b.Input("x", 1, 8, 5), b.Initializer("w", [6, 4, 3], RandomValues.Normal(50, 72))], "y", ModelBuilder.Int("group", 2));
        b.Output("y");
        var layer = LayerDiscovery.Find(b.Build()).Layers.Single();
        var weight = WeightMatrixView.Of(layer);
        var inputs = new[] { CorrelatedInputs(51, 12, Samples), CorrelatedInputs(52, 12, Samples) };
        var statistics = StatisticsOf(inputs);
        const int k = 2, rank = 2;
        var factors = new WhitenedFactorizer(new Dictionary<string, LayerInputStatistics> { [layer.NodeName] = statistics }, relativeRidge: 0)
            .Factorize(layer, weight, k, rank);
        var spectra = LayerSpectra.Whitened(layer, weight, statistics, k, relativeRidge: 0, centered: true, out var notes).Single(o => o.SliceCount == k);
        Assert.That(notes, Is.Empty);

        var shift = new double[6];
        for (var g = 0; g < 2; g++)
        {
            var mean = inputs[g].RowSums() / Samples;
            for (var i = 0; i < k; i++)
            {
                var block = Matrix(weight.Slice(g, i, k));
                var blockMean = mean.SubVector(i * 6, 6);
                var centered = inputs[g].SubMatrix(i * 6, 6, 0, Samples) - Matrix<double>.Build.Dense(6, Samples, (r, _) => blockMean[r]);
                var sigma = (block * Whitener(centered)).Svd(computeVectors: false).S;
                for (var s = 0; s < sigma.Count; s++)
                    Assert.That(spectra.BlockSpectra[g * k + i][s], Is.EqualTo(sigma[s]).Within(1e-8 * sigma[0]), $"group {g} slice {i}: sigma_{s + 1}");
                var residual = block - Product(factors[g, i]);
                var error = (residual * centered).FrobeniusNorm();
                var expected = Samples * Enumerable.Range(rank, sigma.Count - rank).Sum(s => sigma[s] * sigma[s]);
                Assert.That(error * error, Is.EqualTo(expected).Within(1e-8 * expected), $"group {g} slice {i}");
                var blockShift = residual * blockMean;
                for (var o = 0; o < 3; o++) shift[g * 3 + o] += blockShift[o];
            }
        }
        Assert.That(factors.OutputShift, Is.EqualTo(shift).Within(1e-10), "bias correction (W - W^) mean(x)");
    }

    // Fewer vectors than features: calibration keeps the vectors X, not X X^T, and must factorize as X X^T would. Wide
    // blocks form W X X^T W^T as (W X)(W X)^T, tall ones whiten by the Cholesky factor of X X^T (with a ridge, as it is singular).
    [TestCase(8, 24, false)]
    [TestCase(8, 24, true)]
    [TestCase(30, 24, true)]
    public void KeptVectorsFactorizeAsTheirOuterProductSum(int f, int m, bool correctBias)
    {
        const int n = 10;
        var w = Matrix<double>.Build.Dense(f, m, RandomValues.Normal(90, f * m));
        var x = CorrelatedInputs(91, m, n);
        var layer = GemmLayer(w);
        var kept = new LayerInputStatistics([new RowMajorMatrix(m, n, DenseReference.ToRowMajor(x))]);
        Assert.That(kept.VectorCount, Is.EqualTo(n));
        Assert.That(kept.Mean(0), Is.EqualTo((x.RowSums() / n).ToArray()).Within(1e-12));
        Assert.That(kept.OuterProductSum(0), Is.EqualTo(DenseReference.ToRowMajor(x * x.Transpose())).Within(1e-9));

        foreach (var slices in new[] { 1, 2 })
            foreach (var rank in new[] { 1, 4 })
            {
                var fromVectors = Factorize(kept, layer, slices, rank, correctBias);
                var fromSums = Factorize(StatisticsOf([x]), layer, slices, rank, correctBias);
                for (var slice = 0; slice < slices; slice++)
                {
                    var expected = Product(fromSums[0, slice]);
                    Assert.That((Product(fromVectors[0, slice]) - expected).FrobeniusNorm(), Is.LessThan(1e-9 * expected.FrobeniusNorm()),
                        $"{slices} slices, rank {rank}, slice {slice}");
                }
                if (correctBias) Assert.That(fromVectors.OutputShift, Is.EqualTo(fromSums.OutputShift).Within(1e-9), "bias correction");
            }
    }

    private static LayerFactorization Factorize(LayerInputStatistics statistics, CompressibleLayer layer, int slices, int rank, bool correctBias) =>
        new WhitenedFactorizer(new Dictionary<string, LayerInputStatistics> { [layer.NodeName] = statistics }, Whitening.DefaultRelativeRidge, correctBias)
            .Factorize(layer, WeightMatrixView.Of(layer), slices, rank);

    [Test]
    public void SilentInputsFallBackToTheWeightAlone()
    {
        var w = Matrix<double>.Build.Dense(5, 9, RandomValues.Normal(80, 45));
        var layer = GemmLayer(w);
        var silent = new LayerInputStatistics(9, [new double[81]], [new double[9]], 100);
        var whitening = Whitening.Of(silent, 0, 0, 9);
        Assert.That(whitening.Factor, Is.Null);
        Assert.That(whitening.Note, Does.Contain("zero"));

        var factors = new WhitenedFactorizer(new Dictionary<string, LayerInputStatistics> { [layer.NodeName] = silent })
            .Factorize(layer, WeightMatrixView.Of(layer), 1, 2);
        var expected = w - DenseReference.Residual(w, 1, 1, 2);
        Assert.That((Product(factors[0, 0]) - expected).FrobeniusNorm(), Is.LessThan(1e-6 * expected.FrobeniusNorm()), "the plain truncated SVD");
    }

    [Test]
    public void RankDeficientInputsGetARidge()
    {
        // Fewer samples than features: X X^T is singular, so a ridge of 0 cannot be factored and grows.
        var x = Matrix<double>.Build.Dense(9, 4, RandomValues.Normal(81, 36));
        var statistics = StatisticsOf([x]);
        var whitening = Whitening.Of(statistics, 0, 0, 9, relativeRidge: 0);
        Assert.That(whitening.Factor, Is.Not.Null);
        Assert.That(whitening.RelativeRidge, Is.GreaterThan(0));
        Assert.That(whitening.Note, Does.Contain("ridge"));
        var s = Matrix(whitening.Factor!);
        var c = x * x.Transpose() / 4 + whitening.RelativeRidge * (x * x.Transpose() / 4).Trace() / 9 * Matrix<double>.Build.DenseIdentity(9);
        Assert.That((s * s.Transpose() - c).FrobeniusNorm(), Is.LessThan(1e-12 * c.FrobeniusNorm()), "S S^T = C + ridge I");
    }

    /// <summary>Inputs with unequal scales and correlated features, yet well conditioned: A Z with a random A.</summary>
    private static Matrix<double> CorrelatedInputs(int seed, int m, int n)
    {
        var mixing = Matrix<double>.Build.Dense(m, m, RandomValues.Normal(seed, m * m)) + 3 * Matrix<double>.Build.DenseIdentity(m);
        var z = Matrix<double>.Build.Dense(m, n, RandomValues.Normal(seed + 1000, m * n));
        var scales = Matrix<double>.Build.DenseOfDiagonalArray(Enumerable.Range(0, m).Select(i => 0.2 + 0.4 * i).ToArray());
        return scales * mixing * z + 0.5;
    }

    /// <summary>S, lower triangular, with S S^T = X X^T / n.</summary>
    private static Matrix<double> Whitener(Matrix<double> x) => (x * x.Transpose() / x.ColumnCount).Cholesky().Factor;

    private static LayerInputStatistics StatisticsOf(IReadOnlyList<Matrix<double>> groups)
    {
        var m = groups[0].RowCount;
        return new LayerInputStatistics(m,
            groups.Select(x => DenseReference.ToRowMajor(x * x.Transpose())).ToList(),
            groups.Select(x => x.RowSums().ToArray()).ToList(),
            groups[0].ColumnCount);
    }

    /// <summary>A Gemm holding W in double, so the layer's weight is exactly the reference's.</summary>
    private static CompressibleLayer GemmLayer(Matrix<double> w)
    {
        var b = new ModelBuilder(elementType: Onnx.Protos.TensorProto.Types.DataType.Double);
        b.Node("Gemm", "gemm", [b.Input("a", 1, w.ColumnCount), b.Initializer("w", [w.RowCount, w.ColumnCount], DenseReference.ToRowMajor(w))], "y",
            ModelBuilder.Int("transB", 1));
        b.Output("y");
        return LayerDiscovery.Find(b.Build()).Layers.Single();
    }

    private static Matrix<double> Matrix(RowMajorMatrix m) => DenseReference.RowMajor(m.Rows, m.Columns, m.Values);

    private static Matrix<double> Product(LowRankFactors f) => Matrix(f.P) * Matrix(f.Q);
}
