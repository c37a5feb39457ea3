namespace OnnxLowRank.Bench;

/// <summary>
/// The ALDS paper's compress-only (no retraining) curve on ResNet20 / CIFAR-10, read off its plot, as
/// docs/ALGORITHMS.md section 7 records it: share of parameters removed and accuracy change in points.
/// </summary>
internal static class AldsPaperCurve
{
    public static readonly IReadOnlyList<(double Removed, double ChangePoints)> Points =
    [
        (0.099, +0.09), (0.174, -0.40), (0.237, -1.50), (0.301, -3.37), (0.409, -7.42),
    ];

    /// <summary>The published point whose removed share is closest to <paramref name="removed"/>, if one is within 4 points of it.</summary>
    public static (double Removed, double ChangePoints)? Nearest(double removed)
    {
        var best = Points.MinBy(p => Math.Abs(p.Removed - removed));
        return Math.Abs(best.Removed - removed) <= 0.04 ? best : null;
    }
}
