namespace OnnxLowRank.Core.Numerics;

/// <summary>
/// The dense kernels spectra are built from: a symmetric eigen-solver plus Gram and product formation, all in
/// double precision. Implementations are re-entrant (layers are computed in parallel by callers).
/// </summary>
public interface ILinearAlgebraBackend : ISymmetricEigenSolver
{
    /// <summary>target += A A^T, where target is a full symmetric A.Rows x A.Rows row-major matrix (both triangles are updated).</summary>
    void AddRowGram(RowMajorMatrix a, double[] target);

    /// <summary>target += A B^T, where target is A.Rows x B.Rows row-major; no product is allocated.</summary>
    void AddRowProduct(RowMajorMatrix a, RowMajorMatrix b, double[] target);

    /// <summary>A^T A, a full symmetric A.Columns x A.Columns row-major matrix.</summary>
    double[] ColumnGram(RowMajorMatrix a);

    /// <summary>op(A) op(B), where op transposes when asked.</summary>
    RowMajorMatrix Multiply(RowMajorMatrix a, bool transposeA, RowMajorMatrix b, bool transposeB);
}
