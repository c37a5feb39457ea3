using OnnxLowRank.Core.Allocation;

namespace OnnxLowRank.Core.Tests.Allocation;

/// <summary>The sensitivity allocator's summed damage against exhaustive search over every per-layer combination.</summary>
public class SensitivityAllocatorTests
{
    /// <summary>Parameter budgets on small layers: integer costs within the budget units, where the optimum is exact.</summary>
    [Test]
    public void SummedDamageEqualsBruteForceOptimumOn200RandomProblems()
    {
        var random = new Random(1801);
        var solved = 0;
        for (var p = 0; p < 200; p++)
        {
            var (layers, settings) = RandomProblem(random, p, integerCosts: true);
            var target = (0.3 + 0.7 * random.NextDouble()) * AllocationReference.TotalCost(layers);
            var best = BruteForce(layers, settings, target);
            var budget = AllocationBudget.Keep(target / AllocationReference.TotalCost(layers));
            if (best is null)
            {
                Assert.Throws<BudgetUnreachableException>(() => new SensitivityAllocator().Allocate(layers, budget, settings), $"problem {p}");
                continue;
            }
            var result = new SensitivityAllocator().Allocate(layers, budget, settings);
            var kept = AllocationReference.CheckedKeptCost(layers, result, settings);
            Assert.That(kept, Is.LessThanOrEqualTo(target * (1 + 1e-12)), $"problem {p}: over budget");
            Assert.That(SummedDamage(layers, result), Is.EqualTo(best.Value).Within(1e-12), $"problem {p}: not the least summed damage");
            solved++;
        }
        Assert.That(solved, Is.GreaterThan(150), "too few problems had a reachable budget to test anything");
    }

    /// <summary>
    /// FLOP-like costs (fractional per parameter) cut into few units: the result always fits the budget, is never
    /// better than the true optimum, and is at least as good as the optimum of a budget smaller by one unit per layer
    /// (the most that rounding each layer's cost up can take).
    /// </summary>
    [Test]
    public void RoundedBudgetsStayWithinOneUnitPerLayerOfTheOptimum()
    {
        var random = new Random(1802);
        const int Units = 64;
        var checkedProblems = 0;
        for (var p = 0; p < 200; p++)
        {
            var (layers, settings) = RandomProblem(random, p, integerCosts: false);
            var total = AllocationReference.TotalCost(layers);
            var target = (0.4 + 0.6 * random.NextDouble()) * total;
            var slack = layers.Count * total / Units;
            if (BruteForce(layers, settings, target - slack) is not { } lowerBudgetOptimum) continue;
            var result = new SensitivityAllocator(Units).Allocate(layers, AllocationBudget.Keep(target / total), settings);
            var kept = AllocationReference.CheckedKeptCost(layers, result, settings);
            Assert.That(kept, Is.LessThanOrEqualTo(target * (1 + 1e-12)), $"problem {p}: over budget");
            var damage = SummedDamage(layers, result);
            Assert.That(damage, Is.GreaterThanOrEqualTo(BruteForce(layers, settings, target)!.Value - 1e-12), $"problem {p}: better than the optimum");
            Assert.That(damage, Is.LessThanOrEqualTo(lowerBudgetOptimum + 1e-12), $"problem {p}: worse than rounding explains");
            checkedProblems++;
        }
        Assert.That(checkedProblems, Is.GreaterThan(100));
    }

    /// <summary>A layer without measurements may only stay whole; a measured size the settings refuse is never taken.</summary>
    [Test]
    public void UnmeasuredLayersStayWholeAndRefusedSizesAreNeverTaken()
    {
        var random = new Random(1803);
        var measured = RandomLayers.Synthetic(random, "measured", 16, 16, 1) with
        {
            Damage = [new MeasuredDamage(1, 2, 0.5), new MeasuredDamage(1, 4, 0.1), new MeasuredDamage(1, 8, 0.01)],
        };
        var unmeasured = RandomLayers.Synthetic(random, "unmeasured", 16, 16, 1);
        // Rank 8 of a 16 x 16 layer is 256 parameters, its full size: no saving, so never allowed. The budget leaves the
        // measured layer 486 - 256 = 230 parameters: rank 7 (224), between the measured 4 and 8, is the least damage that fits.
        var result = new SensitivityAllocator().Allocate([measured, unmeasured], AllocationBudget.Keep(0.95), AllocationSettings.Default);
        Assert.That(result.Layers[1].IsWhole);
        Assert.That(result.Layers[0].Rank, Is.EqualTo(7), "the highest rank that fits, interpolated between measured 4 and 8; rank 8 saves nothing");
        Assert.Throws<BudgetUnreachableException>(() => new SensitivityAllocator().Allocate([measured, unmeasured], AllocationBudget.Keep(0.3), AllocationSettings.Default));
    }

