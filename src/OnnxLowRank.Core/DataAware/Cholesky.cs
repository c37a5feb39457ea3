using OnnxLowRank.Core.Numerics;

namespace OnnxLowRank.Core.DataAware;

/// <summary>The lower Cholesky factor of a symmetric matrix, row-oriented so each entry is one contiguous SIMD dot product.</summary>
internal static class Cholesky
{
    /// <summary>
    /// L (lower, row-major) with L L^T = A, or null when a pivot falls to <paramref name="minimumPivot"/> or
    /// below (A not numerically positive definite). Only the lower triangle of A is read.
    /// </summary>
    public static RowMajorMatrix? Lower(RowMajorMatrix a, double minimumPivot)
    {
        var n = a.Rows;
        var l = new RowMajorMatrix(n, n);
        var v = l.Values;
        for (var i = 0; i < n; i++)
        {
            var rowI = v.AsSpan(i * n, i);
            for (var j = 0; j < i; j++)
                v[i * n + j] = (a.Values[i * n + j] - ManagedGram.Dot(rowI[..j], v.AsSpan(j * n, j))) / v[j * n + j];
            var pivot = a.Values[i * n + i] - ManagedGram.Dot(rowI, rowI);
            if (!(pivot > minimumPivot)) return null;
            v[i * n + i] = Math.Sqrt(pivot);
        }
        return l;
    }
}
