using OnnxLowRank.Core.Allocation;

namespace OnnxLowRank.Core.Tests.Allocation;

/// <summary>The damage between measured sizes, against values worked out by hand from the spectrum.</summary>
public class DamageCurveTests
{
    // One block of singular values 4, 3, 2, 1: truncated to rank r it drops E(r) = 30 - 16, 14 - 9, 5 - 4, 1 for r = 1..4.
    private static readonly SliceOption Option = new(SliceCount: 1, Groups: 1, OutputsPerGroup: 5, SliceInputs: 4, BlockSpectra: [[4, 3, 2, 1]], NormOfWeight: 4);

    [Test]
    public void MeasuredRanksKeepTheirMeasuredDamage()
    {
        var curve = DamageCurve.Of(Option, [new MeasuredDamage(1, 1, 0.9), new MeasuredDamage(1, 3, 0.2)])!;
        Assert.That(curve.At(1), Is.EqualTo(0.9));
        Assert.That(curve.At(3), Is.EqualTo(0.2));
        Assert.That((curve.LowestRank, curve.HighestRank), Is.EqualTo((1, 3)));
    }

    [Test]
    public void BetweenMeasuredRanksTheDamageMovesWithTheDroppedEnergy()
    {
        // E(1) = 14, E(2) = 5, E(3) = 1: rank 2 is (14 - 5) / (14 - 1) = 9/13 of the way from rank 1's damage to rank 3's.
        var curve = DamageCurve.Of(Option, [new MeasuredDamage(1, 3, 0.2), new MeasuredDamage(1, 1, 0.9)])!;
        Assert.That(curve.At(2), Is.EqualTo(0.9 + 9.0 / 13 * (0.2 - 0.9)).Within(1e-15));
    }

    [Test]
    public void AFlatStretchOfTheSpectrumIsCrossedByRank()
    {
        // Nothing dropped from rank 2 on (the block has rank 2): no energy to go by, so rank 3 lies halfway between 2 and 4.
        var flat = Option with { BlockSpectra = [[4, 3, 0, 0]] };
        var curve = DamageCurve.Of(flat, [new MeasuredDamage(1, 2, 0.4), new MeasuredDamage(1, 4, 0.1)])!;
        Assert.That(curve.At(3), Is.EqualTo(0.25).Within(1e-15));
    }

    [Test]
    public void NothingIsExtrapolatedAndOtherSliceCountsAreNotMixedIn()
    {
        var curve = DamageCurve.Of(Option, [new MeasuredDamage(1, 2, 0.4), new MeasuredDamage(1, 3, 0.2), new MeasuredDamage(2, 1, 0.7)])!;
        Assert.Throws<ArgumentOutOfRangeException>(() => curve.At(1));
        Assert.Throws<ArgumentOutOfRangeException>(() => curve.At(4));
        Assert.That(DamageCurve.Of(Option, [new MeasuredDamage(2, 1, 0.7)]), Is.Null);
    }
}
