namespace OnnxLowRank.Core.Validation;

/// <summary>How <see cref="ModelComparer"/> runs the two models.</summary>
public sealed record ComparisonOptions
{
    /// <summary>
    /// Rows of the embedding table a token model's ids index (its vocabulary), when known: an output of one vector per
    /// token that is this wide is the model's logits, scored by next-token agreement and perplexity.
    /// </summary>
    public long? Vocabulary { get; init; }

    /// <summary>Samples per run.</summary>
    public int BatchSize { get; init; } = 32;

    /// <summary>Untimed runs of the first batch on each model before timing starts.</summary>
    public int WarmupRuns { get; init; } = 2;

    /// <summary>
    /// Timed runs each model needs before a speedup is reported: when the data gives fewer batches, the
    /// first batches are run again, timed only. A median of a handful of runs is noise (one run per
    /// batch of 8 put the MLP against itself at 0.41x to 2.65x), so with fewer the speedup is "not measured".
    /// </summary>
    public int MinTimedRuns { get; init; } = 20;

    /// <summary>Timed wall time the two models should reach together too, so fast models are timed over many runs.</summary>
    public TimeSpan MinTimedDuration { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>The most time spent repeating batches for timing; a model too slow to reach the minimum stays "not measured".</summary>
    public TimeSpan TimingLimit { get; init; } = TimeSpan.FromSeconds(30);
}
