namespace OnnxLowRank.Core.Allocation;

/// <summary>
/// A layer's measured times (ALGORITHMS.md section 6): the layer as it stands, and its factorized pair
/// at a few ranks per slice count k, interpolated linearly in between (the pair's work is affine in j).
/// Times along each k are made non-decreasing in rank (a noisy low reading raises the ranks above it),
/// so "faster than whole" holds on a prefix of the ranks and the cost of a rank never falls as it grows.
/// </summary>
public sealed class LatencyProfile
{
    private readonly Dictionary<int, (int Rank, double Milliseconds)[]> _pairs;

    /// <param name="wholeMilliseconds">The layer as it stands.</param>
    /// <param name="pairs">Per slice count k, measured (rank, milliseconds) points of the factorized pair.</param>
    public LatencyProfile(double wholeMilliseconds, IReadOnlyDictionary<int, IReadOnlyList<(int Rank, double Milliseconds)>> pairs)
    {
        ArgumentNullException.ThrowIfNull(pairs);
        if (!(wholeMilliseconds > 0) || double.IsInfinity(wholeMilliseconds))
            throw new ArgumentException($"The whole layer's time must be positive and finite, got {wholeMilliseconds}.", nameof(wholeMilliseconds));
        WholeMilliseconds = wholeMilliseconds;
        _pairs = [];
        foreach (var (k, points) in pairs)
        {
            if (points.Count == 0) continue;
            if (points.Any(p => p.Rank < 1 || !(p.Milliseconds > 0) || double.IsInfinity(p.Milliseconds)))
                throw new ArgumentException($"k = {k}: every timed rank must be at least 1 and every time positive and finite.", nameof(pairs));
            var ordered = points.GroupBy(p => p.Rank).Select(g => (Rank: g.Key, Milliseconds: g.Max(p => p.Milliseconds))).OrderBy(p => p.Rank).ToArray();
            for (var i = 1; i < ordered.Length; i++)
                ordered[i].Milliseconds = Math.Max(ordered[i].Milliseconds, ordered[i - 1].Milliseconds);
            _pairs[k] = ordered;
        }
    }

    /// <summary>The layer as it stands.</summary>
    public double WholeMilliseconds { get; }

    /// <summary>The slice counts that were timed.</summary>
    public IEnumerable<int> SliceCounts => _pairs.Keys.Order();

    /// <summary>The (monotone) timed points of k.</summary>
    public IReadOnlyList<(int Rank, double Milliseconds)> Points(int sliceCount) =>
        _pairs.TryGetValue(sliceCount, out var points) ? points : [];

    /// <summary>
    /// The pair's time at rank j with k slices: linear between timed ranks, flat below the lowest,
    /// extended along the last segment above the highest; infinity when k was not timed.
    /// </summary>
    public double PairMilliseconds(int sliceCount, int rank)
    {
        if (!_pairs.TryGetValue(sliceCount, out var points)) return double.PositiveInfinity;
        if (rank <= points[0].Rank) return points[0].Milliseconds;
        for (var i = 1; i < points.Length; i++)
            if (rank <= points[i].Rank) return Between(points[i - 1], points[i], rank);
        return points.Length == 1 ? points[0].Milliseconds : Between(points[^2], points[^1], rank);
    }

    /// <summary>True when the pair at (k, j) is faster than the layer as it stands.</summary>
    public bool IsFaster(int sliceCount, int rank) => PairMilliseconds(sliceCount, rank) < WholeMilliseconds;

    /// <summary>This profile with one more measured point (a chosen rank timed on its own).</summary>
    public LatencyProfile With(int sliceCount, int rank, double milliseconds)
    {
        var pairs = _pairs.ToDictionary(p => p.Key, p => (IReadOnlyList<(int, double)>)p.Value.ToList());
        var points = pairs.TryGetValue(sliceCount, out var existing) ? existing.Where(p => p.Item1 != rank).ToList() : [];
        points.Add((rank, milliseconds));
        pairs[sliceCount] = points;
        return new LatencyProfile(WholeMilliseconds, pairs);
    }

    private static double Between((int Rank, double Milliseconds) low, (int Rank, double Milliseconds) high, int rank) =>
        low.Milliseconds + (high.Milliseconds - low.Milliseconds) * (rank - low.Rank) / (high.Rank - low.Rank);
}
