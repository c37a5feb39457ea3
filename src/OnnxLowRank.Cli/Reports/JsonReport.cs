using System.Text.Json;
using System.Text.Json.Serialization;

namespace OnnxLowRank.Cli.Reports;

/// <summary>
/// The report as JSON (schema: docs/report-schema.md). Property names are camelCase, enums are
/// strings, every field is written (null when it does not apply), and non-finite numbers are
/// the strings "NaN", "Infinity" and "-Infinity".
/// </summary>
public static class JsonReport
{
    public static readonly JsonSerializerOptions Options = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
    };

    public static string Render(RunReport report) => JsonSerializer.Serialize(report, Options) + "\n";
}
