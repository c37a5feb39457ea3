
namespace OnnxLowRank.Core.DataAware;

/// <summary>
/// The input statistics of every compressible layer, what they were collected from, and the whitening settings
/// that spectra and factors computed from them share.
/// </summary>
/// <param name="Source">The calibration source's description (e.g. its file name).</param>
/// <param name="Samples">Samples run through the model.</param>
/// <param name="Layers">Per layer name, its input statistics (embeddings have <see cref="Embeddings"/> instead).</param>
public sealed record CalibrationStatistics(string Source, int Samples, IReadOnlyDictionary<string, LayerInputStatistics> Layers)
{
    /// <summary>See <see cref="CalibrationOptions.RelativeRidge"/>.</summary>
    public double RelativeRidge { get; init; } = Whitening.DefaultRelativeRidge;

    /// <summary>See <see cref="CalibrationOptions.CorrectBias"/>; it also makes whitening use the centered inputs.</summary>
    public bool CorrectBias { get; init; } = true;

    /// <summary>Per embedding layer name, how often calibration looked up each row of its table.</summary>
    public IReadOnlyDictionary<string, TokenFrequencies> Embeddings { get; init; } = new Dictionary<string, TokenFrequencies>();
}
