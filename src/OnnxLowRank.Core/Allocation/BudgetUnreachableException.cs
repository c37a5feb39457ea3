using OnnxLowRank.Onnx.Errors;

namespace OnnxLowRank.Core.Allocation;

/// <summary>The budget asks to keep less than every layer at its minimum rank can reach.</summary>
public sealed class BudgetUnreachableException(double requestedFraction, double lowestReachableFraction)
    : OnnxLowRankException(
        $"keeping {requestedFraction:0.####} of the cost is not reachable; the lowest reachable share is {lowestReachableFraction:0.####}",
        filePath: null,
        subject: null,
        advice: $"ask to keep at least {lowestReachableFraction:0.####}, or lower the minimum rank or the minimum saving per layer")
{
    /// <summary>The keep fraction that was asked for.</summary>
    public double RequestedFraction { get; } = requestedFraction;

    /// <summary>What every layer at its smallest allowed size keeps.</summary>
    public double LowestReachableFraction { get; } = lowestReachableFraction;
}
