using System.CommandLine;
using OnnxLowRank.Cli.Reports;

namespace OnnxLowRank.Cli.Commands;

/// <summary>--report FILE: the extension (.json, .md, .html) picks the format.</summary>
internal static class ReportOption
{
    public static Option<string?> Create()
    {
        var option = new Option<string?>("--report") { Description = "Write a report; the extension picks JSON (.json), Markdown (.md) or HTML (.html)", HelpName = "FILE" };
        option.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<string?>() is { } path && ReportFormats.ForPath(path) is null)
                result.AddError($"--report '{path}': the extension must be .json, .md or .html.");
        });
        return option;
    }
}
