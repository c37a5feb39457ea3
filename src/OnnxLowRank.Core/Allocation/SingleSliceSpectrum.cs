namespace OnnxLowRank.Core.Allocation;

/// <summary>
/// A layer seen through plain SVD (k = 1), as the energy-based allocators need it. With several
/// groups, rank j keeps the first j directions of every group, so the shares pool all groups' values.
/// </summary>
internal sealed class SingleSliceSpectrum
{
    private readonly double[] _tailEnergy;     // [j] = sum over groups of sum_{i >= j} s_i^2
    private readonly double[] _partialEntropy; // [j] = sum over groups of -sum_{i < j} p_i ln p_i
    private readonly double _entropy;

    public SingleSliceSpectrum(AllocationProblem problem, AllocationLayer layer)
    {
        Layer = layer;
        Option = layer.Options.FirstOrDefault(o => o.SliceCount == 1)
            ?? throw new ArgumentException($"Layer '{layer.Name}' has no k = 1 option, which '{problem.Allocator}' needs.");
        MaxRank = Option.MaxRank;
        LowestRank = problem.LowestRank(layer);
        HighestAllowedRank = Option.MaxRank >= LowestRank ? problem.HighestAllowedRank(layer, Option) : 0;

        var length = MaxRank;
        var energy = new double[length];
        var sum = 0.0;
        foreach (var spectrum in Option.BlockSpectra)
            for (var i = 0; i < spectrum.Length; i++)
            {
                energy[i] += spectrum[i] * spectrum[i];
                sum += spectrum[i];
            }
        _tailEnergy = new double[length + 1];
        for (var i = length - 1; i >= 0; i--) _tailEnergy[i] = _tailEnergy[i + 1] + energy[i];

        _partialEntropy = new double[length + 1];
        for (var i = 0; i < length; i++)
        {
            var term = 0.0;
            foreach (var spectrum in Option.BlockSpectra)
                if (i < spectrum.Length && spectrum[i] > 0 && sum > 0)
                {
                    var p = spectrum[i] / sum;
                    term -= p * Math.Log(p);
                }
            _partialEntropy[i + 1] = _partialEntropy[i] + term;
        }
        _entropy = _partialEntropy[length];
    }

    public AllocationLayer Layer { get; }

    public SliceOption Option { get; }

    public int MaxRank { get; }

    /// <summary>The lowest rank the settings and the layer's grid allow.</summary>
    public int LowestRank { get; }

    /// <summary>The distance between the ranks the layer may take (<see cref="AllocationLayer.RankStep"/>).</summary>
    public int RankStep => Layer.RankStep;

    /// <summary>The highest rank the settings allow; 0 when the layer must stay whole.</summary>
    public int HighestAllowedRank { get; }

    /// <summary>Share of squared singular values rank j throws away: sum_{i>j} s_i^2 / sum s_i^2.</summary>
    public double DiscardedEnergy(int rank) => _tailEnergy[0] > 0 ? _tailEnergy[rank] / _tailEnergy[0] : 0;

    /// <summary>Share of squared singular values of directions <paramref name="rank"/> + 1 to <paramref name="higher"/> (1-based), over all groups: what going from rank higher down to rank drops.</summary>
    public double DroppedEnergy(int rank, int higher) =>
        _tailEnergy[0] > 0 ? (_tailEnergy[rank] - _tailEnergy[Math.Min(higher, MaxRank)]) / _tailEnergy[0] : 0;

    /// <summary>The ranks on the layer's grid from the lowest up to the largest useful one.</summary>
    public IEnumerable<int> GridRanks()
    {
        for (var rank = LowestRank; rank <= MaxRank; rank += RankStep) yield return rank;
    }

    /// <summary>Share of spectral entropy the first j values carry; 1 when the entropy is zero.</summary>
    public double KeptEntropy(int rank) => _entropy > 0 ? _partialEntropy[rank] / _entropy : 1;

    public double CostAtRank(int rank) => Layer.CostAt(Option, rank);

    /// <summary>The allowed choice for a rank: the rank itself, or whole when the settings forbid it.</summary>
    public RankChoice ChoiceAt(int rank, double score) =>
        rank <= HighestAllowedRank ? new RankChoice(1, rank, CostAtRank(rank), score) : RankChoice.Whole(Layer);

    /// <summary>Every allowed rank scored by <paramref name="score"/>, plus whole (score 0), as a ladder.</summary>
    public RankChoice[] Ladder(Func<int, double> score)
    {
        var choices = new List<RankChoice> { RankChoice.Whole(Layer) };
        for (var rank = LowestRank; rank <= HighestAllowedRank; rank += RankStep)
            choices.Add(new RankChoice(1, rank, CostAtRank(rank), score(rank)));
        return ParetoLadder.From(choices);
    }
}
