namespace OnnxLowRank.Core.Allocation;

/// <summary>
/// A layer's measured damage extended to every rank between its measured ones (ALGORITHMS.md section 13), so that the
/// sensitivity allocator can fill a budget with any rank rather than only at the few measured sizes. Between two
/// measured ranks r0 &lt; r1 the damage moves with the energy the truncation drops, E(r) = sum over blocks of
/// sum_{i &gt;= r} sigma_i^2 (with calibration data, the whitened spectra: exactly the layer's output error on the
/// calibration inputs): d(r) = d(r0) + (d(r1) - d(r0)) (E(r0) - E(r)) / (E(r0) - E(r1)). A small output change costs
/// damage in proportion to the error energy to first order, so the curve is exact in that regime and follows the
/// layer's own spectrum between the points elsewhere; measured ranks keep their measured damage. Outside the
/// measured range there is no curve: nothing is extrapolated.
/// </summary>
public sealed class DamageCurve
{
    private readonly MeasuredDamage[] _points;

    // E(r) for r from the lowest measured rank to the highest, summed once: the allocator reads every rank in between.
    private readonly double[] _droppedEnergy;

    private DamageCurve(SliceOption option, MeasuredDamage[] points)
    {
        SliceCount = option.SliceCount;
        _points = points;
        _droppedEnergy = DroppedEnergies(option, points[0].Rank, points[^1].Rank);
    }

    /// <summary>The slice count the curve is for.</summary>
    public int SliceCount { get; }

    /// <summary>The lowest measured rank.</summary>
    public int LowestRank => _points[0].Rank;

    /// <summary>The highest measured rank.</summary>
    public int HighestRank => _points[^1].Rank;

    /// <summary>The curve through the measurements of <paramref name="option"/>'s slice count, or null when there are none.</summary>
    public static DamageCurve? Of(SliceOption option, IEnumerable<MeasuredDamage> measured)
    {
        ArgumentNullException.ThrowIfNull(option);
        ArgumentNullException.ThrowIfNull(measured);
        // One point per rank: a repeated rank (two fractions of a small layer rounding alike) was one measurement.
        var points = measured.Where(m => m.SliceCount == option.SliceCount)
            .GroupBy(m => m.Rank).Select(g => g.First())
            .OrderBy(m => m.Rank).ToArray();
        return points.Length == 0 ? null : new DamageCurve(option, points);
    }

    /// <summary>The damage at <paramref name="rank"/>, which lies between <see cref="LowestRank"/> and <see cref="HighestRank"/>.</summary>
    public double At(int rank)
    {
        if (rank < LowestRank || rank > HighestRank)
            throw new ArgumentOutOfRangeException(nameof(rank), rank, $"The damage was measured from rank {LowestRank} to {HighestRank}.");
        var above = Array.FindIndex(_points, p => p.Rank >= rank);
        if (_points[above].Rank == rank) return _points[above].Damage;
        var (low, high) = (_points[above - 1], _points[above]);
        var (energyLow, energyHigh) = (DroppedEnergy(low.Rank), DroppedEnergy(high.Rank));
        // Without energy between the points (a flat spectrum tail) the rank alone places it.
        var t = energyLow > energyHigh
            ? (energyLow - DroppedEnergy(rank)) / (energyLow - energyHigh)
            : (double)(rank - low.Rank) / (high.Rank - low.Rank);
        return low.Damage + t * (high.Damage - low.Damage);
    }

    private double DroppedEnergy(int rank) => _droppedEnergy[rank - LowestRank];

    /// <summary>
    /// E(r) for r = <paramref name="lowest"/> .. <paramref name="highest"/>: the squared singular values every block drops
    /// when truncated to rank r, from the highest rank's tail down, adding sigma_r^2 per step.
    /// </summary>
    private static double[] DroppedEnergies(SliceOption option, int lowest, int highest)
    {
        static double Square(double[] spectrum, int i) => i < spectrum.Length ? spectrum[i] * spectrum[i] : 0;
        var energies = new double[highest - lowest + 1];
        foreach (var spectrum in option.BlockSpectra)
            for (var i = highest; i < spectrum.Length; i++)
                energies[^1] += Square(spectrum, i);
        for (var rank = highest - 1; rank >= lowest; rank--)
            energies[rank - lowest] = energies[rank - lowest + 1] + option.BlockSpectra.Sum(spectrum => Square(spectrum, rank));
        return energies;
    }
}
