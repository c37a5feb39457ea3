using MathNet.Numerics.LinearAlgebra;
using OnnxLowRank.Core.Numerics;

namespace OnnxLowRank.Core.Tests.Numerics;

/// <summary>Seeded random matrices and conversions to MathNet, the independent reference.</summary>
internal static class TestMatrices
{
    public static RowMajorMatrix Gaussian(Random random, int rows, int columns, double scale = 1)
    {
        var m = new RowMajorMatrix(rows, columns);
        for (var i = 0; i < m.Values.Length; i++)
            m.Values[i] = scale * NextGaussian(random);
        return m;
    }

    /// <summary>A product of thin random factors: rank at most <paramref name="rank"/>.</summary>
    public static RowMajorMatrix RankDeficient(Random random, int rows, int columns, int rank) =>
        FromMathNet(ToMathNet(Gaussian(random, rows, rank)) * ToMathNet(Gaussian(random, rank, columns)));

    public static Matrix<double> ToMathNet(RowMajorMatrix m) => Matrix<double>.Build.DenseOfRowMajor(m.Rows, m.Columns, m.Values);

    public static RowMajorMatrix FromMathNet(Matrix<double> m) => new(m.RowCount, m.ColumnCount, m.ToRowMajorArray());

    /// <summary>Singular values by MathNet's dense SVD, descending.</summary>
    public static double[] DenseSingularValues(RowMajorMatrix m) => ToMathNet(m).Svd(computeVectors: false).S.ToArray();

    public static RowMajorMatrix Concatenate(IReadOnlyList<RowMajorMatrix> blocks)
    {
        var rows = blocks[0].Rows;
        var result = new RowMajorMatrix(rows, blocks.Sum(b => b.Columns));
        var offset = 0;
        foreach (var block in blocks)
        {
            for (var r = 0; r < rows; r++)
                for (var c = 0; c < block.Columns; c++)
                    result[r, offset + c] = block[r, c];
            offset += block.Columns;
        }
        return result;
    }

    /// <summary>The largest absolute elementwise difference (NUnit's per-element tolerance is slow on large arrays).</summary>
    public static double MaxAbsDifference(double[] actual, double[] expected)
    {
        Assert.That(actual, Has.Length.EqualTo(expected.Length));
        var max = 0.0;
        for (var i = 0; i < actual.Length; i++)
            max = Math.Max(max, Math.Abs(actual[i] - expected[i]));
        return max;
    }

    private static double NextGaussian(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
}
