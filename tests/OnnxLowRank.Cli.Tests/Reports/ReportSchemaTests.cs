using System.Text.Json;
using System.Text.RegularExpressions;
using OnnxLowRank.Cli.Reports;
using OnnxLowRank.Core.Data;
using OnnxLowRank.Core.Validation;

namespace OnnxLowRank.Cli.Tests.Reports;

/// <summary>The JSON a report writes has exactly the fields docs/report-schema.md documents.</summary>
public partial class ReportSchemaTests
{
    private static readonly RunReport Sample = new()
    {
        ToolVersion = "test",
        Command = "diff",
        CreatedUtc = DateTimeOffset.UnixEpoch,
        Original = new ModelSummary("/a.onnx", 10, 5),
        Compressed = new ModelSummary("/b.onnx", 8, 3),
        Comparison = ComparisonSection.From(new ModelComparison("d", 2, 2, true,
            [new OutputComparison("y", 4, 2, true, 0.5, 1.0, 0.5, 0.1, double.PositiveInfinity, 0.9)],
            LatencySummary.From([1.0, 2.0]), LatencySummary.From([1.0]))),
        Gates = [new GateOutcome("min-agreement", 0.9, 0.5, false, "top-1 agreement 0.5 < 0.9")],
        Search = new SearchSection("parameters", 0.05, 0.95, 0.0125, false, 0.95,
            [new SearchStepEntry(0, 0.95, 0.94, false, true, [new GateOutcome("min-agreement", 0.9, 0.5, false, "top-1 agreement 0.5 < 0.9")], null)]),
        CalibrationOverlap = new SampleOverlap(512, 1000, 0),
    };

    [TestCase("Top level", null)]
    [TestCase("comparison", "comparison")]
    [TestCase("output", "comparison.outputs.0")]
    [TestCase("latency", "comparison.originalLatency")]
    [TestCase("gate", "gates.0")]
    [TestCase("model", "original")]
    [TestCase("search", "search")]
    [TestCase("searchStep", "search.steps.0")]
    [TestCase("calibrationOverlap", "calibrationOverlap")]
    public void Json_fields_match_the_documented_table(string heading, string? path)
    {
        using var json = JsonDocument.Parse(JsonReport.Render(Sample));
        var element = json.RootElement;
        foreach (var step in path?.Split('.') ?? [])
            element = int.TryParse(step, out var index) ? element[index] : element.GetProperty(step);
        Assert.That(element.EnumerateObject().Select(p => p.Name).Order(), Is.EqualTo(DocumentedFields(heading).Order()));
    }

    [Test]
    public void Version_and_non_finite_numbers_are_written_as_documented()
    {
        using var json = JsonDocument.Parse(JsonReport.Render(Sample));
        Assert.That(json.RootElement.GetProperty("schemaVersion").GetInt32(), Is.EqualTo(1));
        Assert.That(json.RootElement.GetProperty("comparison").GetProperty("outputs")[0].GetProperty("relativeL2Error").GetString(), Is.EqualTo("Infinity"));
        Assert.That(json.RootElement.GetProperty("analysis").ValueKind, Is.EqualTo(JsonValueKind.Null));
    }

    // The backticked names in the first column of the table under "## heading" or "### heading".
    private static List<string> DocumentedFields(string heading)
    {
        var doc = File.ReadAllLines(Path.Combine(RepositoryFiles.Root, "docs", "report-schema.md"));
        var start = Array.FindIndex(doc, l => l.TrimStart('#').Trim() == heading && l.StartsWith('#'));
        Assert.That(start, Is.GreaterThanOrEqualTo(0), $"no heading '{heading}' in docs/report-schema.md");
        var fields = new List<string>();
        for (var i = start + 1; i < doc.Length && !doc[i].StartsWith('#'); i++)
        {
            if (!doc[i].StartsWith("| `", StringComparison.Ordinal)) continue;
            var firstCell = doc[i].Split('|')[1];
            fields.AddRange(FieldName().Matches(firstCell).Select(m => m.Groups[1].Value));
        }
        return fields;
    }

    [GeneratedRegex("`([A-Za-z0-9]+)`")]
    private static partial Regex FieldName();
}
