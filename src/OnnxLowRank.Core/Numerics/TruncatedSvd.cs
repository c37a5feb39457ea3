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
        // One eigenpair more than kept: its value is sigma_{j+1}^2, the error of the truncation (Eckart-Young).
        var computed = Math.Min(rank + 1, n);
        var (values, vectors) = backend.LargestEigenpairs(n, GramMatrix.Smaller(w, backend), computed);
        var basis = new RowMajorMatrix(n, rank, computed == rank ? vectors : LeadingColumns(vectors, n, computed, rank));
        var factors = w.Rows <= w.Columns
            ? FromLeftVectors(basis, backend.Multiply(basis, true, w, false))
            : FromRightVectors(basis, backend.Multiply(w, false, basis, false));
        return factors with
        {
            LeadingSingularValue = SingularValue(values[0]),
            TruncationError = computed == rank ? 0 : SingularValue(values[rank]),
        };
    }

    private static double SingularValue(double gramEigenvalue) => Math.Sqrt(Math.Max(0, gramEigenvalue));

    /// <summary>The first <paramref name="kept"/> columns of a row-major rows x columns array.</summary>
    private static double[] LeadingColumns(double[] values, int rows, int columns, int kept)
    {
        var result = new double[checked(rows * kept)];
        for (var i = 0; i < rows; i++)
            values.AsSpan(i * columns, kept).CopyTo(result.AsSpan(i * kept, kept));
        return result;
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
