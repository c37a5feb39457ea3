namespace OnnxLowRank.Core.Tests.Support;

/// <summary>Reproducible standard-normal test values.</summary>
internal static class RandomValues
{
    public static double[] Normal(int seed, long count)
    {
        var random = new Random(seed);
        var values = new double[count];
        for (var i = 0; i < count; i++)
            values[i] = Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
        return values;
    }

    public static long Count(long[] dims) => dims.Aggregate(1L, (a, d) => a * d);
}
