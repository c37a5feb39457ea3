namespace OnnxLowRank.Core.Allocation;

/// <summary>
/// Measured sensitivity: every layer takes whole or a size within the range whose damage to the network's outputs was
/// measured (<see cref="AllocationLayer.Damage"/>; between measured sizes, the <see cref="DamageCurve"/>), so that the
/// summed damage is least under the budget. One choice per layer
/// under a budget is a multiple-choice knapsack; a Lagrangian (a damage-per-cost threshold) finds only the points on
/// the lower convex hull of each layer's choices and can miss the optimum between them, so this solves it exactly by
/// dynamic programming over the budget cut into <see cref="BudgetUnits"/> units. Costs are rounded up to whole units
/// and the budget down, so every allocation it returns fits the real budget; with integer costs and a total of at
/// most that many units (the parameters of a small model) the optimum is exact.
/// </summary>
/// <remarks>
/// Sizes are plain SVD (k = 1): with channel slices among the candidates, the damage measured for a sliced layer alone was
/// lower, but the whole allocation did worse once compressed with sequential refit (the reference ResNet at keep-params 0.3,
/// calibrated on 128 images: 1.45 points lost with slices up to k = 8, 0.40 with k = 1; docs/benchmarks.md).
/// Summing damages assumes that the layers' effects on the output add up, which holds to first order for small
/// changes. A layer with no measurement (inside a subgraph, which the engine cannot cut into) stays whole.
/// </remarks>
public sealed class SensitivityAllocator(int budgetUnits) : RankAllocator(RegistryName, needsBudget: true, usesSlices: false, needsMeasuredDamage: true)
{
    public const string RegistryName = "sensitivity";

    /// <summary>
    /// Units the budget is cut into: 100,000 keeps the table at layers x 100,001 entries (37 layers, a
    /// transformer's, in well under a second) and costs at most one unit, 0.001% of the total, per layer to rounding.
    /// </summary>
    public const int DefaultBudgetUnits = 100_000;

    public SensitivityAllocator() : this(DefaultBudgetUnits)
    {
    }

    /// <summary>How many units the budget is cut into.</summary>
    public int BudgetUnits { get; } = budgetUnits >= 1 ? budgetUnits : throw new ArgumentOutOfRangeException(nameof(budgetUnits), budgetUnits, "Needs at least one unit.");

    private protected override AllocationResult Allocate(AllocationProblem problem)
    {
        var target = problem.TargetCost!.Value;
        var choices = problem.Layers.Select(l => MeasuredChoices(problem, l)).ToArray();
        problem.EnsureReachable(choices.Sum(c => c.Min(x => x.Cost)));

        // Integer costs that fit in the units are kept exact; otherwise one unit is the total over the unit count.
        var unit = problem.TotalCost <= BudgetUnits && choices.All(c => c.All(x => x.Cost == Math.Floor(x.Cost)))
            ? 1.0
            : problem.TotalCost / BudgetUnits;
        var capacity = (int)Math.Min(BudgetUnits, Math.Floor(target / unit * (1 + 1e-12)));
        int Units(double cost) => (int)Math.Ceiling(cost / unit * (1 - 1e-12));

        // least[c]: the least summed damage of the layers so far at a cost of at most c units; picked[i][c]: the choice
        // layer i takes in it.
        var least = new double[capacity + 1];
        var picked = new short[choices.Length][];
        for (var i = 0; i < choices.Length; i++)
        {
            var next = new double[capacity + 1];
            Array.Fill(next, double.PositiveInfinity);
            picked[i] = new short[capacity + 1];
            for (var j = 0; j < choices[i].Count; j++)
            {
                var units = Units(choices[i][j].Cost);
                var damage = choices[i][j].Score;
                for (var c = units; c <= capacity; c++)
                {
                    var total = least[c - units] + damage;
                    if (total < next[c])
                    {
                        next[c] = total;
                        picked[i][c] = (short)j;
                    }
                }
            }
            least = next;
        }
        if (double.IsPositiveInfinity(least[capacity]))
            throw new BudgetUnreachableException(problem.KeepFraction!.Value, choices.Sum(c => c.Min(x => x.Cost)) / problem.TotalCost);

        var result = new RankChoice[choices.Length];
        var left = capacity;
        for (var i = choices.Length - 1; i >= 0; i--)
        {
            result[i] = choices[i][picked[i][left]];
            left -= Units(result[i].Cost);
        }
        return problem.Finish(result);
    }

    /// <summary>
    /// Whole, then every rank on the layer's grid that the settings allow between its lowest and highest measured ranks,
    /// scored by the damage its <see cref="DamageCurve"/> gives (the measured damage at a measured rank).
    /// </summary>
    private static List<RankChoice> MeasuredChoices(AllocationProblem problem, AllocationLayer layer)
    {
        var choices = new List<RankChoice> { RankChoice.Whole(layer) };
        if (layer.Damage is null) return choices;
        foreach (var option in problem.UsableOptions(layer))
        {
            if (DamageCurve.Of(option, layer.Damage) is not { } curve) continue;
            var highest = Math.Min(curve.HighestRank, problem.HighestAllowedRank(layer, option));
            for (var rank = layer.OnGridAbove(Math.Max(curve.LowestRank, problem.LowestRank(layer))); rank <= highest; rank += layer.RankStep)
                choices.Add(new RankChoice(option.SliceCount, rank, layer.CostAt(option, rank), curve.At(rank)));
        }
        if (choices.Count > short.MaxValue) throw new ArgumentException($"Layer '{layer.Name}' has more ranks in its measured range than the allocator can index.");
        return choices;
    }
}
