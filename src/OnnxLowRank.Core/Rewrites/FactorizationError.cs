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

    /// <summary>W - P Q; the product goes through the linear-algebra backend (BLAS where present), the dominant cost here.</summary>
    private static RowMajorMatrix Residual(RowMajorMatrix w, LowRankFactors f)
    {
        if (f.P.Columns == 0) return w;
        var e = LinearAlgebra.Default.Multiply(f.P, false, f.Q, false);
        var values = e.Values;
        for (var i = 0; i < values.Length; i++) values[i] = w.Values[i] - values[i];
        return e;
    }
}
