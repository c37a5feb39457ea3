using OnnxLowRank.Cli.Reports;
using OnnxLowRank.Cli.Terminal;

namespace OnnxLowRank.Cli.Commands;

/// <summary>The end of every command: tables on standard output, the report file, failed gates on standard error, the exit code.</summary>
internal static class ReportPresentation
{
    public static int Finish(ConsoleSession console, RunReport report, string? reportPath)
    {
        if (!console.Quiet)
        {
            foreach (var section in ReportSections.Of(report)) TableRendering.Write(console.Out, section);
        }
        if (reportPath is not null)
        {
            ReportFile.Write(report, reportPath);
            console.Info($"report written to {reportPath}");
        }
        foreach (var failed in report.Gates.Where(g => !g.Passed)) console.Error.WriteLine($"gate failed: {failed.Description}");
        return report.Passed ? ExitCode.Success : ExitCode.GateFailed;
    }
}
