namespace OnnxLowRank.Core.Numerics;

/// <summary>W ~ P Q with P = U_j S_j^1/2 (rows x j) and Q = S_j^1/2 V_j^T (j x cols).</summary>
public sealed record LowRankFactors(RowMajorMatrix P, RowMajorMatrix Q)
{
    public int Rank => P.Columns;

    /// <summary>
    /// sigma_1 of the factored block W itself, when the factorization found it on the way (the largest eigenvalue
    /// of W's Gram matrix); null otherwise. The error of a whole-group factorization is relative to it.
    /// </summary>
    public double? LeadingSingularValue { get; init; }

    /// <summary>
    /// ||W - P Q||_2 when P Q is W's own truncated SVD: sigma_{j+1} of W (Eckart-Young), known from the eigenvalue
    /// after the kept ones; null for factors fitted otherwise (whitened, refitted), whose error must be measured.
    /// </summary>
    public double? TruncationError { get; init; }

    /// <summary>
    /// The first <paramref name="rank"/> columns of P and rows of Q: for factors whose kth pair is the kth singular triple
    /// (plain, whitened and row-weighted SVD alike), the factors at that lower rank. The truncation error is not carried over
    /// (the next singular value is not kept), so it is measured where it is needed.
    /// </summary>
    public LowRankFactors Leading(int rank)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(rank);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(rank, Rank);
        if (rank == Rank) return this;
        var p = new RowMajorMatrix(P.Rows, rank);
        for (var r = 0; r < P.Rows; r++)
            P.Values.AsSpan(r * Rank, rank).CopyTo(p.Values.AsSpan(r * rank, rank));
        var q = new RowMajorMatrix(rank, Q.Columns, Q.Values.AsSpan(0, rank * Q.Columns).ToArray());
        return new LowRankFactors(p, q) { LeadingSingularValue = LeadingSingularValue };
    }

    /// <summary>P (Q x): the factored block applied to one input vector, without forming P Q.</summary>
    public double[] Times(ReadOnlySpan<double> x)
    {
        var width = Q.Columns;
        var qx = new double[Q.Rows];
        for (var t = 0; t < qx.Length; t++) qx[t] = ManagedGram.Dot(Q.Values.AsSpan(t * width, width), x);
        var y = new double[P.Rows];
        for (var o = 0; o < y.Length; o++) y[o] = ManagedGram.Dot(P.Values.AsSpan(o * P.Columns, P.Columns), qx);
        return y;
    }
}
