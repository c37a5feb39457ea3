namespace OnnxLowRank.Core.Validation;

/// <summary>
/// How well compressed embeddings keep a semantic search: for each text, its k nearest other texts by cosine under
/// the original's vectors and under the compressed model's, and the share the two lists have in common.
/// </summary>
internal static class NearestNeighbours
{
    /// <summary>Mean over texts of |original top-k ∩ compressed top-k| / k; null with k or fewer texts.</summary>
    public static double? Overlap(IReadOnlyList<double[]> original, IReadOnlyList<double[]> compressed, int k)
    {
        var count = original.Count;
        if (count <= k) return null;
        var a = original.Select(Normalized).ToArray();
        var b = compressed.Select(Normalized).ToArray();
        var total = 0.0;
        for (var i = 0; i < count; i++)
        {
            var mine = Nearest(a, i, k);
            var theirs = Nearest(b, i, k);
            total += mine.Intersect(theirs).Count() / (double)k;
        }
        return total / count;
    }

    /// <summary>The k texts closest to text <paramref name="of"/> (itself excluded), ties to the lower index.</summary>
    private static HashSet<int> Nearest(double[][] vectors, int of, int k)
    {
        var similarities = new double[vectors.Length];
        for (var j = 0; j < vectors.Length; j++)
        {
            var dot = 0.0;
            for (var d = 0; d < vectors[of].Length; d++) dot += vectors[of][d] * vectors[j][d];
            similarities[j] = j == of ? double.NegativeInfinity : dot;
        }
        return Enumerable.Range(0, vectors.Length).OrderByDescending(j => similarities[j]).ThenBy(j => j).Take(k).ToHashSet();
    }

    private static double[] Normalized(double[] vector)
    {
        var norm = Math.Sqrt(vector.Sum(v => v * v));
        return norm > 0 ? vector.Select(v => v / norm).ToArray() : vector;
    }
}
