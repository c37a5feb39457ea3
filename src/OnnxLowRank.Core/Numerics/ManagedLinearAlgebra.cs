using MathNet.Numerics.LinearAlgebra;

namespace OnnxLowRank.Core.Numerics;

/// <summary>
/// The portable backend: MathNet.Numerics' managed symmetric eigen-decomposition (Householder tridiagonalisation
/// and implicit QL, which always computes vectors) and blocked, parallel managed Gram and product loops.
/// </summary>
public sealed class ManagedLinearAlgebra : ILinearAlgebraBackend
{
    public string Name => "MathNet (managed)";

    public double[] Eigenvalues(int n, double[] symmetricRowMajor) => Decompose(n, symmetricRowMajor, withVectors: false).Values;

    public (double[] Values, double[] VectorsRowMajor) Decompose(int n, double[] symmetricRowMajor) =>
        Decompose(n, symmetricRowMajor, withVectors: true);

    public (double[] Values, double[] VectorsRowMajor) LargestEigenpairs(int n, double[] symmetricRowMajor, int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, n);
        var (ascending, all) = Decompose(n, symmetricRowMajor, withVectors: true);
        var values = new double[count];
        var vectors = new double[n * count];
        for (var k = 0; k < count; k++)
        {
            var source = n - 1 - k;
            values[k] = ascending[source];
            for (var i = 0; i < n; i++)
                vectors[i * count + k] = all[i * n + source];
        }
        return (values, vectors);
    }

    public void AddRowGram(RowMajorMatrix a, double[] target) => ManagedGram.AddRowGram(a.Values, a.Rows, a.Columns, target);

    public void AddRowProduct(RowMajorMatrix a, RowMajorMatrix b, double[] target)
    {
        var (m, k, n) = ProductShape.Of(a, false, b, true);
        ProductShape.CheckTarget(m, n, target);
        // Rows of A against rows of B: both contiguous.
        Parallel.For(0, m, i =>
        {
            var row = a.Values.AsSpan(i * k, k);
            for (var j = 0; j < n; j++)
                target[i * n + j] += ManagedGram.Dot(row, b.Values.AsSpan(j * k, k));
        });
    }

    public double[] ColumnGram(RowMajorMatrix a)
    {
        var target = new double[checked(a.Columns * a.Columns)];
        var transposed = a.Transpose();
        ManagedGram.AddRowGram(transposed.Values, transposed.Rows, transposed.Columns, target);
        return target;
    }

    public RowMajorMatrix Multiply(RowMajorMatrix a, bool transposeA, RowMajorMatrix b, bool transposeB)
    {
        var (m, k, n) = ProductShape.Of(a, transposeA, b, transposeB);
        // Rows of op(A) against rows of op(B)^T: both contiguous, so each entry is a unit-stride dot product.
        var left = transposeA ? a.Transpose() : a;
        var right = transposeB ? b : b.Transpose();
        var c = new RowMajorMatrix(m, n);
        Parallel.For(0, m, i =>
        {
            var row = left.Values.AsSpan(i * k, k);
            for (var j = 0; j < n; j++)
                c.Values[i * n + j] = ManagedGram.Dot(row, right.Values.AsSpan(j * k, k));
        });
        return c;
    }

    private static (double[] Values, double[] VectorsRowMajor) Decompose(int n, double[] symmetricRowMajor, bool withVectors)
    {
        SymmetricInput.Check(n, symmetricRowMajor);
        if (n == 0)
            return ([], []);
        // Symmetric, so the row-major array is also the column-major storage MathNet expects.
        var evd = Matrix<double>.Build.Dense(n, n, (double[])symmetricRowMajor.Clone()).Evd(Symmetricity.Symmetric);
        var order = Enumerable.Range(0, n).OrderBy(k => evd.EigenValues[k].Real).ToArray();
        var values = order.Select(k => evd.EigenValues[k].Real).ToArray();
        if (!withVectors)
            return (values, []);
        var vectors = new double[n * n];
        var source = evd.EigenVectors;
        for (var k = 0; k < n; k++)
            for (var i = 0; i < n; i++)
                vectors[i * n + k] = source[i, order[k]];
        return (values, vectors);
    }
}
