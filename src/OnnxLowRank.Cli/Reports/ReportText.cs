using System.Globalization;

namespace OnnxLowRank.Cli.Reports;

/// <summary>Number formats shared by the console, Markdown and HTML renderings.</summary>
internal static class ReportText
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    public static string Percent(double? fraction) => fraction is { } f ? (f * 100).ToString("0.00", Invariant) + "%" : "-";

    public static string Points(double? points) => points is { } p ? p.ToString("+0.00;-0.00;0.00", Invariant) + " pt" : "-";

    public static string Number(double value) => !double.IsFinite(value) ? value.ToString(Invariant) : value.ToString("0.####", Invariant);

    public static string Number(double? value) => value is { } v ? Number(v) : "-";

    public static string Scientific(double value) => !double.IsFinite(value) ? value.ToString(Invariant) : value.ToString("0.###e+0", Invariant);

    public static string Milliseconds(double value) => double.IsFinite(value) ? value.ToString("0.###", Invariant) + " ms" : "-";

    public static string Count(long value) => value.ToString("N0", Invariant);

    public static string Ratio(double value) => double.IsFinite(value) ? value.ToString("0.00", Invariant) + "x" : "-";
}
