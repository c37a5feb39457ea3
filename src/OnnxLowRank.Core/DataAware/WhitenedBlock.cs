using OnnxLowRank.Core.Numerics;

namespace OnnxLowRank.Core.DataAware;

/// <summary>
/// The data-aware spectrum and factors of one weight block W (f x m) whose m columns have the input
/// second moment C (ALGORITHMS.md section 5). With S S^T = C + lambda I, SVD-LLM truncates
/// W S = U Sigma V^T; its factors are P = U_j Sigma_j^1/2 and Q = Sigma_j^1/2 V_j^T S^-1 = Sigma_j^-1/2 U_j^T W
/// (as V^T = Sigma^-1 U^T W S), so Q needs neither an inverse nor a triangular solve.
/// Only U and Sigma are needed, and they are the eigenpairs of W S S^T W^T = W (C + lambda I) W^T: for a
/// wide block (f &lt;= m) that f x f matrix is formed directly and no factor S is computed at all; for a
/// tall one (f &gt; m) S comes from a Cholesky factorization (<see cref="Whitening"/>), the smaller problem.
/// A block whose inputs carry no signal is taken on its weight alone, with a note.
/// Centered, C is the covariance instead of the second moment: when the bias absorbs (W - W^) mean(x), what remains
/// of the output error is ||(W - W^)(X - mean)||, which whitening by the covariance minimises.
/// </summary>
internal static class WhitenedBlock
{
    /// <summary>The min(f, m) singular values of W S, descending, and a note when whitening fell short.</summary>
    public static (double[] Values, string? Note) SingularValues(
        RowMajorMatrix w, LayerInputStatistics statistics, int group, int firstColumn, double relativeRidge, bool centered, ILinearAlgebraBackend backend)
    {
        if (w.Rows <= w.Columns)
        {
            if (OutputGram(w, statistics, group, firstColumn, relativeRidge, centered, backend) is not { } gram)
                return (Spectrum.SingularValues(w, backend), Whitening.SilentNote(statistics));
            var ascending = backend.Eigenvalues(w.Rows, gram);
            return (ascending.Reverse().Select(v => Math.Sqrt(Math.Max(0, v))).ToArray(), null);
        }
        var whitening = Whitening.Of(statistics, group, firstColumn, w.Columns, relativeRidge, centered);
        return whitening.Factor is { } s
            ? (Spectrum.SingularValues(backend.Multiply(w, false, s, false), backend), whitening.Note)
            : (Spectrum.SingularValues(w, backend), whitening.Note);
    }

    /// <summary>Rank-j factors P = U_j Sigma_j^1/2 and Q = Sigma_j^-1/2 U_j^T W (zero for a direction with sigma = 0).</summary>
    public static LowRankFactors Factor(
        RowMajorMatrix w, LayerInputStatistics statistics, int group, int firstColumn, int rank, double relativeRidge, bool centered,
        ILinearAlgebraBackend backend)
    {
        RowMajorMatrix p;
        if (w.Rows <= w.Columns)
        {
            if (OutputGram(w, statistics, group, firstColumn, relativeRidge, centered, backend) is not { } gram) return TruncatedSvd.Factor(w, rank, backend);
            var (values, vectors) = backend.LargestEigenpairs(w.Rows, gram, rank);
            p = new RowMajorMatrix(w.Rows, rank, vectors);
            for (var t = 0; t < rank; t++)
            {
                var root = Math.Sqrt(Math.Sqrt(Math.Max(0, values[t])));
                for (var r = 0; r < w.Rows; r++) p[r, t] *= root;
            }
        }
        else
        {
            if (Whitening.Of(statistics, group, firstColumn, w.Columns, relativeRidge, centered).Factor is not { } s) return TruncatedSvd.Factor(w, rank, backend);
            p = TruncatedSvd.Factor(backend.Multiply(w, false, s, false), rank, backend).P;
        }

        // Column t of P is u_t sigma_t^1/2, so P^T W scaled by 1 / |P_t|^2 = 1 / sigma_t is Sigma^-1/2 U^T W.
        var q = backend.Multiply(p, true, w, false);
        for (var t = 0; t < rank; t++)
        {
            var sigma = 0.0;
            for (var r = 0; r < p.Rows; r++) sigma += p[r, t] * p[r, t];
            var scale = sigma > 0 ? 1 / sigma : 0;
            foreach (ref var x in q.Values.AsSpan(t * q.Columns, q.Columns)) x *= scale;
        }
        return new LowRankFactors(p, q);
    }

    /// <summary>
    /// W (C + lambda I) W^T (f x f, row-major), C the block's second moment, less (W mu)(W mu)^T when centered;
    /// null when the inputs carry no signal.
    /// </summary>
    private static double[]? OutputGram(
        RowMajorMatrix w, LayerInputStatistics statistics, int group, int firstColumn, double relativeRidge, bool centered, ILinearAlgebraBackend backend)
    {
        var scale = statistics.MeanDiagonal(group, firstColumn, w.Columns, centered);
        if (!(scale > 0) || !double.IsFinite(scale)) return null;
        var count = (double)statistics.VectorCount;
        var gram = statistics.Sandwich(w, group, firstColumn, backend);
        var ridge = relativeRidge * scale;
        var weightGram = ridge > 0 ? GramMatrix.OfRows(w, backend) : null;
        var f = w.Rows;
        var meanOutput = new double[f];
        if (centered)
        {
            var mean = statistics.Mean(group).AsSpan(firstColumn, w.Columns);
            for (var r = 0; r < f; r++) meanOutput[r] = ManagedGram.Dot(w.Values.AsSpan(r * w.Columns, w.Columns), mean);
        }
        for (var r = 0; r < f; r++)
            for (var c = 0; c < f; c++)
                gram[r * f + c] = gram[r * f + c] / count - meanOutput[r] * meanOutput[c] + (weightGram is null ? 0 : ridge * weightGram[r * f + c]);
        return gram.All(double.IsFinite) ? gram : null;
    }
}
