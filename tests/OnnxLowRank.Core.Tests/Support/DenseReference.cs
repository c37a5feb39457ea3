using MathNet.Numerics.LinearAlgebra;

namespace OnnxLowRank.Core.Tests.Support;

/// <summary>
/// The truncation written out with a dense MathNet SVD, independent of the code under test:
/// W (f x c_g*prod(kernel)) cut into g row groups and k column slices, each slice truncated to rank j.
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
                var svd = block.Svd(computeVectors: true);
                var kept = Math.Min(rank, svd.S.Count);
                var approximation = svd.U.SubMatrix(0, rows, 0, kept)
                    * Matrix<double>.Build.DiagonalOfDiagonalVector(svd.S.SubVector(0, kept))
                    * svd.VT.SubMatrix(0, kept, 0, columns);
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
            error = Math.Max(error, e.SubMatrix(g * rows, rows, 0, e.ColumnCount).L2Norm());
            norm = Math.Max(norm, w.SubMatrix(g * rows, rows, 0, w.ColumnCount).L2Norm());
        }
        return error / norm;
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
}
