using System.Globalization;

namespace OnnxLowRank.Cli.Commands;

/// <summary>Parses --keep: START:STOP:STEP (both ends included) or a comma list, every value in (0, 1].</summary>
internal static class KeepFractions
{
    public static IReadOnlyList<double>? Parse(string text)
    {
        var parts = text.Split(':');
        if (parts.Length == 3)
        {
            if (!TryNumber(parts[0], out var start) || !TryNumber(parts[1], out var stop) || !TryNumber(parts[2], out var step) || step <= 0 || stop < start)
                return null;
            var count = (int)Math.Floor(((stop - start) / step) + 1e-9) + 1;
            if (count > 1000) return null;
            // Rounded so 0.1:0.9:0.1 gives 0.3, not 0.30000000000000004.
            var values = Enumerable.Range(0, count).Select(i => Math.Round(start + (i * step), 10)).ToList();
            return values.All(InRange) ? values : null;
        }
        var list = new List<double>();
        foreach (var item in text.Split(',', StringSplitOptions.TrimEntries))
        {
            if (!TryNumber(item, out var value) || !InRange(value)) return null;
            list.Add(value);
        }
        return list.Count > 0 ? list : null;
    }

    private static bool InRange(double v) => v > 0 && v <= 1;

    private static bool TryNumber(string text, out double value) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out value) && double.IsFinite(value);
}
