using OnnxLowRank.Core.Layers;
using OnnxLowRank.Core.Numerics;

namespace OnnxLowRank.Core.Rewrites;

/// <summary>
/// The relative operator-norm error of a factorized layer (ALGORITHMS.md section 3):
/// max over groups of ||[E_1 .. E_k]||_2 divided by max over groups of ||W_g||_2, E_i = W_i - P_i Q_i.
/// </summary>
public static class FactorizationError
{
    public static double Relative(WeightMatrixView weight, LayerFactorization factors)
    {
        var g = weight.Geometry;
        double error = 0, norm = 0;
        for (var group = 0; group < g.Groups; group++)
        {
            var residuals = new List<RowMajorMatrix>(factors.SliceCount);
            for (var slice = 0; slice < factors.SliceCount; slice++)
                residuals.Add(Residual(weight.Slice(group, slice, factors.SliceCount), factors[group, slice]));
            error = Math.Max(error, SpectralNorm.OfHorizontalBlocks(residuals));
            norm = Math.Max(norm, SpectralNorm.Of(weight.Group(group)));
        }
        // An all-zero weight has no scale to be relative to: report the absolute error (0 for zero factors).
        return norm == 0 ? error : error / norm;
    }

    /// <summary>W - P Q.</summary>
    private static RowMajorMatrix Residual(RowMajorMatrix w, LowRankFactors f)
    {
        var e = new RowMajorMatrix(w.Rows, w.Columns, (double[])w.Values.Clone());
        var rank = f.P.Columns;
        for (var r = 0; r < w.Rows; r++)
            for (var t = 0; t < rank; t++)
            {
                var p = f.P.Values[r * rank + t];
                if (p == 0) continue;
                var q = f.Q.Values.AsSpan(t * w.Columns, w.Columns);
                var row = e.Values.AsSpan(r * w.Columns, w.Columns);
                for (var c = 0; c < row.Length; c++) row[c] -= p * q[c];
            }
        return e;
    }
}
