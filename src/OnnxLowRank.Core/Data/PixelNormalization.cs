namespace OnnxLowRank.Core.Data;

/// <summary>Pixel bytes become (byte / 255 - Mean) / Std: scaled to [0, 1], then standardised.</summary>
public readonly record struct PixelNormalization(double Mean, double Std)
{
    /// <summary>Scale to [0, 1] only.</summary>
    public static PixelNormalization UnitRange => new(0, 1);

    /// <summary>Parses "MEAN,STD", e.g. "0.2860,0.3530".</summary>
    public static PixelNormalization Parse(string text)
    {
        var parts = text.Split(',', StringSplitOptions.TrimEntries);
        if (parts.Length != 2
            || !double.TryParse(parts[0], System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var mean)
            || !double.TryParse(parts[1], System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var std)
            || !(std > 0) || !double.IsFinite(mean))
            throw new InvalidInputDataException($"Normalization '{text}' is not MEAN,STD with a positive STD.", advice: "write e.g. --normalize 0.2860,0.3530");
        return new PixelNormalization(mean, std);
    }

    public float Apply(byte pixel) => (float)((pixel / 255.0 - Mean) / Std);
}
