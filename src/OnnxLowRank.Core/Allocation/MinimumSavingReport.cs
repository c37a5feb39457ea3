namespace OnnxLowRank.Core.Allocation;

/// <summary>
/// What the minimum-saving rule cost: the layers left whole that had a smaller factorization the rule
/// refused although its error bound was no worse than the worst the allocation accepted elsewhere,
/// and the most those refused factorizations would have saved, in cost units (the budget was met
/// elsewhere instead).
/// </summary>
public sealed record MinimumSavingReport(int LayersKeptWhole, double ForgoneCost);
