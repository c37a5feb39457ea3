using System.Globalization;
using System.Net;
using System.Text;

namespace OnnxLowRank.Cli.Reports.Svg;

/// <summary>Accumulates SVG elements with invariant number formatting and escaped text.</summary>
public sealed class SvgCanvas(int width, int height)
{
    private readonly StringBuilder _body = new();

    public int Width => width;

    public int Height => height;

    public static readonly string[] Palette = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f"];

    public void Line(double x1, double y1, double x2, double y2, string stroke, double strokeWidth = 1, string? dash = null) =>
        _body.Append($"<line x1=\"{N(x1)}\" y1=\"{N(y1)}\" x2=\"{N(x2)}\" y2=\"{N(y2)}\" stroke=\"{stroke}\" stroke-width=\"{N(strokeWidth)}\"{(dash is null ? "" : $" stroke-dasharray=\"{dash}\"")}/>\n");

    public void Rect(double x, double y, double w, double h, string fill, string? title = null)
    {
        _body.Append($"<rect x=\"{N(x)}\" y=\"{N(y)}\" width=\"{N(Math.Max(w, 0))}\" height=\"{N(Math.Max(h, 0))}\" fill=\"{fill}\">");
        if (title is not null) _body.Append($"<title>{Escape(title)}</title>");
        _body.Append("</rect>\n");
    }

    public void Circle(double cx, double cy, double r, string fill, string? title = null)
    {
        _body.Append($"<circle cx=\"{N(cx)}\" cy=\"{N(cy)}\" r=\"{N(r)}\" fill=\"{fill}\">");
        if (title is not null) _body.Append($"<title>{Escape(title)}</title>");
        _body.Append("</circle>\n");
    }

    public void Polyline(IEnumerable<(double X, double Y)> points, string stroke, double strokeWidth = 2) =>
        _body.Append($"<polyline fill=\"none\" stroke=\"{stroke}\" stroke-width=\"{N(strokeWidth)}\" points=\"{string.Join(" ", points.Select(p => $"{N(p.X)},{N(p.Y)}"))}\"/>\n");

    /// <summary>Text; <paramref name="anchor"/> is start, middle or end; <paramref name="rotate"/> turns it about its anchor.</summary>
    public void Text(double x, double y, string text, string anchor = "start", int size = 12, bool bold = false, double rotate = 0) =>
        _body.Append($"<text x=\"{N(x)}\" y=\"{N(y)}\" font-size=\"{size}\" text-anchor=\"{anchor}\"{(bold ? " font-weight=\"bold\"" : "")}{(rotate == 0 ? "" : $" transform=\"rotate({N(rotate)} {N(x)} {N(y)})\"")}>{Escape(text)}</text>\n");

    public override string ToString() =>
        $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\" font-family=\"sans-serif\">\n" +
        $"<rect width=\"{width}\" height=\"{height}\" fill=\"white\"/>\n{_body}</svg>\n";

    private static string N(double v) => Math.Round(v, 2).ToString(CultureInfo.InvariantCulture);

    private static string Escape(string text) => WebUtility.HtmlEncode(text);
}
