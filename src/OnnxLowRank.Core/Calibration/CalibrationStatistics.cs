namespace OnnxLowRank.Core.Calibration;

/// <summary>The input statistics of every compressible layer, and what they were collected from.</summary>
/// <param name="Source">The calibration source's description (e.g. its file name).</param>
/// <param name="Samples">Samples run through the model.</param>
/// <param name="Layers">Per layer name, its input statistics.</param>
public sealed record CalibrationStatistics(string Source, int Samples, IReadOnlyDictionary<string, LayerInputStatistics> Layers);
