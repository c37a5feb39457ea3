namespace OnnxLowRank.Core.Numerics;

/// <summary>The shape of op(A) op(B): m x k times k x n.</summary>
internal static class ProductShape
{
    public static (int M, int K, int N) Of(RowMajorMatrix a, bool transposeA, RowMajorMatrix b, bool transposeB)
    {
        var (m, k) = transposeA ? (a.Columns, a.Rows) : (a.Rows, a.Columns);
        var (kb, n) = transposeB ? (b.Columns, b.Rows) : (b.Rows, b.Columns);
        if (k != kb)
            throw new ArgumentException($"Cannot multiply {m} x {k} by {kb} x {n}.");
        return (m, k, n);
    }
}
