using OnnxLowRank.Core.Layers;
using OnnxLowRank.Core.Numerics;

namespace OnnxLowRank.Core.Factorization;

/// <summary>
/// The relative operator-norm error of a factorized layer (ALGORITHMS.md section 3):
/// max over groups of ||[E_1 .. E_k]||_2 divided by max over groups of ||W_g||_2, E_i = W_i - P_i Q_i.
/// </summary>
public static class FactorizationError
{
    public static double Relative(WeightMatrixView weight, LayerFactorization factors)
    {
        if (factors.MeasuredRelativeError is { } measured) return measured;
        if (factors.Order == FactorOrder.InputFirst) return InputFirst(weight, factors[0, 0]);
        var g = weight.Geometry;
        double error = 0, norm = 0;
        for (var group = 0; group < g.Groups; group++)
        {
            var (groupError, groupNorm) = KnownTruncation(factors, group)
                ?? (g.OutputsPerGroup <= g.GroupColumns ? WideGroup(weight, factors, group) : TallGroup(weight, factors, group));
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
        // A whole-group factorization may know sigma_1 of the group already: then the weight's own Gram matrix and
        // its eigenvalues (for a 4096 x 25088 classifier, a third of this function's time) are not needed.
        var knownNorm = KnownNorm(factors, group);
        var weightGram = knownNorm is null ? new double[checked(rows * rows)] : null;
        var errorGram = new double[checked(rows * rows)];
        for (var slice = 0; slice < factors.SliceCount; slice++)
        {
            var w = weight.Slice(group, slice, factors.SliceCount);
            if (weightGram is not null) backend.AddRowGram(w, weightGram);
            backend.AddRowGram(SubtractInPlace(w, factors[group, slice]), errorGram);
        }
        return (SpectralNorm.LargestSingularValue(rows, errorGram, backend), knownNorm ?? SpectralNorm.LargestSingularValue(rows, weightGram!, backend));
    }

    /// <summary>
    /// Both norms without touching the weight, when the group is one slice factored by its own truncated SVD:
    /// then ||E||_2 = sigma_{j+1} and ||W_g||_2 = sigma_1, both found by the factorization. Forming the residual
    /// instead costs a product and a Gram of the weight's size (half a minute for vgg16's first classifier layer).
    /// </summary>
    private static (double Error, double Norm)? KnownTruncation(LayerFactorization factors, int group) =>
        factors.SliceCount == 1 && factors[group, 0] is { TruncationError: { } error, LeadingSingularValue: { } norm } ? (error, norm) : null;

    /// <summary>
    /// The same measure for an input-first pair: its weight folded back to f x (c K), so that both orders'
    /// errors are relative to the same matrix and compare. (Its own truncation error, sigma_{j+1} of W_B, is of the
    /// other unfolding.)
    /// </summary>
    internal static double InputFirst(WeightMatrixView weight, LowRankFactors factors)
    {
        var w = weight.Group(0);
        var norm = SpectralNorm.Of(w);
        // In place: one decoded copy of the weight and one product at a time (19 MB each for resnet50's widest 3x3 Convs).
        InputFirstConv.SubtractProduct(w, factors, weight.Geometry.KernelSize);
        var error = SpectralNorm.Of(w);
        return norm == 0 ? error : error / norm;
    }

    /// <summary>||W_g||_2 when the group is one slice whose factorization found its sigma_1; else null.</summary>
    private static double? KnownNorm(LayerFactorization factors, int group) =>
        factors.SliceCount == 1 ? factors[group, 0].LeadingSingularValue : null;

    /// <summary>f_g &gt; columns: the column Gram of [E_1 .. E_k] couples every pair of slices, so all residuals are formed.</summary>
    private static (double Error, double Norm) TallGroup(WeightMatrixView weight, LayerFactorization factors, int group)
    {
        var residuals = new List<RowMajorMatrix>(factors.SliceCount);
        for (var slice = 0; slice < factors.SliceCount; slice++)
            residuals.Add(SubtractInPlace(weight.Slice(group, slice, factors.SliceCount), factors[group, slice]));
        var error = SpectralNorm.OfHorizontalBlocks(residuals);
        residuals.Clear();
        return (error, KnownNorm(factors, group) ?? SpectralNorm.Of(weight.Group(group)));
    }

    /// <summary>The product P Q is formed this many values at a time (64 MiB in double).</summary>
    private const int ProductBlockValues = 1 << 23;

    /// <summary>
    /// W - P Q, written over <paramref name="w"/> (a block decoded for this alone). The product goes through the
    /// linear-algebra backend (BLAS where present), the dominant cost here, a block of rows at a time: whole, it
    /// would be a second copy of the weight in double (822 MB for vgg16's first classifier layer).
    /// </summary>
    private static RowMajorMatrix SubtractInPlace(RowMajorMatrix w, LowRankFactors f)
    {
        var rank = f.P.Columns;
        if (rank == 0 || w.Rows == 0 || w.Columns == 0) return w;
        var blockRows = Math.Max(1, ProductBlockValues / w.Columns);
        for (var first = 0; first < w.Rows; first += blockRows)
        {
            var rows = Math.Min(blockRows, w.Rows - first);
            var p = rows == w.Rows ? f.P : new RowMajorMatrix(rows, rank, f.P.Values.AsSpan(first * rank, rows * rank).ToArray());
            var product = LinearAlgebra.Default.Multiply(p, false, f.Q, false).Values;
            var target = w.Values.AsSpan(first * w.Columns, rows * w.Columns);
            for (var i = 0; i < target.Length; i++) target[i] -= product[i];
        }
        return w;
    }
}
