namespace OnnxLowRank.Core.Numerics;

/// <summary>A dense double-precision matrix stored row by row: element (r, c) is Values[r * Columns + c].</summary>
public sealed class RowMajorMatrix
{
    public RowMajorMatrix(int rows, int columns, double[]? values = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(rows);
        ArgumentOutOfRangeException.ThrowIfNegative(columns);
        values ??= new double[checked(rows * columns)];
        if (values.Length != (long)rows * columns)
            throw new ArgumentException($"A {rows} x {columns} matrix needs {(long)rows * columns} values, got {values.Length}.", nameof(values));
        Rows = rows;
        Columns = columns;
        Values = values;
    }

    public int Rows { get; }

    public int Columns { get; }

    public double[] Values { get; }

    public double this[int row, int column]
    {
        get => Values[row * Columns + column];
        set => Values[row * Columns + column] = value;
    }

    public RowMajorMatrix Transpose()
    {
        var t = new RowMajorMatrix(Columns, Rows);
        for (var r = 0; r < Rows; r++)
            for (var c = 0; c < Columns; c++)
                t.Values[c * Rows + r] = Values[r * Columns + c];
        return t;
    }
}
