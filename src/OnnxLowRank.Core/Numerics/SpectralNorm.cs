namespace OnnxLowRank.Core.Numerics;

/// <summary>Exact spectral norms (largest singular values) from the smaller Gram matrix's largest eigenvalue.</summary>
public static class SpectralNorm
{
    public static double Of(RowMajorMatrix m) => Of(m, LinearAlgebra.Default);

    public static double Of(RowMajorMatrix m, ILinearAlgebraBackend backend) =>
        LargestSingularValue(Math.Min(m.Rows, m.Columns), GramMatrix.Smaller(m, backend), backend);

    /// <summary>||[E_1 ... E_k]||_2 for blocks with equal row counts, without forming the concatenation.</summary>
    public static double OfHorizontalBlocks(IReadOnlyList<RowMajorMatrix> blocks) => OfHorizontalBlocks(blocks, LinearAlgebra.Default);

    public static double OfHorizontalBlocks(IReadOnlyList<RowMajorMatrix> blocks, ILinearAlgebraBackend backend)
    {
        if (blocks.Count == 0)
            return 0;
        var rows = blocks[0].Rows;
        if (blocks.Any(b => b.Rows != rows))
            throw new ArgumentException("Horizontal blocks must all have the same number of rows.", nameof(blocks));
        var columns = blocks.Sum(b => b.Columns);
        if (rows <= columns)
        {
            // [E_1 ... E_k][E_1 ... E_k]^T = sum_i E_i E_i^T.
            var gram = new double[checked(rows * rows)];
            foreach (var block in blocks)
                backend.AddRowGram(block, gram);
            return LargestSingularValue(rows, gram, backend);
        }
        return LargestSingularValue(columns, ColumnGram(blocks, columns, backend), backend);
    }

    /// <summary>The block matrix [E_i^T E_j] (columns x columns), for tall concatenations.</summary>
    private static double[] ColumnGram(IReadOnlyList<RowMajorMatrix> blocks, int columns, ILinearAlgebraBackend backend)
    {
        var gram = new double[checked(columns * columns)];
        var offsets = new int[blocks.Count];
        for (var i = 1; i < blocks.Count; i++)
            offsets[i] = offsets[i - 1] + blocks[i - 1].Columns;
        for (var i = 0; i < blocks.Count; i++)
            for (var j = i; j < blocks.Count; j++)
            {
                var part = backend.Multiply(blocks[i], true, blocks[j], false);
                for (var r = 0; r < part.Rows; r++)
                    for (var c = 0; c < part.Columns; c++)
                    {
                        gram[(offsets[i] + r) * columns + offsets[j] + c] = part[r, c];
                        gram[(offsets[j] + c) * columns + offsets[i] + r] = part[r, c];
                    }
            }
        return gram;
    }

    /// <summary>The largest singular value of a matrix given its n x n Gram matrix (either side).</summary>
    public static double LargestSingularValue(int n, double[] gram, ILinearAlgebraBackend backend) =>
        n == 0 ? 0 : Math.Sqrt(Math.Max(0, backend.Eigenvalues(n, gram)[n - 1]));
}
