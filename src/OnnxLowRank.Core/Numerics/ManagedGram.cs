using System.Numerics;

namespace OnnxLowRank.Core.Numerics;

/// <summary>
/// A A^T by blocked, parallel, SIMD dot products of rows: tiles of 32 x 32 output entries, each pass over a
/// 512-column slice so the two row panels stay in cache.
/// </summary>
internal static class ManagedGram
{
    private const int TileRows = 32;
    private const int SliceColumns = 512;

    /// <summary>target (rows x rows, full symmetric) += A A^T for row-major A.</summary>
    public static void AddRowGram(double[] a, int rows, int columns, double[] target)
    {
        if (target.Length != (long)rows * rows)
            throw new ArgumentException($"A {rows} x {rows} Gram target needs {(long)rows * rows} values, got {target.Length}.", nameof(target));
        if (rows == 0 || columns == 0)
            return;
        var tilesPerSide = (rows + TileRows - 1) / TileRows;
        var tiles = new List<(int I, int J)>();
        for (var ti = 0; ti < tilesPerSide; ti++)
            for (var tj = 0; tj <= ti; tj++)
                tiles.Add((ti * TileRows, tj * TileRows));
        // Each lower-triangle tile owns its entries and their mirror images: no two tasks write the same entry.
        Parallel.ForEach(tiles, tile => AddTile(a, rows, columns, target, tile.I, tile.J));
    }

    public static double Dot(ReadOnlySpan<double> x, ReadOnlySpan<double> y)
    {
        var sum = Vector<double>.Zero;
        var i = 0;
        for (; i <= x.Length - Vector<double>.Count; i += Vector<double>.Count)
            sum += new Vector<double>(x[i..]) * new Vector<double>(y[i..]);
        var total = Vector.Sum(sum);
        for (; i < x.Length; i++)
            total += x[i] * y[i];
        return total;
    }

    private static void AddTile(double[] a, int rows, int columns, double[] target, int i0, int j0)
    {
        var sums = new double[TileRows * TileRows];
        var iEnd = Math.Min(i0 + TileRows, rows);
        var jEnd = Math.Min(j0 + TileRows, rows);
        for (var c0 = 0; c0 < columns; c0 += SliceColumns)
        {
            var width = Math.Min(SliceColumns, columns - c0);
            for (var i = i0; i < iEnd; i++)
            {
                var rowI = a.AsSpan(i * columns + c0, width);
                var last = Math.Min(jEnd, i + 1);
                var j = j0;
                for (; j + 4 <= last; j += 4)
                {
                    var (s0, s1, s2, s3) = Dot4(rowI, a.AsSpan(j * columns + c0, width), a.AsSpan((j + 1) * columns + c0, width),
                        a.AsSpan((j + 2) * columns + c0, width), a.AsSpan((j + 3) * columns + c0, width));
                    var at = (i - i0) * TileRows + (j - j0);
                    sums[at] += s0;
                    sums[at + 1] += s1;
                    sums[at + 2] += s2;
                    sums[at + 3] += s3;
                }
                for (; j < last; j++)
                    sums[(i - i0) * TileRows + (j - j0)] += Dot(rowI, a.AsSpan(j * columns + c0, width));
            }
        }
        for (var i = i0; i < iEnd; i++)
            for (var j = j0; j < Math.Min(jEnd, i + 1); j++)
            {
                var s = sums[(i - i0) * TileRows + (j - j0)];
                target[i * rows + j] += s;
                if (i != j)
                    target[j * rows + i] += s;
            }
    }

    /// <summary>Four dot products sharing x, so x is loaded once per step.</summary>
    private static (double, double, double, double) Dot4(ReadOnlySpan<double> x, ReadOnlySpan<double> y0, ReadOnlySpan<double> y1,
        ReadOnlySpan<double> y2, ReadOnlySpan<double> y3)
    {
        Vector<double> s0 = Vector<double>.Zero, s1 = s0, s2 = s0, s3 = s0;
        var n = Vector<double>.Count;
        var i = 0;
        for (; i <= x.Length - n; i += n)
        {
            var xv = new Vector<double>(x[i..]);
            s0 += xv * new Vector<double>(y0[i..]);
            s1 += xv * new Vector<double>(y1[i..]);
            s2 += xv * new Vector<double>(y2[i..]);
            s3 += xv * new Vector<double>(y3[i..]);
        }
        double t0 = Vector.Sum(s0), t1 = Vector.Sum(s1), t2 = Vector.Sum(s2), t3 = Vector.Sum(s3);
        for (; i < x.Length; i++)
        {
            t0 += x[i] * y0[i];
            t1 += x[i] * y1[i];
            t2 += x[i] * y2[i];
            t3 += x[i] * y3[i];
        }
        return (t0, t1, t2, t3);
    }
}
