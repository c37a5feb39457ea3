namespace OnnxLowRank.Core.Numerics;

/// <summary>Singular values from the eigenvalues of the smaller Gram matrix, all in double precision.</summary>
public static class Spectrum
{
    /// <summary>The min(rows, cols) singular values of W, descending, using <see cref="LinearAlgebra.Default"/>.</summary>
    public static double[] SingularValues(RowMajorMatrix w) => SingularValues(w, LinearAlgebra.Default);

    /// <summary>
    /// The min(rows, cols) singular values of W, descending. Absolute accuracy is about eps * sigma_1^2 / sigma_i
    /// (the Gram matrix squares the condition number): ample for ranking energy, not for resolving tiny values.
    /// </summary>
    public static double[] SingularValues(RowMajorMatrix w, ILinearAlgebraBackend backend)
    {
        var n = Math.Min(w.Rows, w.Columns);
        var eigenvalues = backend.Eigenvalues(n, GramMatrix.Smaller(w, backend));
        var values = new double[n];
        for (var i = 0; i < n; i++)
            // Round-off can leave the eigenvalues of a rank-deficient Gram matrix slightly negative.
            values[i] = Math.Sqrt(Math.Max(0, eigenvalues[n - 1 - i]));
        return values;
    }
}
