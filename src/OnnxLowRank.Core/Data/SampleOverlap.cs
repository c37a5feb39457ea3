namespace OnnxLowRank.Core.Data;

/// <summary>
/// How many validation samples also occur in the calibration data. Calibration fits the factors to its samples, so a
/// validation set that shares them measures the compressed model on data it was tuned on and flatters it.
/// </summary>
/// <param name="CalibrationSamples">Samples in the calibration source.</param>
/// <param name="ValidationSamples">Samples in the validation source.</param>
/// <param name="SharedSamples">Validation samples equal, input for input, to some calibration sample (<see cref="SampleFingerprints"/>).</param>
public sealed record SampleOverlap(int CalibrationSamples, int ValidationSamples, int SharedSamples)
{
    /// <summary>Compares every sample of the two sources by digest; both must be read with the same decoding.</summary>
    public static SampleOverlap Measure(IDataSource calibration, IDataSource validation)
    {
        ArgumentNullException.ThrowIfNull(calibration);
        ArgumentNullException.ThrowIfNull(validation);
        var calibrated = SampleFingerprints.Of(calibration).ToHashSet();
        var validated = SampleFingerprints.Of(validation);
        return new SampleOverlap(calibration.Count, validated.Count, validated.Count(calibrated.Contains));
    }
}
