namespace OnnxLowRank.Core.Sensitivity;

/// <summary>How per-layer sensitivity is measured (ALGORITHMS.md section 13): on how many calibration samples, at which sizes.</summary>
public sealed record SensitivityOptions
{
    /// <summary>The default subset: the first 128 calibration samples; two disjoint sets of 128 rank the reference CNN's layers alike (Spearman 0.98).</summary>
    public const int DefaultSamples = 128;

    /// <summary>The first this many calibration samples are run; a source with fewer is used whole (the measurement says so).</summary>
    public int Samples { get; init; } = DefaultSamples;

    /// <summary>
    /// The sizes measured, as fractions of each layer's parameters. The default grid holds 0.25, 0.5 and 0.75, the columns of
    /// analyze's sensitivity table, and is finer at the small end, where damage grows fastest.
    /// </summary>
    public IReadOnlyList<double> Fractions { get; init; } = DefaultFractions;

    /// <summary>0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.4, 0.5, 0.6, 0.75, 0.9.</summary>
    public static IReadOnlyList<double> DefaultFractions { get; } = [0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.4, 0.5, 0.6, 0.75, 0.9];

    /// <summary>The fractions analyze's table shows.</summary>
    public static IReadOnlyList<double> TableFractions { get; } = [0.25, 0.5, 0.75];

    /// <summary>
    /// The most bytes of cached suffix inputs held at once. Layers are measured in groups whose inputs over the subset fit;
    /// each group costs one run of the whole model over the subset (see <see cref="SuffixInputs"/>).
    /// </summary>
    public long CacheBytes { get; init; } = 1L << 30;

    /// <summary>Threads for the candidates' factors; -1 uses every core. The engine's sessions use their own threads.</summary>
    public int MaxDegreeOfParallelism { get; init; } = -1;

    internal void Validate()
    {
        if (Samples < 1) throw new ArgumentException($"Sensitivity needs at least 1 sample, got {Samples}.");
        if (Fractions.Count == 0 || Fractions.Any(f => !(f > 0 && f < 1)))
            throw new ArgumentException($"Sensitivity fractions lie in (0, 1), got {string.Join(", ", Fractions)}.");
        if (CacheBytes < 0) throw new ArgumentException($"The sensitivity cache must be 0 bytes or more, got {CacheBytes}.");
    }
}
