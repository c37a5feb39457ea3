namespace OnnxLowRank.Core.Analysis;

/// <summary>The measured damage of one layer factorized alone to about <paramref name="Fraction"/> of its parameters: k slices at rank j, <paramref name="Parameters"/> exactly.</summary>
public sealed record SizedDamage(double Fraction, int SliceCount, int Rank, long Parameters, double Damage);
