namespace OnnxLowRank.Core.Planning;

/// <summary>How one layer is factorized: <paramref name="SliceCount"/> channel slices k, each of rank <paramref name="Rank"/> j.</summary>
public sealed record LayerPlan(string NodeName, int SliceCount, int Rank);
