using OnnxLowRank.Core.Numerics;

namespace OnnxLowRank.Core.Tests.Numerics;

public class SpectralNormTests
{
    [TestCaseSource(typeof(Backends), nameof(Backends.Names))]
    public void HorizontalBlocksMatchTheConcatenatedMatrix(string backendName)
    {
        var backend = Backends.Get(backendName);
        var random = new Random(13);
        // Wide (rows <= total columns: sum of E_i E_i^T) and tall (the block column Gram) concatenations.
        foreach (var (rows, widths) in new (int, int[])[] { (24, [18, 18, 18, 18]), (80, [9, 9, 9]), (60, [7, 30, 2]), (5, [1]) })
        {
            var blocks = widths.Select(w => TestMatrices.Gaussian(random, rows, w)).ToArray();
            var concatenated = TestMatrices.Concatenate(blocks);
            var reference = TestMatrices.DenseSingularValues(concatenated)[0];
            var description = $"{rows} rows, widths {string.Join("+", widths)}";
            Assert.That(SpectralNorm.Of(concatenated, backend), Is.EqualTo(reference).Within(1e-10 * reference), description);
            Assert.That(SpectralNorm.OfHorizontalBlocks(blocks, backend), Is.EqualTo(reference).Within(1e-10 * reference), description);
        }
    }

    [TestCaseSource(typeof(Backends), nameof(Backends.Names))]
    public void ZeroAndEmptyMatricesHaveZeroNorm(string backendName)
    {
        var backend = Backends.Get(backendName);
        Assert.That(SpectralNorm.Of(new RowMajorMatrix(4, 9), backend), Is.Zero);
        Assert.That(SpectralNorm.Of(new RowMajorMatrix(0, 9), backend), Is.Zero);
        Assert.That(SpectralNorm.OfHorizontalBlocks([], backend), Is.Zero);
        Assert.That(SpectralNorm.OfHorizontalBlocks([new RowMajorMatrix(3, 2), new RowMajorMatrix(3, 5)], backend), Is.Zero);
    }

    [Test]
    public void BlocksWithDifferentRowCountsAreRejected() =>
        Assert.That(() => SpectralNorm.OfHorizontalBlocks([new RowMajorMatrix(3, 2), new RowMajorMatrix(4, 2)], LinearAlgebra.Managed),
            Throws.ArgumentException);
}
