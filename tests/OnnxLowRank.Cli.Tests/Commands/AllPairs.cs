namespace OnnxLowRank.Cli.Tests.Commands;

/// <summary>
/// A covering set of test cases in which every pair of values of every two parameters occurs at least once
/// (pairwise testing): far fewer cases than the full product, yet every interaction of two options is run.
/// Built greedily, each case the candidate that covers the most pairs not yet covered; seeded, so the set is
/// the same on every run.
/// </summary>
internal static class AllPairs
{
    /// <summary>One value index per parameter, for each case.</summary>
    public static IReadOnlyList<int[]> Cases(IReadOnlyList<int> valueCounts, int seed = 17, int candidatesPerCase = 50)
    {
        var n = valueCounts.Count;
        var uncovered = new HashSet<(int, int, int, int)>();
        for (var p = 0; p < n; p++)
            for (var q = p + 1; q < n; q++)
                for (var a = 0; a < valueCounts[p]; a++)
                    for (var b = 0; b < valueCounts[q]; b++) uncovered.Add((p, a, q, b));

        var random = new Random(seed);
        var cases = new List<int[]>();
        while (uncovered.Count > 0)
        {
            // Seed each candidate with an uncovered pair, so every case covers at least one.
            var (p0, a0, q0, b0) = uncovered.ElementAt(random.Next(uncovered.Count));
            int[]? best = null;
            var bestGain = -1;
            for (var c = 0; c < candidatesPerCase; c++)
            {
                var candidate = valueCounts.Select(count => random.Next(count)).ToArray();
                candidate[p0] = a0;
                candidate[q0] = b0;
                var gain = Covered(candidate).Count(uncovered.Contains);
                if (gain > bestGain) (best, bestGain) = (candidate, gain);
            }
            uncovered.ExceptWith(Covered(best!));
            cases.Add(best!);
        }
        return cases;
    }

    /// <summary>Every pair of (parameter, value) a case holds.</summary>
    public static IEnumerable<(int, int, int, int)> Covered(int[] values)
    {
        for (var p = 0; p < values.Length; p++)
            for (var q = p + 1; q < values.Length; q++) yield return (p, values[p], q, values[q]);
    }
}
