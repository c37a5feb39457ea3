namespace OnnxLowRank.Core.Allocation;

/// <summary>
/// A layer's choices that are worth having: ordered by cost, each strictly better in score than every
/// cheaper one. Any other choice costs at least as much as one of these for no better score.
/// </summary>
internal static class ParetoLadder
{
    public static RankChoice[] From(IEnumerable<RankChoice> choices)
    {
        var ordered = choices
            .OrderBy(c => c.Cost)
            .ThenBy(c => c.Score)
            .ThenBy(c => c.SliceCount)
            .ThenBy(c => c.Rank);
        var ladder = new List<RankChoice>();
        foreach (var choice in ordered)
            if (ladder.Count == 0 || choice.Score < ladder[^1].Score) ladder.Add(choice);
        return ladder.ToArray();
    }

    /// <summary>The cheapest step whose score is at most <paramref name="threshold"/> (scores fall along the ladder).</summary>
    public static RankChoice CheapestWithin(RankChoice[] ladder, double threshold)
    {
        // The last step is the fallback, so only the ones before it are searched.
        return ladder[ThresholdSearch.FirstFitting(ladder.Length - 1, i => ladder[i].Score <= threshold)];
    }
}
