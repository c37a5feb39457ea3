namespace OnnxLowRank.Core.Analysis;

/// <summary>
/// Per-layer sensitivity as measured in the engine: for each measured layer, the damage to <paramref name="Output"/> of that layer
/// alone factorized at each size, on the first <paramref name="Samples"/> calibration samples of <paramref name="Source"/>.
/// Layers inside subgraphs, and layers that cannot shrink, are not measured and have no entry.
/// </summary>
/// <param name="Output">The model output measured: its first, the one it is for by exporters' convention.</param>
/// <param name="Measure">How that output's change is measured, chosen by its shape.</param>
/// <param name="SamplesAsked">The samples asked for; more than <paramref name="Samples"/> when the source holds fewer.</param>
public sealed record SensitivityMeasurement(
    string Source, string Output, DamageMeasure Measure, int Samples, int SamplesAsked, IReadOnlyDictionary<string, IReadOnlyList<SizedDamage>> Layers)
{
    /// <summary>Wall time of the measurement, caching and factors included.</summary>
    public TimeSpan Elapsed { get; init; }

    /// <summary>Runs of the whole model that cached suffix inputs: one when all layers' inputs fit the cache.</summary>
    public int CacheRuns { get; init; }

    /// <summary>The most bytes of cached suffix inputs held at once.</summary>
    public long CachedBytes { get; init; }

    /// <summary>The damage of a layer at the size measured for <paramref name="fraction"/> of it, or null when it was not measured there.</summary>
    public SizedDamage? At(string layer, double fraction) =>
        Layers.TryGetValue(layer, out var sizes) ? sizes.FirstOrDefault(s => Math.Abs(s.Fraction - fraction) < 1e-9) : null;
}
