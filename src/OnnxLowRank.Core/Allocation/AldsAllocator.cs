namespace OnnxLowRank.Core.Allocation;

/// <summary>
/// ALDS's objective solved exactly: minimise the largest layer error bound under the budget, over
/// every allowed slicing k and rank j. For a threshold eps each layer takes its cheapest choice with
/// error at most eps; that total only falls as eps grows, so the smallest candidate error whose total
/// fits is the optimum. Leftover budget then goes where error falls most per unit of cost.
/// </summary>
public sealed class AldsAllocator : IRankAllocator
{
    public const string RegistryName = "alds";

    public string Name => RegistryName;

    public AllocationResult Allocate(IReadOnlyList<AllocationLayer> layers, AllocationBudget budget, AllocationSettings settings)
    {
        var problem = new AllocationProblem(layers, budget, settings, Name, needsBudget: true);
        var target = problem.TargetCost!.Value;
        var ladders = layers.Select(l => ParetoLadder.From(problem.ErrorChoices(l))).ToArray();

        // Each ladder starts at its cheapest choice, whose error is the ladder's largest.
        problem.EnsureReachable(Total(ladders, double.PositiveInfinity));

        var errors = ladders.SelectMany(l => l.Select(c => c.Score)).Distinct().Order().ToArray();
        var first = ThresholdSearch.FirstFitting(errors.Length, i => Total(ladders, errors[i]) <= target);
        var threshold = first < errors.Length ? errors[first] : double.PositiveInfinity;
        var current = ladders.Select(l => ParetoLadder.CheapestWithin(l, threshold)).ToArray();

        BudgetFill.Spend(ladders, current, target);
        return problem.Finish(current);
    }

    private static double Total(RankChoice[][] ladders, double threshold)
    {
        var total = 0.0;
        foreach (var ladder in ladders) total += ParetoLadder.CheapestWithin(ladder, threshold).Cost;
        return total;
    }
}
