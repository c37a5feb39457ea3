namespace OnnxLowRank.Core.Tests.Support;

/// <summary>numpy-style closeness: |actual - expected| &lt;= atol + rtol * |expected| element by element.</summary>
internal static class Closeness
{
    /// <summary>A description of the worst element outside the tolerance, or null when all are close.</summary>
    public static string? Mismatch(double[] actual, double[] expected, double rtol, double atol)
    {
        if (actual.Length != expected.Length) return $"{actual.Length} values where {expected.Length} were expected";
        var worst = -1;
        var worstExcess = 0.0;
        for (var i = 0; i < actual.Length; i++)
        {
            var excess = Math.Abs(actual[i] - expected[i]) - (atol + rtol * Math.Abs(expected[i]));
            if (double.IsNaN(actual[i]) || excess > worstExcess) { worst = i; worstExcess = double.IsNaN(actual[i]) ? double.PositiveInfinity : excess; }
        }
        return worst < 0 ? null : $"element {worst}: {actual[worst]} vs expected {expected[worst]}";
    }

    public static double Norm(IEnumerable<double> values) => Math.Sqrt(values.Sum(v => v * v));
}
