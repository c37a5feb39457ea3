namespace OnnxLowRank.Core.Allocation;

/// <summary>
/// What the minimum-saving rule cost: the layers it alone kept from being factorized (each had a
/// factorization smaller than the layer, all saving less than the minimum), and the most those
/// layers could have saved, in cost units (an upper bound; the budget was met elsewhere instead).
/// </summary>
public sealed record MinimumSavingReport(int LayersKeptWhole, double ForgoneCost);
