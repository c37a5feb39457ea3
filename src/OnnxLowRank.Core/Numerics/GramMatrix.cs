namespace OnnxLowRank.Core.Numerics;

/// <summary>Gram matrices formed through a backend.</summary>
public static class GramMatrix
{
    /// <summary>A A^T (A.Rows x A.Rows, row-major).</summary>
    public static double[] OfRows(RowMajorMatrix a, ILinearAlgebraBackend backend)
    {
        var target = new double[checked(a.Rows * a.Rows)];
        backend.AddRowGram(a, target);
        return target;
    }

    /// <summary>
    /// The smaller of A A^T and A^T A (min(rows, cols) squared, row-major); both share the nonzero eigenvalues
    /// sigma_i^2 of A. A A^T is taken when rows &lt;= cols.
    /// </summary>
    public static double[] Smaller(RowMajorMatrix a, ILinearAlgebraBackend backend) =>
        a.Rows <= a.Columns ? OfRows(a, backend) : backend.ColumnGram(a);
}
