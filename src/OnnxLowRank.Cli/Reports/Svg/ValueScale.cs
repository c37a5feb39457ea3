namespace OnnxLowRank.Cli.Reports.Svg;

/// <summary>
/// Maps data values onto a pixel range, linearly or on a base-10 log scale, and chooses tick
/// values: 1-2-5 steps for linear axes, powers of ten for log axes.
/// </summary>
public sealed class ValueScale
{
    private readonly double _low;
    private readonly double _high;
    private readonly double _pixelLow;
    private readonly double _pixelHigh;

    /// <summary>A scale covering <paramref name="values"/>; on a log scale values at or below zero are ignored.</summary>
    public ValueScale(IEnumerable<double> values, double pixelLow, double pixelHigh, bool logarithmic, bool includeZero = false)
    {
        Logarithmic = logarithmic;
        var finite = values.Where(double.IsFinite).Where(v => !logarithmic || v > 0).ToList();
        if (includeZero && !logarithmic) finite.Add(0);
        double low = finite.Count > 0 ? finite.Min() : logarithmic ? 1 : 0;
        double high = finite.Count > 0 ? finite.Max() : logarithmic ? 10 : 1;
        if (logarithmic)
        {
            low = Math.Pow(10, Math.Floor(Math.Log10(low)));
            high = Math.Pow(10, Math.Ceiling(Math.Log10(high)));
            if (high <= low) high = low * 10;
        }
        else
        {
            if (high <= low) { high = low + 1; }
            var step = NiceStep((high - low) / 5);
            low = Math.Floor(low / step) * step;
            high = Math.Ceiling(high / step) * step;
        }
        _low = low;
        _high = high;
        _pixelLow = pixelLow;
        _pixelHigh = pixelHigh;
    }

    public bool Logarithmic { get; }

    public double Low => _low;

    /// <summary>The pixel position of <paramref name="value"/>, clamped to the axis.</summary>
    public double Map(double value)
    {
        if (!double.IsFinite(value)) value = value > 0 ? _high : _low;
        double t = Logarithmic
            ? (Math.Log10(Math.Max(value, _low)) - Math.Log10(_low)) / (Math.Log10(_high) - Math.Log10(_low))
            : (value - _low) / (_high - _low);
        return _pixelLow + (Math.Clamp(t, 0, 1) * (_pixelHigh - _pixelLow));
    }

    public IReadOnlyList<double> Ticks()
    {
        var ticks = new List<double>();
        if (Logarithmic)
        {
            for (var v = _low; v <= _high * 1.0000001; v *= 10) ticks.Add(v);
            return ticks;
        }
        var step = NiceStep((_high - _low) / 5);
        for (var i = 0; _low + (i * step) <= _high + (step * 1e-9); i++) ticks.Add(_low + (i * step));
        return ticks;
    }

    /// <summary>A tick label: short, with an exponent for very large or small values.</summary>
    public static string Format(double value)
    {
        if (value == 0) return "0";
        var magnitude = Math.Abs(value);
        return magnitude is >= 1e5 or < 1e-3
            ? value.ToString("0.#e0", System.Globalization.CultureInfo.InvariantCulture)
            : value.ToString("0.###", System.Globalization.CultureInfo.InvariantCulture);
    }

    private static double NiceStep(double rough)
    {
        if (!(rough > 0)) return 1;
        var power = Math.Pow(10, Math.Floor(Math.Log10(rough)));
        var fraction = rough / power;
        return power * (fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 5 ? 5 : 10);
    }
}
