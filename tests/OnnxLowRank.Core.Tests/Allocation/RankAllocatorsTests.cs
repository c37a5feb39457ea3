using OnnxLowRank.Core.Allocation;
using OnnxLowRank.Core.Tests.Support;

namespace OnnxLowRank.Core.Tests.Allocation;

public class RankAllocatorsTests
{
    [Test]
    public void RegistryNamesEveryAllocator() =>
        Assert.That(RankAllocators.Names, Is.EqualTo(new[] { "alds", "global-energy", "svd-energy", "arsvd", "uniform", "sensitivity" }));

    [TestCase(true, true, "sensitivity")]
    [TestCase(true, false, "global-energy")]
    [TestCase(false, false, "alds")]
    public void AutoDependsOnCalibrationDataAndMeasuredSensitivity(bool calibrated, bool measured, string expected) =>
        Assert.That(RankAllocators.Resolve("auto", calibrated, measured).Name, Is.EqualTo(expected));

    [Test]
    public void UnknownNameListsTheKnownOnes()
    {
        var thrown = Assert.Throws<ArgumentException>(() => RankAllocators.Resolve("svd", false))!;
        Assert.That(thrown.Message, Does.Contain("svd-energy"));
    }

    [TestCase("alds")]
    [TestCase("global-energy")]
    [TestCase("svd-energy")]
    [TestCase("uniform")]
    public void BudgetedAllocatorsRefuseNoBudget(string name)
    {
        var layer = new AllocationLayer("fc", 8000, 1, [new SliceOption(1, 1, 8, 1000, [[4, 2, 1, 1]], 4)]);
        Assert.Throws<ArgumentException>(() => RankAllocators.Find(name)!.Allocate([layer], AllocationBudget.None, AllocationSettings.Default));
    }

    [Test]
    public void SpectraThatDoNotMatchTheLayerAreRejected()
    {
        var wrongSize = new AllocationLayer("fc", 7999, 1, [new SliceOption(1, 1, 8, 1000, [[4, 2, 1, 1]], 4)]);
        Assert.Throws<ArgumentException>(() => new AldsAllocator().Allocate([wrongSize], AllocationBudget.Keep(0.5), AllocationSettings.Default));
        var wrongCount = new AllocationLayer("conv", 8000, 1, [new SliceOption(2, 1, 8, 500, [[4, 2, 1, 1]], 4)]);
        Assert.Throws<ArgumentException>(() => new AldsAllocator().Allocate([wrongCount], AllocationBudget.Keep(0.5), AllocationSettings.Default));
    }

    [TestCaseSource(nameof(Names))]
    public void SameInputGivesTheSameResult(string name)
    {
        static List<AllocationLayer> Build()
        {
            var random = new Random(99);
            return Enumerable.Range(0, 30).Select(l => RandomLayers.Synthetic(random, $"l{l}", 32, 48, 1 + l % 3)).ToList();
        }
        var allocator = RankAllocators.Find(name)!;
        var first = allocator.Allocate(Build(), AllocationBudget.Keep(0.4), AllocationSettings.Default);
        var second = allocator.Allocate(Build(), AllocationBudget.Keep(0.4), AllocationSettings.Default);
        Assert.That(second.Layers, Is.EqualTo(first.Layers));
        Assert.That(first.Layers.Select(l => l.Rank).Distinct().Count(), Is.GreaterThan(1), "layers of equal shape should still differ by spectrum");
    }

    private static IEnumerable<string> Names() => SpectrumAllocators.Names;
}
