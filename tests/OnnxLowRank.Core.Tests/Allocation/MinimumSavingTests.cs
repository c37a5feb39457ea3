using OnnxLowRank.Core.Allocation;

namespace OnnxLowRank.Core.Tests.Allocation;

public class MinimumSavingTests
{
    [Test]
    public void LayerWhoseChoiceSavesUnderTenPercentStaysWhole()
    {
        // 8 x 9: rank j costs 17 j of 72. A flat spectrum of 4 values needs rank 4 for 95% energy: 68, a 5.6% saving.
        var layer = new AllocationLayer("flat", 72, 1, [new SliceOption(1, 1, 8, 9, [[1, 1, 1, 1]], 1)]);

        var strict = new ArsvdAllocator().Allocate([layer], AllocationBudget.None, AllocationSettings.Default);
        Assert.That(strict.Layers[0].IsWhole);
        Assert.That(strict.MinimumSaving, Is.EqualTo(new MinimumSavingReport(1, 4)));

        var lenient = new ArsvdAllocator().Allocate([layer], AllocationBudget.None, new AllocationSettings { MinimumSaving = 0.05 });
        Assert.That(lenient.Layers[0].Rank, Is.EqualTo(4));
        Assert.That(lenient.MinimumSaving, Is.EqualTo(new MinimumSavingReport(0, 0)));
    }

    [Test]
    public void AldsLeavesAOneChannelStemWholeInsteadOfSavingOneWeight()
    {
        // The stem is 32 x 9 (288 weights, 41 per rank): only rank 7 (287) is accurate, at error 0.001.
        var stem = new AllocationLayer("stem", 288, 1, [new SliceOption(1, 1, 32, 9, [[1, 1, 1, 1, 1, 1, 1, 0.001, 0.001]], 1)]);
        // The body is 64 x 64 (128 per rank) with singular values 0.8^i: rank j has error 0.8^j.
        var body = new AllocationLayer("body", 4096, 1, [new SliceOption(1, 1, 64, 64, [Enumerable.Range(0, 64).Select(i => Math.Pow(0.8, i)).ToArray()], 1)]);
        var budget = AllocationBudget.Keep((287 + 128 * 18) / 4384.0);

        var without = new AldsAllocator().Allocate([stem, body], budget, new AllocationSettings { MinimumSaving = 0 });
        Assert.That(without.Layers.Select(l => l.Rank), Is.EqualTo(new[] { 7, 18 }));

        var with = new AldsAllocator().Allocate([stem, body], budget, AllocationSettings.Default);
        Assert.That(with.Layers[0].IsWhole);
        Assert.That(with.Layers[1].Rank, Is.EqualTo(17));
        Assert.That(with.MaxErrorBound, Is.EqualTo(Math.Pow(0.8, 17)).Within(1e-15));
        Assert.That(with.MinimumSaving, Is.EqualTo(new MinimumSavingReport(1, 1)));
    }
}
