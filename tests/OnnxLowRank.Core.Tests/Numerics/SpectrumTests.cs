using OnnxLowRank.Core.Numerics;

namespace OnnxLowRank.Core.Tests.Numerics;

public class SpectrumTests
{
    private sealed record SpectrumCase(string Description, RowMajorMatrix Matrix, double[] Reference);

    /// <summary>100 matrices with MathNet's dense SVD as reference, computed once for both backends.</summary>
    private static readonly Lazy<SpectrumCase[]> Cases = new(() =>
    {
        var random = new Random(20261122);
        var matrices = new List<(string, RowMajorMatrix)>
        {
            ("1x1", TestMatrices.Gaussian(random, 1, 1)),
            ("1x257", TestMatrices.Gaussian(random, 1, 257)),
            ("300x1", TestMatrices.Gaussian(random, 300, 1)),
            ("zero 7x5", new RowMajorMatrix(7, 5)),
            ("zero 1x40", new RowMajorMatrix(1, 40)),
            ("zero 60x60", new RowMajorMatrix(60, 60)),
            ("300x200", TestMatrices.Gaussian(random, 300, 200)),
            ("200x300", TestMatrices.Gaussian(random, 200, 300)),
            ("rank 3 of 250x180", TestMatrices.RankDeficient(random, 250, 180, 3)),
        };
        while (matrices.Count < 100)
        {
            var kind = matrices.Count % 5;
            int rows = random.Next(1, 301), columns = random.Next(1, 201);
            if (kind == 0)
                (rows, columns) = (columns, rows);
            if (kind == 1)
                columns = rows;
            if (kind == 2)
                (rows, columns) = random.Next(2) == 0 ? (1, columns) : (rows, 1);
            var scale = Math.Pow(10, random.Next(-3, 4));
            var m = kind == 3
                ? TestMatrices.RankDeficient(random, rows, columns, random.Next(1, Math.Max(2, Math.Min(rows, columns) / 2)))
                : TestMatrices.Gaussian(random, rows, columns, scale);
            matrices.Add(($"{(kind == 3 ? "rank-deficient " : "")}{rows}x{columns} scale {scale}", m));
        }
        return matrices.Select(m => new SpectrumCase(m.Item1, m.Item2, TestMatrices.DenseSingularValues(m.Item2))).ToArray();
    });

    [TestCaseSource(typeof(Backends), nameof(Backends.Names))]
    public void SingularValuesAgreeWithDenseSvd(string backendName)
    {
        var backend = Backends.Get(backendName);
        foreach (var (description, matrix, reference) in Cases.Value)
        {
            var values = Spectrum.SingularValues(matrix, backend);
            Assert.That(values, Has.Length.EqualTo(Math.Min(matrix.Rows, matrix.Columns)), description);
            Assert.That(TestMatrices.MaxAbsDifference(values, reference), Is.LessThanOrEqualTo(1e-6 * reference[0]), description);
        }
    }

    [TestCaseSource(typeof(Backends), nameof(Backends.Names))]
    public void EmptyMatrixHasNoSingularValues(string backendName)
    {
        var backend = Backends.Get(backendName);
        Assert.That(Spectrum.SingularValues(new RowMajorMatrix(0, 5), backend), Is.Empty);
        Assert.That(Spectrum.SingularValues(new RowMajorMatrix(4, 0), backend), Is.Empty);
    }

    [TestCaseSource(typeof(Backends), nameof(Backends.Names))]
    public void ConcurrentCallsAgreeWithDenseSvd(string backendName)
    {
        var backend = Backends.Get(backendName);
        var random = new Random(7);
        var matrices = Enumerable.Range(0, 24).Select(i => TestMatrices.Gaussian(random, 40 + 7 * i, 130 - 3 * i)).ToArray();
        var reference = matrices.Select(TestMatrices.DenseSingularValues).ToArray();
        if (backend is not OpenBlasLinearAlgebra openBlas)
        {
            AssertConcurrentResults(backend, matrices, reference);
            return;
        }
        // Both OpenBLAS modes: threaded calls serialised, single-threaded calls concurrent.
        var threads = openBlas.ThreadCount;
        try
        {
            foreach (var count in new[] { 2, 1 })
            {
                openBlas.ThreadCount = count;
                AssertConcurrentResults(backend, matrices, reference);
            }
        }
        finally
        {
            openBlas.ThreadCount = threads;
        }
    }

    private static void AssertConcurrentResults(ILinearAlgebraBackend backend, RowMajorMatrix[] matrices, double[][] reference)
    {
        var concurrent = new double[matrices.Length][];
        Parallel.For(0, matrices.Length, new ParallelOptions { MaxDegreeOfParallelism = 8 },
            i => concurrent[i] = Spectrum.SingularValues(matrices[i], backend));
        for (var i = 0; i < matrices.Length; i++)
            Assert.That(TestMatrices.MaxAbsDifference(concurrent[i], reference[i]), Is.LessThan(1e-6 * reference[i][0]), $"matrix {i}");
    }
}
