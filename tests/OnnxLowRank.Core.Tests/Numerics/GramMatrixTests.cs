using OnnxLowRank.Core.Numerics;

namespace OnnxLowRank.Core.Tests.Numerics;

public class GramMatrixTests
{
    // Shapes that leave partial tiles (32 rows) and partial column slices (512) in the managed kernel.
    private static readonly (int Rows, int Columns)[] Shapes = [(1, 1), (1, 9), (9, 1), (40, 600), (600, 40), (33, 33), (64, 576)];

    [TestCaseSource(typeof(Backends), nameof(Backends.Names))]
    public void GramMatricesMatchDenseProducts(string backendName)
    {
        var backend = Backends.Get(backendName);
        var random = new Random(5);
        foreach (var (rows, columns) in Shapes)
        {
            var w = TestMatrices.Gaussian(random, rows, columns);
            var reference = TestMatrices.ToMathNet(w);
            var tolerance = 1e-13 * Math.Max(rows, columns);
            var rowGram = TestMatrices.MaxAbsDifference(GramMatrix.OfRows(w, backend), (reference * reference.Transpose()).ToRowMajorArray());
            var columnGram = TestMatrices.MaxAbsDifference(backend.ColumnGram(w), (reference.Transpose() * reference).ToRowMajorArray());
            Assert.That(rowGram, Is.LessThan(tolerance), $"W W^T of {rows}x{columns}");
            Assert.That(columnGram, Is.LessThan(tolerance), $"W^T W of {rows}x{columns}");
        }
    }

    [TestCaseSource(typeof(Backends), nameof(Backends.Names))]
    public void RowGramsAccumulate(string backendName)
    {
        var backend = Backends.Get(backendName);
        var random = new Random(6);
        var blocks = new[] { TestMatrices.Gaussian(random, 40, 100), TestMatrices.Gaussian(random, 40, 3) };
        var target = new double[40 * 40];
        foreach (var block in blocks)
            backend.AddRowGram(block, target);
        var concatenated = TestMatrices.ToMathNet(TestMatrices.Concatenate(blocks));
        Assert.That(target, Is.EqualTo((concatenated * concatenated.Transpose()).ToRowMajorArray()).Within(1e-10));
    }

    [TestCaseSource(typeof(Backends), nameof(Backends.Names))]
    public void ProductsMatchDenseProducts(string backendName)
    {
        var backend = Backends.Get(backendName);
        var random = new Random(8);
        var a = TestMatrices.Gaussian(random, 37, 53);
        var b = TestMatrices.Gaussian(random, 53, 29);
        var expected = (TestMatrices.ToMathNet(a) * TestMatrices.ToMathNet(b)).ToRowMajorArray();
        foreach (var (transposeA, transposeB) in new[] { (false, false), (true, false), (false, true), (true, true) })
        {
            var product = backend.Multiply(transposeA ? a.Transpose() : a, transposeA, transposeB ? b.Transpose() : b, transposeB);
            Assert.That((product.Rows, product.Columns), Is.EqualTo((37, 29)));
            Assert.That(product.Values, Is.EqualTo(expected).Within(1e-12), $"transposeA {transposeA}, transposeB {transposeB}");
        }
        Assert.That(backend.Multiply(new RowMajorMatrix(3, 0), false, new RowMajorMatrix(0, 4), false).Values, Is.All.EqualTo(0.0));
    }

    [TestCaseSource(typeof(Backends), nameof(Backends.Names))]
    public void RowProductsAccumulate(string backendName)
    {
        var backend = Backends.Get(backendName);
        var random = new Random(9);
        var a = TestMatrices.Gaussian(random, 37, 53);
        var b = TestMatrices.Gaussian(random, 29, 53);
        var start = TestMatrices.Gaussian(random, 37, 29);
        var target = (double[])start.Values.Clone();
        backend.AddRowProduct(a, b, target);
        var expected = (TestMatrices.ToMathNet(start) + TestMatrices.ToMathNet(a) * TestMatrices.ToMathNet(b).Transpose()).ToRowMajorArray();
        Assert.That(target, Is.EqualTo(expected).Within(1e-12));
        backend.AddRowProduct(new RowMajorMatrix(37, 0), new RowMajorMatrix(29, 0), target);
        Assert.That(target, Is.EqualTo(expected).Within(1e-12), "an empty product adds nothing");
        Assert.Throws<ArgumentException>(() => backend.AddRowProduct(a, b, new double[37 * 28]));
    }
}
