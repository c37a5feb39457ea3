using System.Text.RegularExpressions;
using System.Xml.Linq;

namespace OnnxLowRank.Cli.Tests.Reports;

/// <summary>
/// The HTML report of a real sweep is one self-contained page: balanced HTML, one SVG per figure,
/// each SVG well-formed XML, no scripts and nothing fetched from elsewhere.
/// </summary>
public partial class HtmlReportTests
{
    // HTML elements that never have a closing tag.
    private static readonly HashSet<string> VoidElements = ["meta", "br", "hr", "img", "input", "link", "col", "wbr"];

    [Test]
    public void A_sweep_report_is_self_contained_balanced_html_with_one_svg_per_plot()
    {
        var folder = Directory.CreateTempSubdirectory("html-report-");
        try
        {
            var report = Path.Combine(folder.FullName, "sweep.html");
            var run = CliProcess.Run("sweep", RepositoryFiles.Model("mlp.onnx"), "--data", RepositoryFiles.TestImages, "--labels", RepositoryFiles.TestLabels,
                "--normalize", RepositoryFiles.Normalization, "--limit", "200", "--keep", "0.3,0.6", "--methods", "alds,uniform", "--report", report, "--quiet");
            Assert.That(run.ExitCode, Is.Zero, run.ToString());
            var html = File.ReadAllText(report);

            Assert.That(html, Does.StartWith("<!DOCTYPE html>"));
            Assert.That(html, Does.Not.Contain("<script"), "no scripts");
            Assert.That(Regex.Matches(html, "(src|href)=\"https?:").Count, Is.Zero, "nothing loaded from elsewhere");
            AssertBalanced(html);

            var figures = Regex.Matches(html, "<figure[ >]").Count;
            var svgs = SvgElement().Matches(html);
            Assert.That(figures, Is.GreaterThanOrEqualTo(1), "a sweep report plots its curves");
            Assert.That(svgs, Has.Count.EqualTo(figures), "one SVG per plot");
            foreach (Match svg in svgs)
                Assert.That(XDocument.Parse(svg.Value).Root!.Name.LocalName, Is.EqualTo("svg"));
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    private static void AssertBalanced(string html)
    {
        var open = new Stack<string>();
        foreach (Match tag in TagPattern().Matches(html))
        {
            var name = tag.Groups["name"].Value.ToLowerInvariant();
            if (tag.Value.StartsWith("<!", StringComparison.Ordinal) || VoidElements.Contains(name) || tag.Value.EndsWith("/>", StringComparison.Ordinal)) continue;
            if (tag.Groups["close"].Success)
            {
                Assert.That(open, Is.Not.Empty, $"</{name}> closes nothing");
                Assert.That(open.Pop(), Is.EqualTo(name), $"</{name}> closes the wrong element");
            }
            else open.Push(name);
        }
        Assert.That(open, Is.Empty, $"unclosed: {string.Join(", ", open)}");
    }

    [GeneratedRegex(@"<(?<close>/)?(?<name>[A-Za-z!][A-Za-z0-9]*)[^>]*>")]
    private static partial Regex TagPattern();

    [GeneratedRegex(@"<svg[\s\S]*?</svg>")]
    private static partial Regex SvgElement();
}
