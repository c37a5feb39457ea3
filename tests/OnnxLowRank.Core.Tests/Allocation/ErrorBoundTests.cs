using MathNet.Numerics.LinearAlgebra;
using OnnxLowRank.Core.Allocation;

namespace OnnxLowRank.Core.Tests.Allocation;

public class ErrorBoundTests
{
    // Two groups of 8 outputs, 4 inputs each cut into k = 2 slices of 2 columns; ||W|| taken as 5.
    private static readonly SliceOption TwoGroupsTwoSlices = new(2, 2, 8, 2, [[3, 1], [2, 2], [4, 0.5], [1, 0.1]], 5);

    [Test]
    public void MiddleBoundWorkedByHand()
    {
        // Group 0: sqrt(1^2 + 2^2) = sqrt(5); group 1: sqrt(0.5^2 + 0.1^2) = sqrt(0.26); the larger over 5.
        Assert.That(TwoGroupsTwoSlices.ErrorBoundAtRank(1), Is.EqualTo(Math.Sqrt(5) / 5).Within(1e-15));
        Assert.That(TwoGroupsTwoSlices.ErrorBoundAtRank(2), Is.Zero);
        // Pair size per group j * (k * f_g + c_g) = 1 * (2 * 8 + 4) = 20, two groups.
        Assert.That(TwoGroupsTwoSlices.SizeAtRank(1), Is.EqualTo(40));
    }

    [Test]
    public void SingleSliceBoundIsTheNextSingularValueOverTheFirst()
    {
        var option = new SliceOption(1, 1, 3, 5, [[4, 2, 1]], 4);
        Assert.That(option.ErrorBoundAtRank(1), Is.EqualTo(0.5));
        Assert.That(option.ErrorBoundAtRank(2), Is.EqualTo(0.25));
        Assert.That(option.ErrorBoundAtRank(3), Is.Zero);
    }

    [Test]
    public void AldsReportsTheHandComputedBound()
    {
        var layer = new AllocationLayer("grouped", 2 * 8 * 4, 1, [TwoGroupsTwoSlices]);
        // Whole is 64; rank 1 is 40, rank 2 would be 80: keeping 40 leaves only rank 1.
        var result = new AldsAllocator().Allocate([layer], AllocationBudget.Keep(40.0 / 64), AllocationSettings.Default);
        Assert.That(result.Layers[0], Is.EqualTo(new LayerAllocation("grouped", 2, 1, 40, 40, Math.Sqrt(5) / 5)));
    }

    [Test]
    public void BoundLiesBetweenTheSliceMaximumAndItsSqrtKMultipleAndAboveTheExactError()
    {
        var random = new Random(5);
        foreach (var (rows, sliceColumns, k, rank) in new[] { (6, 4, 3, 2), (10, 9, 2, 3), (5, 8, 4, 1) })
        {
            var w = Matrix<double>.Build.Dense(rows, sliceColumns * k, (_, c) => (random.NextDouble() - 0.5) * Math.Pow(0.8, c));
            var approximation = Matrix<double>.Build.Dense(rows, sliceColumns * k);
            var spectra = new List<double[]>();
            for (var i = 0; i < k; i++)
            {
                var slice = w.SubMatrix(0, rows, i * sliceColumns, sliceColumns);
                var svd = slice.Svd(computeVectors: true);
                spectra.Add(svd.S.ToArray());
                var truncated = svd.U.SubMatrix(0, rows, 0, rank)
                    * Matrix<double>.Build.DenseOfDiagonalVector(svd.S.SubVector(0, rank))
                    * svd.VT.SubMatrix(0, rank, 0, sliceColumns);
                approximation.SetSubMatrix(0, i * sliceColumns, truncated);
            }
            var norm = w.L2Norm();
            var exact = (w - approximation).L2Norm() / norm;
            var largestSlice = spectra.Max(s => s[rank]) / norm;
            var bound = new SliceOption(k, 1, rows, sliceColumns, spectra, norm).ErrorBoundAtRank(rank);

            Assert.That(exact, Is.GreaterThanOrEqualTo(largestSlice - 1e-12));
            Assert.That(bound, Is.GreaterThanOrEqualTo(exact - 1e-12));
            Assert.That(bound, Is.LessThanOrEqualTo(Math.Sqrt(k) * largestSlice + 1e-12));
        }
    }
}
