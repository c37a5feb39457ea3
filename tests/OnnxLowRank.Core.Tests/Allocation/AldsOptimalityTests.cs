using OnnxLowRank.Core.Allocation;

namespace OnnxLowRank.Core.Tests.Allocation;

/// <summary>ALDS's min-max error against exhaustive search over every per-layer combination.</summary>
public class AldsOptimalityTests
{
    [Test]
    public void MaxErrorEqualsBruteForceOptimumOn200RandomProblems() => SolveRandomProblems(new Random(20240611), maxRankStep: 1);

    /// <summary>The same with rank grids: each layer may only take multiples of its step (1, 2 or 3).</summary>
    [Test]
    public void MaxErrorEqualsBruteForceOptimumOnRankGrids() => SolveRandomProblems(new Random(7070), maxRankStep: 3);

    private static void SolveRandomProblems(Random random, int maxRankStep)
    {
        var solved = 0;
        var unreachable = 0;
        var slicedChoices = 0;
        for (var problemIndex = 0; problemIndex < 200; problemIndex++)
        {
            var layers = new List<AllocationLayer>();
            var layerCount = random.Next(3, 7);
            for (var l = 0; l < layerCount; l++)
                layers.Add(RandomLayers.FromWeights(
                    random, $"p{problemIndex}.l{l}",
                    groups: random.Next(1, 3),
                    outputsPerGroup: random.Next(3, 9),
                    inputsPerGroup: new[] { 1, 2, 4, 6 }[random.Next(4)],
                    kernel: new[] { 1, 3 }[random.Next(2)],
                    costPerParameter: new[] { 1.0, 2.0, 5.0 }[random.Next(3)]) with { RankStep = random.Next(1, maxRankStep + 1) });
            var settings = new AllocationSettings
            {
                MinimumSaving = new[] { 0.0, 0.1, 0.25 }[random.Next(3)],
                MinimumRank = new[] { 1, 1, 2 }[random.Next(3)],
                MaxSliceCount = new[] { 1, 2, 8 }[random.Next(3)],
            };
            var fraction = 0.3 + 0.7 * random.NextDouble();
            var target = fraction * AllocationReference.TotalCost(layers);

            var optimum = BruteForceMinMaxError(layers.Select(l => AllocationReference.Choices(l, settings)).ToArray(), target);
            var context = $"problem {problemIndex}, keep {fraction:0.###}, {settings}";
            if (optimum is null)
            {
                Assert.Throws<BudgetUnreachableException>(() => new AldsAllocator().Allocate(layers, AllocationBudget.Keep(fraction), settings), context);
                unreachable++;
                continue;
            }

            var result = new AldsAllocator().Allocate(layers, AllocationBudget.Keep(fraction), settings);
            var kept = AllocationReference.CheckedKeptCost(layers, result, settings);
            Assert.That(kept, Is.LessThanOrEqualTo(target), context);
            Assert.That(result.MaxErrorBound, Is.EqualTo(optimum.Value).Within(1e-12), context);
            solved++;
            slicedChoices += result.Layers.Count(a => a.SliceCount > 1);
        }
        TestContext.Out.WriteLine($"{solved} solved to the optimum, {unreachable} unreachable, {slicedChoices} layers sliced (k > 1)");
        Assert.That(solved, Is.GreaterThan(100), "most problems should be solvable");
        Assert.That(unreachable, Is.GreaterThan(0), "some problems should exercise the unreachable budget");
        Assert.That(slicedChoices, Is.GreaterThan(0), "the problems should exercise channel slicing");
    }

    /// <summary>The least max error over all combinations within the target; null when none fits.</summary>
    private static double? BruteForceMinMaxError(List<AllocationReference.Choice>[] choices, double target)
    {
        double? best = null;
        void Visit(int layer, double cost, double worst)
        {
            if (cost > target) return;
            if (best is { } b && worst >= b) return; // cannot improve on what is already found
            if (layer == choices.Length)
            {
                best = worst;
                return;
            }
            foreach (var choice in choices[layer])
                Visit(layer + 1, cost + choice.Cost, Math.Max(worst, choice.Error));
        }
        Visit(0, 0, 0);
        return best;
    }
}
