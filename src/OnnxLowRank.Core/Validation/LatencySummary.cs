namespace OnnxLowRank.Core.Validation;

/// <summary>Wall time of timed runs (warm-up runs excluded), in milliseconds.</summary>
/// <remarks>P10 to P90 is the spread reported beside the median.</remarks>
public sealed record LatencySummary(int Runs, double MedianMs, double P10Ms, double P90Ms, double MeanMs)
{
    /// <summary>
    /// Summarises run times. Percentiles interpolate linearly between the two nearest ranks
    /// (numpy's default), so the median of an even count is the mean of the middle pair.
    /// </summary>
    public static LatencySummary From(IReadOnlyCollection<double> milliseconds)
    {
        if (milliseconds.Count == 0) return new LatencySummary(0, double.NaN, double.NaN, double.NaN, double.NaN);
        var sorted = milliseconds.Order().ToArray();
        return new LatencySummary(sorted.Length, Percentile(sorted, 0.5), Percentile(sorted, 0.1), Percentile(sorted, 0.9), sorted.Average());
    }

    /// <summary>The median, interpolated as the percentiles above.</summary>
    public static double MedianOf(IEnumerable<double> values) => Percentile(values.Order().ToArray(), 0.5);

    private static double Percentile(double[] sorted, double q)
    {
        var position = q * (sorted.Length - 1);
        var below = (int)Math.Floor(position);
        var above = Math.Min(below + 1, sorted.Length - 1);
        return sorted[below] + ((position - below) * (sorted[above] - sorted[below]));
    }
}
