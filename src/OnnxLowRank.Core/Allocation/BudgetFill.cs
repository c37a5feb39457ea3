namespace OnnxLowRank.Core.Allocation;

/// <summary>
/// Spends what is left of the budget: repeatedly takes, across all layers, the upgrade whose score
/// falls most per unit of cost added and that still fits, until none fits. Never exceeds the target.
/// </summary>
internal static class BudgetFill
{
    public static void Spend(IReadOnlyList<RankChoice[]> ladders, RankChoice[] current, double target)
    {
        var kept = 0.0;
        foreach (var choice in current) kept += choice.Cost;
        var version = new int[current.Length];
        var queue = new PriorityQueue<(int Layer, int Step, int Version), (double Ratio, int Layer, int Step)>(MoveOrder.Instance);

        void Offer(int layer)
        {
            var (step, ratio) = BestMove(ladders[layer], current[layer], kept, target);
            if (step >= 0) queue.Enqueue((layer, step, version[layer]), (ratio, layer, step));
        }

        for (var layer = 0; layer < current.Length; layer++) Offer(layer);
        while (queue.TryDequeue(out var move, out _))
        {
            if (move.Version != version[move.Layer]) continue;
            var next = ladders[move.Layer][move.Step];
            var added = next.Cost - current[move.Layer].Cost;
            version[move.Layer]++;
            // When the budget shrank since this move was offered, the layer's best move that still fits is offered instead.
            if (kept + added <= target)
            {
                kept += added;
                current[move.Layer] = next;
            }
            Offer(move.Layer);
        }
    }

    private static (int Step, double Ratio) BestMove(RankChoice[] ladder, RankChoice current, double kept, double target)
    {
        var best = (Step: -1, Ratio: double.NegativeInfinity);
        for (var step = 0; step < ladder.Length; step++)
        {
            var added = ladder[step].Cost - current.Cost;
            if (added < 0) continue;
            // The same test as the caller's, so an offered move always fits when nothing changed.
            if (kept + added > target) break;
            var drop = current.Score - ladder[step].Score;
            if (drop <= 0) continue;
            var ratio = added == 0 ? double.PositiveInfinity : drop / added;
            if (ratio > best.Ratio) best = (step, ratio);
        }
        return best;
    }

    /// <summary>Largest ratio first; ties go to the earlier layer, then the cheaper step.</summary>
    private sealed class MoveOrder : IComparer<(double Ratio, int Layer, int Step)>
    {
        public static readonly MoveOrder Instance = new();

        public int Compare((double Ratio, int Layer, int Step) x, (double Ratio, int Layer, int Step) y)
        {
            var byRatio = y.Ratio.CompareTo(x.Ratio);
            if (byRatio != 0) return byRatio;
            var byLayer = x.Layer.CompareTo(y.Layer);
            return byLayer != 0 ? byLayer : x.Step.CompareTo(y.Step);
        }
    }
}
