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

    /// <summary>Throws unless <paramref name="target"/> holds an m x n matrix.</summary>
    public static void CheckTarget(int m, int n, double[] target)
    {
        if (target.Length != (long)m * n)
            throw new ArgumentException($"An {m} x {n} target needs {(long)m * n} values, got {target.Length}.", nameof(target));
    }
}
