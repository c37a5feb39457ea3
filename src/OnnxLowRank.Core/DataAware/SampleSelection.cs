
namespace OnnxLowRank.Core.DataAware;

/// <summary>Which input vectors of a batch enter the statistics: all of them, or a seeded sample without replacement.</summary>
internal static class SampleSelection
{
    /// <summary>Ascending indices in [0, total): all when total &lt;= cap, else cap distinct ones drawn uniformly.</summary>
    public static long[] Choose(long total, int cap, Random random)
    {
        if (total <= cap)
        {
            var all = new long[total];
            for (var i = 0; i < all.Length; i++) all[i] = i;
            return all;
        }
        // Floyd's algorithm: cap draws, each adding exactly one new index, uniformly over subsets.
        var chosen = new HashSet<long>(cap);
        for (var j = total - cap; j < total; j++)
        {
            var t = random.NextInt64(j + 1);
            chosen.Add(chosen.Contains(t) ? j : t);
        }
        var indices = chosen.ToArray();
        Array.Sort(indices);
        return indices;
    }

    /// <summary>A generator for one layer and batch, fixed by the run's seed (never by a per-process hash).</summary>
    public static Random For(int seed, int layerIndex, int batchIndex) =>
        new(unchecked(seed * 1_000_003 + layerIndex * 7_919 + batchIndex * 104_729));
}
