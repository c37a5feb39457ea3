using OnnxLowRank.Core.Allocation;

namespace OnnxLowRank.Core.Tests.Allocation;

public class ArsvdTests
{
    // 8 x 1000 with singular values 4, 2, 1, 1: rank j costs 1008 j of 8000, so ranks up to 7 save 10%.
    private static readonly AllocationLayer Layer = new("fc", 8000, 1, [new SliceOption(1, 1, 8, 1000, [[4, 2, 1, 1]], 4)]);

    // Energy 16, 4, 1, 1 of 22: ranks keep 0.727, 0.909, 0.955, 1.
    [TestCase(0.70, 1)]
    [TestCase(0.90, 2)]
    [TestCase(0.95, 3)]
    [TestCase(0.96, 4)]
    public void EnergyRuleTakesTheSmallestRankKeepingTau(double tau, int expected) =>
        Assert.That(RankFor(tau, ArsvdRule.Energy), Is.EqualTo(expected));

    // p = 1/2, 1/4, 1/8, 1/8; -p ln p = ln2/2, ln2/2, 3ln2/8, 3ln2/8; H = 7/4 ln2.
    // Ranks keep 2/7 = 0.286, 4/7 = 0.571, 11/14 = 0.786, 1 of H.
    [TestCase(0.28, 1)]
    [TestCase(0.29, 2)]
    [TestCase(0.57, 2)]
    [TestCase(0.58, 3)]
    [TestCase(0.78, 3)]
    [TestCase(0.79, 4)]
    [TestCase(0.95, 4)]
    public void EntropyRuleTakesTheSmallestRankReachingTauOfTheEntropy(double tau, int expected) =>
        Assert.That(RankFor(tau, ArsvdRule.Entropy), Is.EqualTo(expected));

    [Test]
    public void ExactShareCountsAsReached()
    {
        // Energy 16, 4, 4, 1 of 25: rank 2 keeps 0.8 exactly, which rounding must not push to rank 3.
        var layer = new AllocationLayer("fc", 8000, 1, [new SliceOption(1, 1, 8, 1000, [[4, 2, 2, 1]], 4)]);
        var settings = new AllocationSettings { ArsvdTau = 20.0 / 25 };
        var result = new ArsvdAllocator().Allocate([layer], AllocationBudget.None, settings);
        Assert.That(result.Layers[0].Rank, Is.EqualTo(2));
        Assert.That(result.TargetCost, Is.Null);
    }

    private static int RankFor(double tau, ArsvdRule rule)
    {
        var settings = new AllocationSettings { ArsvdTau = tau, ArsvdRule = rule };
        return new ArsvdAllocator().Allocate([Layer], AllocationBudget.None, settings).Layers[0].Rank;
    }
}
