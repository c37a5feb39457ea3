using OnnxLowRank.Core.Numerics;

namespace OnnxLowRank.Core.DataAware;

/// <summary>
/// The data-aware spectrum and factors of an embedding table E (V x H): with D = diag(sqrt(w_t)), w the row weights of
/// <see cref="TokenFrequencies"/>, sum_t w_t ||E_t - E^_t||^2 = ||D (E - E^)||_F^2, so the best rank-r E^ is
/// D^-1 times the truncated SVD of D E (D is diagonal and positive: the row-weighted SVD). The factors are those of
/// D E with A's rows unscaled, A = D^-1 P, B = Q; the spectrum is that of D E, whose tail past r is the objective.
/// </summary>
internal static class RowWeightedEmbedding
{
    public static double[] SingularValues(RowMajorMatrix table, TokenFrequencies frequencies, ILinearAlgebraBackend backend) =>
        Spectrum.SingularValues(Weighted(table, frequencies), backend);

    public static LowRankFactors Factor(RowMajorMatrix table, TokenFrequencies frequencies, int rank, ILinearAlgebraBackend backend)
    {
        var factors = TruncatedSvd.Factor(Weighted(table, frequencies), rank, backend);
        var weights = frequencies.RowWeights();
        var p = factors.P;
        for (var row = 0; row < p.Rows; row++)
        {
            var unscale = 1 / Math.Sqrt(weights[row]);
            foreach (ref var x in p.Values.AsSpan(row * p.Columns, p.Columns)) x *= unscale;
        }
        return new LowRankFactors(p, factors.Q);
    }

    /// <summary>D E: row t of the table times sqrt(w_t).</summary>
    private static RowMajorMatrix Weighted(RowMajorMatrix table, TokenFrequencies frequencies)
    {
        var weights = frequencies.RowWeights();
        if (weights.Length != table.Rows)
            throw new ArgumentException($"{weights.Length} row weights do not fit a table of {table.Rows} rows.", nameof(frequencies));
        var weighted = new RowMajorMatrix(table.Rows, table.Columns);
        for (var row = 0; row < table.Rows; row++)
        {
            var scale = Math.Sqrt(weights[row]);
            var source = table.Values.AsSpan(row * table.Columns, table.Columns);
            var target = weighted.Values.AsSpan(row * table.Columns, table.Columns);
            for (var c = 0; c < source.Length; c++) target[c] = source[c] * scale;
        }
        return weighted;
    }
}
