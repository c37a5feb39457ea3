using MathNet.Numerics.LinearAlgebra;

namespace OnnxLowRank.Core.Tests.Support;

/// <summary>
/// The truncation written out with MathNet, independent of the code under test: W (f x c_g*prod(kernel))
/// cut into g row groups and k column slices, each slice replaced by its projection on its top j
/// singular directions (from the eigenvectors of its smaller Gram matrix, which keeps big layers fast).
/// </summary>
internal static class DenseReference
{
    /// <summary>E = W - W^ for the given groups, slices and rank.</summary>
    public static Matrix<double> Residual(Matrix<double> w, int groups, int slices, int rank)
    {
        var e = w.Clone();
        int rows = w.RowCount / groups, columns = w.ColumnCount / slices;
        for (var g = 0; g < groups; g++)
            for (var s = 0; s < slices; s++)
            {
                var block = w.SubMatrix(g * rows, rows, s * columns, columns);
                Matrix<double> approximation;
                if (columns <= rows)
                {
                    var v = TopEigenvectors(block.TransposeThisAndMultiply(block), rank);
                    approximation = block * v * v.Transpose();
                }
                else
                {
                    var u = TopEigenvectors(block.TransposeAndMultiply(block), rank);
                    approximation = u * u.TransposeThisAndMultiply(block);
                }
                e.SetSubMatrix(g * rows, s * columns, block - approximation);
            }
        return e;
    }

    /// <summary>max over groups of ||E_g||_2 / max over groups of ||W_g||_2.</summary>
    public static double RelativeError(Matrix<double> w, Matrix<double> e, int groups)
    {
        var rows = w.RowCount / groups;
        double error = 0, norm = 0;
        for (var g = 0; g < groups; g++)
        {
            error = Math.Max(error, SpectralNorm(e.SubMatrix(g * rows, rows, 0, e.ColumnCount)));
            norm = Math.Max(norm, SpectralNorm(w.SubMatrix(g * rows, rows, 0, w.ColumnCount)));
        }
        return error / norm;
    }

    public static double SpectralNorm(Matrix<double> m)
    {
        var gram = m.ColumnCount <= m.RowCount ? m.TransposeThisAndMultiply(m) : m.TransposeAndMultiply(m);
        return Math.Sqrt(Math.Max(0, gram.Evd(Symmetricity.Symmetric).EigenValues.Max(v => v.Real)));
    }

    public static Matrix<double> RowMajor(int rows, int columns, double[] values) =>
        Matrix<double>.Build.Dense(rows, columns, (r, c) => values[r * columns + c]);

    public static double[] ToRowMajor(Matrix<double> m)
    {
        var values = new double[m.RowCount * m.ColumnCount];
        for (var r = 0; r < m.RowCount; r++)
            for (var c = 0; c < m.ColumnCount; c++)
                values[r * m.ColumnCount + c] = m[r, c];
        return values;
    }

    private static Matrix<double> TopEigenvectors(Matrix<double> gram, int count)
    {
        var evd = gram.Evd(Symmetricity.Symmetric);
        var order = Enumerable.Range(0, gram.RowCount).OrderByDescending(i => evd.EigenValues[i].Real).Take(count).ToArray();
        return Matrix<double>.Build.Dense(gram.RowCount, order.Length, (r, c) => evd.EigenVectors[r, order[c]]);
    }
}
