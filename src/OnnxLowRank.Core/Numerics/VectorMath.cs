namespace OnnxLowRank.Core.Numerics;

/// <summary>Argmax, cosine and log-sum-exp over runs of an output's values, as every comparison of outputs computes them.</summary>
internal static class VectorMath
{
    /// <summary>First index of the largest of values[start .. start + count), as numpy.argmax; NaN never wins.</summary>
    public static int ArgMax(double[] values, long start, int count)
    {
        var best = 0;
        for (var i = 1; i < count; i++)
        {
            if (values[start + i] > values[start + best]) best = i;
        }
        return best;
    }

    /// <summary>Cosine of a[startA ..] and b[startB ..] over <paramref name="width"/> values; 1 when both are zero, 0 when only one is.</summary>
    public static double Cosine(double[] a, double[] b, long startA, long startB, int width)
    {
        double dot = 0, normA = 0, normB = 0;
        for (var i = 0; i < width; i++)
        {
            var x = a[startA + i];
            var y = b[startB + i];
            dot += x * y;
            normA += x * x;
            normB += y * y;
        }
        return normA > 0 && normB > 0 ? dot / Math.Sqrt(normA * normB) : normA == 0 && normB == 0 ? 1.0 : 0.0;
    }

    /// <summary>log(sum exp(values[start ..])) over <paramref name="width"/> values, shifted by the maximum so large values do not overflow.</summary>
    public static double LogSumExp(double[] values, long start, int width)
    {
        var max = double.NegativeInfinity;
        for (var i = 0; i < width; i++) max = Math.Max(max, values[start + i]);
        var sum = 0.0;
        for (var i = 0; i < width; i++) sum += Math.Exp(values[start + i] - max);
        return max + Math.Log(sum);
    }
}
