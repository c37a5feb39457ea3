namespace OnnxLowRank.Core.Validation;

/// <summary>How <see cref="ModelComparer"/> runs the two models.</summary>
public sealed record ComparisonOptions
{
    /// <summary>Samples per run.</summary>
    public int BatchSize { get; init; } = 32;

    /// <summary>Untimed runs of the first batch on each model before timing starts.</summary>
    public int WarmupRuns { get; init; } = 2;
}
