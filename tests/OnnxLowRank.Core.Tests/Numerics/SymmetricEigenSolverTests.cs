using MathNet.Numerics.LinearAlgebra;
using OnnxLowRank.Core.Numerics;

namespace OnnxLowRank.Core.Tests.Numerics;

public class SymmetricEigenSolverTests
{
    /// <summary>Random symmetric matrices, Gram matrices of rank-deficient ones, and ones with repeated eigenvalues.</summary>
    private static IEnumerable<(string Description, int N, double[] A)> Matrices()
    {
        var random = new Random(31);
        foreach (var n in new[] { 1, 2, 5, 33, 120, 250 })
        {
            var g = TestMatrices.Gaussian(random, n, n);
            yield return ($"random symmetric {n}", n, TestMatrices.FromMathNet(TestMatrices.ToMathNet(g) + TestMatrices.ToMathNet(g).Transpose()).Values);
        }
        var deficient = TestMatrices.ToMathNet(TestMatrices.RankDeficient(random, 90, 60, 4));
        yield return ("rank-4 Gram 90", 90, TestMatrices.FromMathNet(deficient * deficient.Transpose()).Values);
        var identity = new double[40 * 40];
        for (var i = 0; i < 40; i++)
            identity[i * 40 + i] = 3;
        yield return ("3 I, 40", 40, identity);
        yield return ("zero 17", 17, new double[17 * 17]);
    }

    [Test]
    public void OpenBlasLoadsOnLinux()
    {
        if (!OperatingSystem.IsLinux())
            Assert.Ignore("OpenBLAS is only required on Linux.");
        Assert.That(LinearAlgebra.OpenBlas, Is.Not.Null,
            $"OpenBLAS could not be loaded ({LinearAlgebra.OpenBlasFailure}); install libopenblas0-pthread.");
    }

    [Test]
    public void OpenBlasAndMathNetEigenvaluesAgree()
    {
        var openBlas = Backends.Get(Backends.OpenBlas);
        var managed = Backends.Get(Backends.Managed);
        foreach (var (description, n, a) in Matrices())
        {
            var expected = managed.Eigenvalues(n, a);
            var actual = openBlas.Eigenvalues(n, a);
            var scale = expected.Max(Math.Abs);
            Assert.That(actual, Is.EqualTo(expected).Within(1e-9 * scale), description);
            Assert.That(actual, Is.Ordered.Ascending, description);
        }
    }

    [TestCaseSource(typeof(Backends), nameof(Backends.Names))]
    public void DecomposeGivesOrthonormalEigenvectors(string backendName)
    {
        var solver = Backends.Get(backendName);
        foreach (var (description, n, a) in Matrices())
        {
            var copy = (double[])a.Clone();
            var (values, vectors) = solver.Decompose(n, a);
            Assert.That(a, Is.EqualTo(copy), $"{description}: input modified");
            Assert.That(values, Is.Ordered.Ascending, description);
            AssertEigenpairs(description, n, a, values, vectors);
        }
    }

    [TestCaseSource(typeof(Backends), nameof(Backends.Names))]
    public void LargestEigenpairsAreTheTopOfTheSpectrum(string backendName)
    {
        var solver = Backends.Get(backendName);
        foreach (var (description, n, a) in Matrices())
            foreach (var count in new[] { 0, 1, (n + 1) / 2, n }.Distinct())
            {
                var (values, vectors) = solver.LargestEigenpairs(n, a, count);
                var all = TestMatrices.ToMathNet(new RowMajorMatrix(n, n, a)).Evd().EigenValues.Select(v => v.Real).OrderDescending().ToArray();
                var scale = Math.Max(all.Max(Math.Abs), double.Epsilon);
                Assert.That(values, Is.EqualTo(all[..count]).Within(1e-9 * scale), $"{description}, top {count}");
                AssertEigenpairs($"{description}, top {count}", n, a, values, vectors);
            }
    }

    /// <summary>Checks A v_k = lambda_k v_k and V^T V = I for the columns of an n x count row-major V.</summary>
    private static void AssertEigenpairs(string description, int n, double[] a, double[] values, double[] vectors)
    {
        var count = values.Length;
        var matrix = TestMatrices.ToMathNet(new RowMajorMatrix(n, n, a));
        var v = TestMatrices.ToMathNet(new RowMajorMatrix(n, count, vectors));
        var scale = Math.Max(matrix.L2Norm(), 1);
        for (var k = 0; k < count; k++)
        {
            var residual = (matrix * v.Column(k) - values[k] * v.Column(k)).L2Norm();
            Assert.That(residual, Is.LessThan(1e-10 * scale), $"{description}: residual of pair {k}");
        }
        var orthogonality = TestMatrices.MaxAbsDifference(v.TransposeThisAndMultiply(v).ToRowMajorArray(), Matrix<double>.Build.DenseIdentity(count).ToRowMajorArray());
        Assert.That(orthogonality, Is.LessThan(1e-10), $"{description}: V^T V - I");
    }
}
