namespace OnnxLowRank.Core.Numerics;

/// <summary>W ~ P Q with P = U_j S_j^1/2 (rows x j) and Q = S_j^1/2 V_j^T (j x cols).</summary>
public sealed record LowRankFactors(RowMajorMatrix P, RowMajorMatrix Q)
{
    public int Rank => P.Columns;
}
