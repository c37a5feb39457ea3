namespace OnnxLowRank.Core.Allocation;

/// <summary>
/// ALDS's objective solved exactly: minimise the largest layer error bound under the budget, over
/// every allowed slicing k and rank j. For a threshold eps each layer takes its cheapest choice with
/// error at most eps; that total only falls as eps grows, so the smallest candidate error whose total
/// fits is the optimum. Leftover budget then goes where error falls most per unit of cost.
/// </summary>
public sealed class AldsAllocator() : RankAllocator(RegistryName, needsBudget: true, usesSlices: true)
{
    public const string RegistryName = "alds";

    private protected override AllocationResult Allocate(AllocationProblem problem)
    {
        var target = problem.TargetCost!.Value;
        var ladders = problem.Layers.Select(l => ParetoLadder.From(problem.ErrorChoices(l))).ToArray();
        RankChoice[] ChoicesAt(double threshold) => ladders.Select(l => ParetoLadder.CheapestWithin(l, threshold)).ToArray();

        // Each ladder starts at its cheapest choice, whose error is the ladder's largest.
        problem.EnsureReachable(SingleSliceAllocation.Total(ChoicesAt(double.PositiveInfinity)));

        var errors = ladders.SelectMany(l => l.Select(c => c.Score)).Distinct().Order().ToArray();
        var current = ThresholdSearch.FirstWithin(errors, ChoicesAt, target, () => ChoicesAt(double.PositiveInfinity));

        BudgetFill.Spend(ladders, current, target);
        return problem.Finish(current);
    }
}
