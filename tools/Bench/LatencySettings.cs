namespace OnnxLowRank.Bench;

/// <summary>
/// How long latencies are sampled: every model of a comparison is run in turn, round after round, until
/// at least <see cref="MinRounds"/> rounds and <see cref="Budget"/> of wall time have passed (or
/// <see cref="MaxRounds"/>); medians resist the outliers a shared machine produces.
/// </summary>
internal sealed record LatencySettings(int Warmups, int MinRounds, int MaxRounds, TimeSpan Budget)
{
    public static readonly LatencySettings Full = new(Warmups: 2, MinRounds: 5, MaxRounds: 40, Budget: TimeSpan.FromSeconds(10));

    public static readonly LatencySettings Quick = new(Warmups: 1, MinRounds: 3, MaxRounds: 10, Budget: TimeSpan.FromSeconds(0.5));
}
