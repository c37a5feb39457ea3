using OnnxLowRank.Core.Allocation;

namespace OnnxLowRank.Core.Tests.Allocation;

public class GlobalEnergyTests
{
    // A: 4 x 96, 100 per rank, 384 whole; B: 4 x 46, 50 per rank, 184 whole; 568 in all.
    // Energy shares A: 0.6, 0.2, 0.15, 0.05; B: 0.7, 0.2, 0.06, 0.04. Both start whole. With a 10%
    // minimum saving the first step of each goes to rank 3 and discards everything past it:
    // A 0.05 for 84 saved (0.000595 per unit), B 0.04 for 34 (0.00118). Both are cheaper than any
    // single direction, so after them (300 + 150 = 450) the directions drop in this order:
    // B3 (0.06/50 = 0.0012), A3 (0.0015), A2 (0.002), B2 (0.004).
    private static readonly AllocationLayer[] Layers =
    [
        new("A", 384, 1, [new SliceOption(1, 1, 4, 96, [Spectrum(6, 2, 1.5, 0.5)], Math.Sqrt(6))]),
        new("B", 184, 1, [new SliceOption(1, 1, 4, 46, [Spectrum(7, 2, 0.6, 0.4)], Math.Sqrt(7))]),
    ];

    [TestCase(460, 3, 3)] // both first steps (450) fit; nothing left that fits to spend
    [TestCase(420, 3, 2)] // B3 dropped: 400
    [TestCase(320, 2, 2)] // then A3: 300
    [TestCase(220, 1, 2)] // then A2: 200
    [TestCase(160, 1, 1)] // then B2: 150, every layer at rank 1
    public void DropsDirectionsInOrderOfEnergyPerCost(int keep, int rankA, int rankB)
    {
        var result = new GlobalEnergyAllocator().Allocate(Layers, AllocationBudget.Keep(keep / 568.0), AllocationSettings.Default);
        Assert.That(result.Layers.Select(l => l.Rank), Is.EqualTo(new[] { rankA, rankB }));
    }

    // A small layer whose few directions all carry energy, like a 1-channel stem conv: S is 4 x 8,
    // 12 per rank, 32 whole (600 with A and B); 10% minimum saving allows rank 2 at most, and
    // energy shares 0.4, 0.3, 0.2, 0.1 make its first step discard 0.3 for 8 saved (0.0375 per unit),
    // dearer than every step of A and B. Starting S at rank 2 for free (as this allocator once did)
    // gave A3 B3 S2 at keep 480 (474), discarding 0.05 + 0.04 + 0.3 = 0.39; priced as a step, S waits
    // its turn and the same budget discards 0.05 + 0.04 + 0.06 = 0.15.
    [TestCase(480, 3, 2, 0)] // A and B first steps (482), then B3: 432; 48 left buys no upgrade
    [TestCase(190, 1, 1, 0)] // every step of A and B: 182, S still whole
    [TestCase(175, 1, 1, 2)] // then S's first step (0.0375): 174
    [TestCase(165, 1, 1, 1)] // then S's second direction (0.3/12 = 0.025): 162
    public void ASmallLayerIsFactorizedOnlyWhenItsFirstStepIsWorthIt(int keep, int rankA, int rankB, int rankS)
    {
        AllocationLayer[] layers = [.. Layers, new("S", 32, 1, [new SliceOption(1, 1, 4, 8, [Spectrum(0.4, 0.3, 0.2, 0.1)], Math.Sqrt(0.4))])];
        var result = new GlobalEnergyAllocator().Allocate(layers, AllocationBudget.Keep(keep / 600.0), AllocationSettings.Default);
        Assert.That(result.Layers.Select(l => l.Rank), Is.EqualTo(new[] { rankA, rankB, rankS }));
        Assert.That(result.KeptCost, Is.LessThanOrEqualTo(keep));
    }

    [Test]
    public void AFullBudgetRestoresBothLayersWhole()
    {
        var result = new GlobalEnergyAllocator().Allocate(Layers, AllocationBudget.Keep(1), AllocationSettings.Default);
        Assert.That(result.Layers.All(l => l.IsWhole));
    }

    [Test]
    public void BelowEveryLayerAtRankOneThrows()
    {
        var thrown = Assert.Throws<BudgetUnreachableException>(() =>
            new GlobalEnergyAllocator().Allocate(Layers, AllocationBudget.Keep(140 / 568.0), AllocationSettings.Default))!;
        Assert.That(thrown.LowestReachableFraction, Is.EqualTo(150 / 568.0).Within(1e-15));
    }

    [Test]
    public void TiesDropFromTheEarlierLayerFirst()
    {
        var twins = new[] { Layers[0] with { Name = "first" }, Layers[0] with { Name = "second" } };
        // Both first steps (to rank 3) give 600 of 768; 550 needs one drop more.
        var result = new GlobalEnergyAllocator().Allocate(twins, AllocationBudget.Keep(550 / 768.0), AllocationSettings.Default);
        Assert.That(result.Layers.Select(l => l.Rank), Is.EqualTo(new[] { 2, 3 }));
    }

    private static double[] Spectrum(params double[] energies) => energies.Select(Math.Sqrt).ToArray();
}
