using OnnxLowRank.Core.Allocation;

namespace OnnxLowRank.Core.Tests.Allocation;

/// <summary>
/// How measured times enter allocation, on hand-made profiles (the engine's timings are tested in
/// <see cref="Latency.LayerTimingTests"/>): a pair not faster than its layer is never chosen, and a
/// latency budget is a budget on the summed times.
/// </summary>
public class LatencyAllocationTests
{
    // A: 4 x 96 (384 weights, 100 per rank, ranks 1..3 allowed by the 10% minimum saving), as in GlobalEnergyTests.
    private static AllocationLayer Layer(string name, LatencyProfile profile, bool costIsLatency = false) =>
        new(name, 384, 1, [new SliceOption(1, 1, 4, 96, [[Math.Sqrt(0.6), Math.Sqrt(0.2), Math.Sqrt(0.15), Math.Sqrt(0.05)]], Math.Sqrt(0.6))])
        {
            Latency = profile,
            CostIsLatency = costIsLatency,
        };

    private static LatencyProfile Profile(double whole, params (int Rank, double Milliseconds)[] points) =>
        new(whole, new Dictionary<int, IReadOnlyList<(int, double)>> { [1] = points });

    private static IEnumerable<IRankAllocator> Allocators() => [new AldsAllocator(), new GlobalEnergyAllocator()];

    [TestCaseSource(nameof(Allocators))]
    public void APairSlowerThanItsLayerIsNeverChosen(IRankAllocator allocator)
    {
        // "slow" is faster than whole only at rank 1 (1.0 < 1.2; rank 2 interpolates to 1.5); "fast" at every rank.
        var layers = new[] { Layer("slow", Profile(1.2, (1, 1.0), (3, 2.0))), Layer("fast", Profile(2.0, (1, 0.5), (3, 1.0))) };
        foreach (var keep in new[] { 0.9, 0.7, 0.5, 0.3 })
        {
            var result = allocator.Allocate(layers, AllocationBudget.Keep(keep), AllocationSettings.Default);
            Assert.That(result.Layers[0].Rank, Is.AnyOf(0, 1), $"keep {keep}: only rank 1 of 'slow' is faster than its layer");
            Assert.That(result.KeptCost, Is.LessThanOrEqualTo(keep * 768));
        }
    }

    [TestCaseSource(nameof(Allocators))]
    public void ALayerWithNoFasterPairStaysWholeAndTheBudgetSaysWhenItCannotBeMet(IRankAllocator allocator)
    {
        var layers = new[] { Layer("never", Profile(1.0, (1, 1.1), (3, 1.5))), Layer("fast", Profile(2.0, (1, 0.5), (3, 1.0))) };
        var result = allocator.Allocate(layers, AllocationBudget.Keep(0.7), AllocationSettings.Default);
        Assert.That(result.Layers[0].IsWhole);
        Assert.That(result.Layers[1].IsWhole, Is.False);
        // By parameters the cheapest reachable is 384 (whole) + 100 (rank 1) of 768.
        var thrown = Assert.Throws<BudgetUnreachableException>(() => allocator.Allocate(layers, AllocationBudget.Keep(0.6), AllocationSettings.Default))!;
        Assert.That(thrown.LowestReachableFraction, Is.EqualTo(484 / 768.0).Within(1e-12));
    }

    [TestCaseSource(nameof(Allocators))]
    public void ALatencyBudgetIsABudgetOnSummedTime(IRankAllocator allocator)
    {
        // Whole: 1.2 + 2.0 = 3.2 ms. Pairs: a 1.0 at rank 1; b 0.5, 0.75, 1.0 at ranks 1, 2, 3.
        var layers = new[] { Layer("a", Profile(1.2, (1, 1.0), (3, 2.0)), true), Layer("b", Profile(2.0, (1, 0.5), (3, 1.0)), true) };
        foreach (var keep in new[] { 0.9, 0.7, 0.6, 0.5 })
        {
            var result = allocator.Allocate(layers, AllocationBudget.Keep(keep), AllocationSettings.Default);
            var a = result.Layers[0].IsWhole ? 1.2 : 1.0;
            var b = result.Layers[1].IsWhole ? 2.0 : 0.5 + 0.25 * (result.Layers[1].Rank - 1);
            Assert.That(result.TotalCost, Is.EqualTo(3.2).Within(1e-12));
            Assert.That(result.KeptCost, Is.EqualTo(a + b).Within(1e-12), $"keep {keep}: kept cost is the summed time");
            Assert.That(a + b, Is.LessThanOrEqualTo(keep * 3.2 + 1e-12), $"keep {keep}");
        }
        // a at 1.0 and b at 0.5 is the fastest there is: 1.5 of 3.2.
        var thrown = Assert.Throws<BudgetUnreachableException>(() => allocator.Allocate(layers, AllocationBudget.Keep(0.4), AllocationSettings.Default))!;
        Assert.That(thrown.LowestReachableFraction, Is.EqualTo(1.5 / 3.2).Within(1e-12));
    }

    [Test]
    public void ProfilesInterpolateAndNeverFallWithRank()
    {
        var profile = Profile(5, (1, 1.0), (5, 3.0), (9, 2.0));
        Assert.That(profile.PairMilliseconds(1, 3), Is.EqualTo(2.0).Within(1e-12));
        // The reading at rank 9 is below rank 5's: it is raised to 3.0, and so is everything above 5.
        Assert.That(profile.PairMilliseconds(1, 7), Is.EqualTo(3.0).Within(1e-12));
        Assert.That(profile.PairMilliseconds(1, 11), Is.EqualTo(3.0).Within(1e-12));
        Assert.That(profile.PairMilliseconds(2, 1), Is.EqualTo(double.PositiveInfinity), "k = 2 was not timed");
        var refined = profile.With(1, 3, 4.5);
        Assert.That(refined.PairMilliseconds(1, 3), Is.EqualTo(4.5));
        Assert.That(refined.PairMilliseconds(1, 5), Is.EqualTo(4.5), "a slow reading raises the ranks above it");
        Assert.That(refined.IsFaster(1, 2), Is.True);
        Assert.That(refined.IsFaster(1, 3), Is.True);
        Assert.That(refined.With(1, 2, 5.0).IsFaster(1, 2), Is.False);
    }
}
