namespace OnnxLowRank.Core.Allocation;

/// <summary>
/// One possible outcome for a layer: whole (rank 0) or k slices at rank j, with its cost and a score
/// where lower is better (an error bound, or the energy it discards).
/// </summary>
internal readonly record struct RankChoice(int SliceCount, int Rank, double Cost, double Score)
{
    public static RankChoice Whole(AllocationLayer layer) => new(0, 0, layer.FullCost, 0);

    public bool IsWhole => Rank == 0;
}
