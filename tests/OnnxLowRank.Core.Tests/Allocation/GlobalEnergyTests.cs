using OnnxLowRank.Core.Allocation;

namespace OnnxLowRank.Core.Tests.Allocation;

public class GlobalEnergyTests
{
    // A: 4 x 96, 100 per rank, 384 whole; B: 4 x 46, 50 per rank, 184 whole; 568 in all.
    // With a 10% minimum saving both start at rank 3 (300 + 150 = 450).
    // Energy shares A: 0.6, 0.2, 0.15, 0.05; B: 0.7, 0.2, 0.06, 0.04. Per unit of cost saved, the
    // directions drop in this order: B3 (0.06/50 = 0.0012), A3 (0.0015), A2 (0.002), B2 (0.004).
    private static readonly AllocationLayer[] Layers =
    [
        new("A", 384, 1, [new SliceOption(1, 1, 4, 96, [Spectrum(6, 2, 1.5, 0.5)], Math.Sqrt(6))]),
        new("B", 184, 1, [new SliceOption(1, 1, 4, 46, [Spectrum(7, 2, 0.6, 0.4)], Math.Sqrt(7))]),
    ];

    [TestCase(460, 3, 3)] // the start already fits; nothing left that fits to spend
    [TestCase(420, 3, 2)] // B3 dropped: 400
    [TestCase(320, 2, 2)] // then A3: 300
    [TestCase(220, 1, 2)] // then A2: 200
    [TestCase(160, 1, 1)] // then B2: 150, every layer at rank 1
    public void DropsDirectionsInOrderOfEnergyPerCost(int keep, int rankA, int rankB)
    {
        var result = new GlobalEnergyAllocator().Allocate(Layers, AllocationBudget.Keep(keep / 568.0), AllocationSettings.Default);
        Assert.That(result.Layers.Select(l => l.Rank), Is.EqualTo(new[] { rankA, rankB }));
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
        // Both at rank 3 is 600 of 768; 550 needs one drop.
        var result = new GlobalEnergyAllocator().Allocate(twins, AllocationBudget.Keep(550 / 768.0), AllocationSettings.Default);
        Assert.That(result.Layers.Select(l => l.Rank), Is.EqualTo(new[] { 2, 3 }));
    }

    private static double[] Spectrum(params double[] energies) => energies.Select(Math.Sqrt).ToArray();
}
