namespace OnnxLowRank.Core.Numerics;

/// <summary>
/// Eigen-decomposition of a real symmetric n x n matrix given row by row (which, being symmetric, is also its
/// column-major layout). Implementations are re-entrant: callers may use one instance from many threads.
/// The input array is never modified.
/// </summary>
public interface ISymmetricEigenSolver
{
    string Name { get; }

    /// <summary>All n eigenvalues in ascending order.</summary>
    double[] Eigenvalues(int n, double[] symmetricRowMajor);

    /// <summary>
    /// All eigenpairs: Values ascending; VectorsRowMajor is n x n row-major with column k the unit eigenvector of
    /// Values[k], so A = V diag(Values) V^T.
    /// </summary>
    (double[] Values, double[] VectorsRowMajor) Decompose(int n, double[] symmetricRowMajor);

    /// <summary>
    /// The <paramref name="count"/> largest eigenpairs: Values descending (largest first); VectorsRowMajor is
    /// n x count row-major with column k the unit eigenvector of Values[k].
    /// </summary>
    (double[] Values, double[] VectorsRowMajor) LargestEigenpairs(int n, double[] symmetricRowMajor, int count);
}
