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
            var (groupError, groupNorm) = g.OutputsPerGroup <= g.GroupColumns
                ? WideGroup(weight, factors, group)
                : TallGroup(weight, factors, group);
            error = Math.Max(error, groupError);
            norm = Math.Max(norm, groupNorm);
        }
        // An all-zero weight has no scale to be relative to: report the absolute error (0 for zero factors).
        return norm == 0 ? error : error / norm;
    }

    /// <summary>
    /// f_g &lt;= columns: both norms come from row Grams summed over slices (M M^T = sum_i M_i M_i^T), so
    /// one slice and its residual are in memory at a time instead of the whole weight and all residuals.
    /// </summary>
    private static (double Error, double Norm) WideGroup(WeightMatrixView weight, LayerFactorization factors, int group)
    {
        var backend = LinearAlgebra.Default;
        var rows = weight.Geometry.OutputsPerGroup;
        var weightGram = new double[checked(rows * rows)];
        var errorGram = new double[weightGram.Length];
        for (var slice = 0; slice < factors.SliceCount; slice++)
        {
            var w = weight.Slice(group, slice, factors.SliceCount);
            backend.AddRowGram(w, weightGram);
            backend.AddRowGram(Residual(w, factors[group, slice]), errorGram);
        }
        return (SpectralNorm.LargestSingularValue(rows, errorGram, backend), SpectralNorm.LargestSingularValue(rows, weightGram, backend));
    }

    /// <summary>f_g &gt; columns: the column Gram of [E_1 .. E_k] couples every pair of slices, so all residuals are formed.</summary>
    private static (double Error, double Norm) TallGroup(WeightMatrixView weight, LayerFactorization factors, int group)
    {
        var residuals = new List<RowMajorMatrix>(factors.SliceCount);
        for (var slice = 0; slice < factors.SliceCount; slice++)
            residuals.Add(Residual(weight.Slice(group, slice, factors.SliceCount), factors[group, slice]));
        var error = SpectralNorm.OfHorizontalBlocks(residuals);
        residuals.Clear();
        return (error, SpectralNorm.Of(weight.Group(group)));
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
