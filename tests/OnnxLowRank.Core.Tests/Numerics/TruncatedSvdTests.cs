using MathNet.Numerics.LinearAlgebra;
using OnnxLowRank.Core.Numerics;

namespace OnnxLowRank.Core.Tests.Numerics;

public class TruncatedSvdTests
{
    private static IEnumerable<(string Description, RowMajorMatrix W)> Matrices()
    {
        var random = new Random(11);
        yield return ("wide 40x90", TestMatrices.Gaussian(random, 40, 90));
        yield return ("tall 120x30", TestMatrices.Gaussian(random, 120, 30, 1e-3));
        yield return ("square 64", TestMatrices.Gaussian(random, 64, 64, 1e3));
        yield return ("1x50", TestMatrices.Gaussian(random, 1, 50));
        yield return ("50x1", TestMatrices.Gaussian(random, 50, 1));
        yield return ("rank 5 of 70x45", TestMatrices.RankDeficient(random, 70, 45, 5));
        yield return ("rank 3 of 20x80", TestMatrices.RankDeficient(random, 20, 80, 3));
    }

    [TestCaseSource(typeof(Backends), nameof(Backends.Names))]
    public void FullRankReconstructsTheMatrix(string backendName)
    {
        var backend = Backends.Get(backendName);
        foreach (var (description, w) in Matrices())
        {
            var rank = Math.Min(w.Rows, w.Columns);
            var factors = TruncatedSvd.Factor(w, rank, backend);
            var reference = TestMatrices.ToMathNet(w);
            var error = (reference - Product(factors)).FrobeniusNorm();
            Assert.That(error, Is.LessThan(1e-10 * reference.FrobeniusNorm()), description);
            Assert.That(factors.TruncationError, Is.Zero, description);
        }
    }

    [TestCaseSource(typeof(Backends), nameof(Backends.Names))]
    public void TruncationErrorIsTheNextSingularValue(string backendName)
    {
        var backend = Backends.Get(backendName);
        foreach (var (description, w) in Matrices())
        {
            var sigma = TestMatrices.DenseSingularValues(w);
            var numericalRank = sigma.Count(s => s > 1e-8 * sigma[0]);
            foreach (var rank in new[] { 1, numericalRank / 2, numericalRank - 1 }.Where(j => j >= 1 && j < numericalRank).Distinct())
            {
                var factors = TruncatedSvd.Factor(w, rank, backend);
                Assert.That((factors.P.Rows, factors.P.Columns, factors.Q.Rows, factors.Q.Columns), Is.EqualTo((w.Rows, rank, rank, w.Columns)), description);
                var error = (TestMatrices.ToMathNet(w) - Product(factors)).L2Norm();
                Assert.That(error, Is.EqualTo(sigma[rank]).Within(1e-8 * sigma[rank]), $"{description}, rank {rank}");
                // The error the factorization reports without forming the residual is the same sigma_{j+1}.
                Assert.That(factors.TruncationError, Is.EqualTo(sigma[rank]).Within(1e-8 * sigma[0]), $"{description}, rank {rank}: reported error");
                Assert.That(factors.LeadingSingularValue, Is.EqualTo(sigma[0]).Within(1e-10 * sigma[0]), $"{description}, rank {rank}: sigma_1");
                // P = U S^1/2 and Q = S^1/2 V^T, so P^T P = Q Q^T = S_j.
                var s = Matrix<double>.Build.DenseOfDiagonalArray(sigma[..rank]);
                var p = TestMatrices.ToMathNet(factors.P);
                var q = TestMatrices.ToMathNet(factors.Q);
                Assert.That((p.TransposeThisAndMultiply(p) - s).L2Norm(), Is.LessThan(1e-8 * sigma[0]), $"{description}, rank {rank}: P^T P");
                Assert.That((q.TransposeAndMultiply(q) - s).L2Norm(), Is.LessThan(1e-8 * sigma[0]), $"{description}, rank {rank}: Q Q^T");
            }
        }
    }

    [TestCaseSource(typeof(Backends), nameof(Backends.Names))]
    public void RankZeroGivesEmptyFactors(string backendName)
    {
        var factors = TruncatedSvd.Factor(TestMatrices.Gaussian(new Random(1), 6, 4), 0, Backends.Get(backendName));
        Assert.That((factors.P.Rows, factors.P.Columns, factors.Q.Rows, factors.Q.Columns), Is.EqualTo((6, 0, 0, 4)));
    }

    [TestCaseSource(typeof(Backends), nameof(Backends.Names))]
    public void ZeroMatrixGivesZeroFactors(string backendName)
    {
        var backend = Backends.Get(backendName);
        foreach (var (rows, columns) in new[] { (5, 8), (8, 5) })
            foreach (var rank in new[] { 1, 5 })
            {
                var factors = TruncatedSvd.Factor(new RowMajorMatrix(rows, columns), rank, backend);
                Assert.That(factors.P.Values.Concat(factors.Q.Values), Is.All.EqualTo(0.0), $"{rows}x{columns}, rank {rank}");
            }
    }

    [Test]
    public void RankBeyondTheSmallerDimensionIsRejected() =>
        Assert.That(() => TruncatedSvd.Factor(new RowMajorMatrix(3, 7), 4, LinearAlgebra.Managed), Throws.InstanceOf<ArgumentOutOfRangeException>());

    private static Matrix<double> Product(LowRankFactors factors) =>
        factors.P.Columns == 0
            ? Matrix<double>.Build.Dense(factors.P.Rows, factors.Q.Columns)
            : TestMatrices.ToMathNet(factors.P) * TestMatrices.ToMathNet(factors.Q);
}
