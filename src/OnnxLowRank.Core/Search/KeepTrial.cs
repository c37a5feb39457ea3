namespace OnnxLowRank.Core.Search;

/// <summary>One step of a <see cref="KeepSearch"/>: a keep fraction, compressed and validated, and whether it passed.</summary>
/// <param name="Index">The step's position in the search, from 0 (always <see cref="KeepSearchOptions.High"/>).</param>
/// <param name="KeepFraction">The fraction asked for.</param>
/// <param name="Passed">Whether the validated result passed the gate; false when the budget was unreachable.</param>
/// <param name="Result">What the trial measured; default when the budget was unreachable.</param>
/// <param name="Unreachable">Why the budget could not be met (the fraction is below what every layer at its smallest keeps); else null.</param>
public sealed record KeepTrial<TResult>(int Index, double KeepFraction, bool Passed, TResult? Result, string? Unreachable = null);
