namespace OnnxLowRank.Core.DataAware;

/// <summary>
/// What calibration saw at an embedding Gather: how often each row of its table was looked up. A lookup's input is a
/// token id, not a vector its table multiplies, so its whitened objective, summed over the lookups of the calibration
/// data, is sum_t count(t) ||E_t - E^_t||^2: the rows weighted by their counts (<see cref="RowWeightedEmbedding"/>).
/// </summary>
public sealed class TokenFrequencies
{
    private readonly long[] _counts;

    /// <param name="counts">Lookups of each row, one per row of the table.</param>
    public TokenFrequencies(IReadOnlyList<long> counts)
    {
        ArgumentNullException.ThrowIfNull(counts);
        if (counts.Count < 1 || counts.Any(c => c < 0))
            throw new ArgumentException("Every row of a table needs a lookup count of at least 0.", nameof(counts));
        _counts = counts.ToArray();
        Lookups = _counts.Sum();
    }

    /// <summary>Lookups of each row.</summary>
    public IReadOnlyList<long> Counts => _counts;

    /// <summary>Lookups counted in all: the tokens of the calibration data that the Gather read (padding left out).</summary>
    public long Lookups { get; }

    /// <summary>
    /// The weight of each row in the objective: (count(t) + 1) / (lookups + V), its share of the lookups with one more
    /// of every row. The one added lookup is the floor of a row calibration never saw: a few hundred lines look up a
    /// small part of a 30,000-word vocabulary, and a weight of 0 would let the factors drop every unseen word.
    /// Shares, not counts, so the spectra are on the scale of a second moment, as the whitened spectra of other layers.
    /// </summary>
    public double[] RowWeights()
    {
        var total = (double)Lookups + _counts.Length;
        return _counts.Select(c => (c + 1) / total).ToArray();
    }
}
