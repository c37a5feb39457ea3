namespace OnnxLowRank.Core.Allocation;

/// <summary>What one layer gets: whole (rank 0), or k slices at rank j.</summary>
/// <param name="Name">The layer's name.</param>
/// <param name="SliceCount">k; 0 when whole.</param>
/// <param name="Rank">j per slice; 0 when whole.</param>
/// <param name="Size">Parameters kept for this layer.</param>
/// <param name="Cost">Size times the layer's cost per parameter.</param>
/// <param name="ErrorBound">The relative error bound of the choice (0 when whole).</param>
public sealed record LayerAllocation(string Name, int SliceCount, int Rank, long Size, double Cost, double ErrorBound)
{
    /// <summary>True when the layer is left as it is.</summary>
    public bool IsWhole => Rank == 0;
}
