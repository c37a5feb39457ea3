namespace OnnxLowRank.Bench;

/// <summary>Inputs for the CLI: a file its --data, --calibration and --validate options read, with labels and normalisation when they apply.</summary>
/// <param name="CalibrationLimit">Samples to calibrate on at most, when fewer than the CLI's default.</param>
internal sealed record DataSet(string Path, string? Labels = null, string? Normalize = null, int? CalibrationLimit = null)
{
    /// <summary>The arguments that name this set as --data (sweep) or --validate (compress).</summary>
    public IEnumerable<string> AsData(string option = "--data")
    {
        yield return option;
        yield return Path;
        if (Labels is not null)
        {
            yield return "--labels";
            yield return Labels;
        }
        foreach (var arg in NormalizeArgs()) yield return arg;
    }

    /// <summary>The arguments that name this set as calibration data; normalisation describes the model's input, so it travels too.</summary>
    public IEnumerable<string> AsCalibration(bool withNormalize)
    {
        yield return "--calibration";
        yield return Path;
        if (CalibrationLimit is { } limit)
        {
            yield return "--calibration-limit";
            yield return limit.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
        if (!withNormalize) yield break;
        foreach (var arg in NormalizeArgs()) yield return arg;
    }

    public bool Exists => File.Exists(Path) && (Labels is null || File.Exists(Labels));

    private IEnumerable<string> NormalizeArgs() => Normalize is null ? [] : ["--normalize", Normalize];
}
