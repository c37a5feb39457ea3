using System.Xml.Linq;
using OnnxLowRank.Cli.Reports.Svg;

namespace OnnxLowRank.Cli.Tests.Reports;

public class SvgChartTests
{
    private static readonly XNamespace Svg = "http://www.w3.org/2000/svg";

    [Test]
    public void A_linear_scale_maps_ends_and_middle_and_ticks_in_nice_steps()
    {
        var scale = new ValueScale([0.0, 10.0], 100, 300, logarithmic: false);
        Assert.That(scale.Map(0), Is.EqualTo(100));
        Assert.That(scale.Map(5), Is.EqualTo(200));
        Assert.That(scale.Map(10), Is.EqualTo(300));
        Assert.That(scale.Ticks(), Is.EqualTo(new[] { 0.0, 2, 4, 6, 8, 10 }));
    }

    [Test]
    public void A_log_scale_spans_whole_decades_and_places_them_evenly()
    {
        var scale = new ValueScale([0.002, 0.5, 0.0, -1.0], 0, 300, logarithmic: true);
        Assert.That(scale.Ticks(), Is.EqualTo(new[] { 0.001, 0.01, 0.1, 1.0 }).Within(1e-12));
        Assert.That(scale.Map(0.001), Is.EqualTo(0).Within(1e-9));
        Assert.That(scale.Map(0.01), Is.EqualTo(100).Within(1e-9));
        Assert.That(scale.Map(0.1), Is.EqualTo(200).Within(1e-9));
    }

    [Test]
    public void A_line_chart_is_well_formed_svg_with_one_line_and_marker_per_point()
    {
        var chart = new LineChart("Accuracy & error", "kept fraction", "accuracy",
            [new ChartSeries("alds", [(0.1, 0.5), (0.5, 0.8), (0.9, 0.9)]), new ChartSeries("uniform <baseline>", [(0.1, 0.3), (0.9, 0.88)])]);
        var svg = XDocument.Parse(chart.ToSvg());
        Assert.That(svg.Root!.Name, Is.EqualTo(Svg + "svg"));
        Assert.That(svg.Descendants(Svg + "polyline").Count(), Is.EqualTo(2));
        Assert.That(svg.Descendants(Svg + "circle").Count(), Is.EqualTo(5));
        Assert.That(svg.Descendants(Svg + "text").Select(t => t.Value), Does.Contain("uniform <baseline>").And.Contain("Accuracy & error"));
    }

    [Test]
    public void Bar_heights_are_proportional_on_a_linear_axis_and_skip_non_positive_values_on_a_log_axis()
    {
        var linear = XDocument.Parse(new BarChart("t", "ms", ["a", "b"], [("s", [2.0, 4.0])]).ToSvg());
        var heights = linear.Descendants(Svg + "rect").Where(r => r.Element(Svg + "title") is not null)
            .Select(r => double.Parse(r.Attribute("height")!.Value, System.Globalization.CultureInfo.InvariantCulture)).ToList();
        Assert.That(heights, Has.Count.EqualTo(2));
        Assert.That(heights[1] / heights[0], Is.EqualTo(2.0).Within(0.01));

        var log = XDocument.Parse(new BarChart("t", "error", ["a", "b", "c"], [("s", [0.0, 0.01, 0.1])], LogY: true).ToSvg());
        Assert.That(log.Descendants(Svg + "rect").Count(r => r.Element(Svg + "title") is not null), Is.EqualTo(2));
    }
}
