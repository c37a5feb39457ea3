namespace OnnxLowRank.Core.Allocation;

/// <summary>
/// What factorizing one layer alone to k slices at rank j did to the network's final outputs, measured in the engine
/// on calibration samples (lower is better; 0 is no change). The sensitivity allocator chooses among these.
/// </summary>
/// <param name="SliceCount">k.</param>
/// <param name="Rank">j per slice.</param>
/// <param name="Damage">The change of the final outputs (a divergence or loss; the measurement says which), at least 0.</param>
public sealed record MeasuredDamage(int SliceCount, int Rank, double Damage);
