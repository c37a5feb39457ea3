namespace OnnxLowRank.Core.Sensitivity;

/// <summary>
/// One size at which a layer's sensitivity is measured: the (k, j) closest to <paramref name="Fraction"/> of the layer's
/// parameters, <paramref name="Parameters"/> its exact size.
/// </summary>
public sealed record CandidateSize(double Fraction, int SliceCount, int Rank, long Parameters);