    [Test]
    public void NegativeOrNaNDamageIsRefused()
    {
        var layer = RandomLayers.Synthetic(new Random(1804), "l", 8, 8, 1) with { Damage = [new MeasuredDamage(1, 2, double.NaN)] };
        Assert.Throws<ArgumentException>(() => new SensitivityAllocator().Allocate([layer], AllocationBudget.Keep(0.8), AllocationSettings.Default));
    }

    private static (List<AllocationLayer> Layers, AllocationSettings Settings) RandomProblem(Random random, int index, bool integerCosts)
    {
        var layers = new List<AllocationLayer>();
        var count = random.Next(2, 6);
        for (var l = 0; l < count; l++)
        {
            var layer = RandomLayers.FromWeights(random, $"p{index}.l{l}", groups: 1, outputsPerGroup: random.Next(4, 10),
                inputsPerGroup: new[] { 2, 4, 6 }[random.Next(3)], kernel: new[] { 1, 3 }[random.Next(2)],
                costPerParameter: integerCosts ? new[] { 1.0, 2.0 }[random.Next(2)] : 0.5 + 3 * random.NextDouble(), maxK: 2);
            // A few measured sizes per layer, damage falling with rank as measurements do, with noise.
            var damage = new List<MeasuredDamage>();
            foreach (var option in layer.Options)
                for (var rank = 1; rank <= option.MaxRank; rank++)
                    if (random.NextDouble() < 0.5)
                        damage.Add(new MeasuredDamage(option.SliceCount, rank, Math.Pow(0.5, rank) * (0.5 + random.NextDouble())));
            layers.Add(layer with { Damage = damage });
        }
        var settings = new AllocationSettings { MinimumSaving = new[] { 0.0, 0.1 }[random.Next(2)], MaxSliceCount = 2 };
        return (layers, settings);
    }

    /// <summary>
    /// Every combination of whole or an allowed rank within each layer's measured range (scored by its damage curve, tested on
    /// its own in <see cref="DamageCurveTests"/>); the least summed damage within the target, or null.
    /// </summary>
    private static double? BruteForce(IReadOnlyList<AllocationLayer> layers, AllocationSettings settings, double target)
    {
        var perLayer = layers.Select(layer =>
        {
            var choices = new List<(double Cost, double Damage)> { (layer.FullSize * layer.CostPerParameter, 0) };
            foreach (var option in layer.Options.Where(o => o.SliceCount <= settings.MaxSliceCount))
            {
                if (DamageCurve.Of(option, layer.Damage ?? []) is not { } curve) continue;
                for (var rank = Math.Max(curve.LowestRank, settings.MinimumRank); rank <= curve.HighestRank; rank++)
                {
                    var size = AllocationReference.PairSize(option, rank);
                    if (AllocationReference.SavesEnough(layer, size, settings)) choices.Add((size * layer.CostPerParameter, curve.At(rank)));
                }
            }
            return choices;
        }).ToList();
        double? best = null;
        void Search(int i, double cost, double damage)
        {
            if (cost > target * (1 + 1e-12)) return;
            if (i == perLayer.Count)
            {
                if (best is null || damage < best) best = damage;
                return;
            }
            foreach (var (c, d) in perLayer[i]) Search(i + 1, cost + c, damage + d);
        }
        Search(0, 0, 0);
        return best;
    }

    private static double SummedDamage(IReadOnlyList<AllocationLayer> layers, AllocationResult result) =>
        result.Layers.Select((l, i) => l.IsWhole ? 0 : DamageCurve.Of(layers[i].Options.Single(o => o.SliceCount == l.SliceCount), layers[i].Damage!)!.At(l.Rank)).Sum();
}
