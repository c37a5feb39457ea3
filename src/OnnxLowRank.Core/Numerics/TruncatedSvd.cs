namespace OnnxLowRank.Core.Numerics;

/// <summary>
/// Rank-j factors from the j leading eigenvectors of the smaller Gram matrix. The other side is recovered from W
/// itself: for rows &lt;= cols, T = U_j^T W, whose row k is sigma_k v_k^T, so sigma_k = |row k| and
/// P Q = U_j U_j^T W, the exact projection onto the kept directions (Eckart-Young optimal when U_j is).
/// </summary>
public static class TruncatedSvd
{
    public static LowRankFactors Factor(RowMajorMatrix w, int rank) => Factor(w, rank, LinearAlgebra.Default);

    public static LowRankFactors Factor(RowMajorMatrix w, int rank, ILinearAlgebraBackend backend)
    {
        var n = Math.Min(w.Rows, w.Columns);
        ArgumentOutOfRangeException.ThrowIfNegative(rank);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(rank, n);
        if (rank == 0)
            return new LowRankFactors(new RowMajorMatrix(w.Rows, 0), new RowMajorMatrix(0, w.Columns));
        var (values, vectors) = backend.LargestEigenpairs(n, GramMatrix.Smaller(w, backend), rank);
        var basis = new RowMajorMatrix(n, rank, vectors);
        var factors = w.Rows <= w.Columns
            ? FromLeftVectors(basis, backend.Multiply(basis, true, w, false))
            : FromRightVectors(basis, backend.Multiply(w, false, basis, false));
        return factors with { LeadingSingularValue = Math.Sqrt(Math.Max(0, values[0])) };
    }

    /// <summary>U (rows x j) and T = U^T W (j x cols): P = U S^1/2, Q = S^-1/2 T.</summary>
    private static LowRankFactors FromLeftVectors(RowMajorMatrix u, RowMajorMatrix t)
    {
        var rank = u.Columns;
        var p = new RowMajorMatrix(u.Rows, rank);
        for (var k = 0; k < rank; k++)
        {
            var row = t.Values.AsSpan(k * t.Columns, t.Columns);
            var (toP, toQ) = Scales(Norm(row));
            for (var i = 0; i < u.Rows; i++)
                p[i, k] = u[i, k] * toP;
            foreach (ref var x in row)
                x *= toQ;
        }
        return new LowRankFactors(p, t);
    }

    /// <summary>V (cols x j) and T = W V (rows x j): P = T S^-1/2, Q = S^1/2 V^T.</summary>
    private static LowRankFactors FromRightVectors(RowMajorMatrix v, RowMajorMatrix t)
    {
        var rank = v.Columns;
        var q = new RowMajorMatrix(rank, v.Rows);
        for (var k = 0; k < rank; k++)
        {
            var sumOfSquares = 0.0;
            for (var i = 0; i < t.Rows; i++)
                sumOfSquares += t[i, k] * t[i, k];
            var (toQ, toP) = Scales(Math.Sqrt(sumOfSquares));
            for (var i = 0; i < t.Rows; i++)
                t[i, k] *= toP;
            for (var c = 0; c < v.Rows; c++)
                q[k, c] = v[c, k] * toQ;
        }
        return new LowRankFactors(t, q);
    }

    /// <summary>
    /// Factors that split sigma evenly: the unit vector side is scaled by sqrt(sigma), the sigma-weighted side by
    /// 1/sqrt(sigma). A direction W does not reach at all (sigma = 0) contributes nothing and becomes zeros.
    /// </summary>
    private static (double ToUnitSide, double ToWeightedSide) Scales(double sigma)
    {
        if (sigma == 0)
            return (0, 0);
        var root = Math.Sqrt(sigma);
        return (root, 1 / root);
    }

    private static double Norm(ReadOnlySpan<double> values)
    {
        var sum = 0.0;
        foreach (var x in values)
            sum += x * x;
        return Math.Sqrt(sum);
    }
}
