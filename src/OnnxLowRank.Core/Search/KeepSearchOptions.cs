namespace OnnxLowRank.Core.Search;

/// <summary>
/// Where <see cref="KeepSearch"/> looks for the smallest keep fraction that passes, and how closely.
/// The defaults find a fraction within 0.0125 of the threshold in 8 validated steps (0.95, then 7 halvings of [0.05, 0.95]),
/// so the result lies within 0.05 of the best point of a 0.025 grid even when the two land on opposite sides of a grid step.
/// </summary>
public sealed record KeepSearchOptions
{
    /// <summary>The smallest fraction the search considers; it is never validated itself, only approached.</summary>
    public double Low { get; init; } = 0.05;

    /// <summary>The largest fraction, validated first: when it fails, nothing below is tried.</summary>
    public double High { get; init; } = 0.95;

    /// <summary>The search stops when the passing and failing fractions are this close.</summary>
    public double Tolerance { get; init; } = 0.0125;

    /// <summary>Refuses bounds outside (0, 1], a low above the high, and a tolerance that is not positive.</summary>
    public void Validate()
    {
        if (!(High > 0 && High <= 1)) throw new ArgumentException($"The search's high fraction must lie in (0, 1], got {High}.");
        if (!(Low > 0 && Low < High)) throw new ArgumentException($"The search's low fraction must lie in (0, {High}), got {Low}.");
        if (!(Tolerance > 0 && double.IsFinite(Tolerance))) throw new ArgumentException($"The search's tolerance must be a positive number, got {Tolerance}.");
    }
}
