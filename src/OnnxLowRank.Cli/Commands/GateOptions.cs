using System.CommandLine;
using OnnxLowRank.Core.Validation;

namespace OnnxLowRank.Cli.Commands;

/// <summary>Quality gates: a failed gate makes the command exit with code 1.</summary>
internal sealed class GateOptions
{
    public Option<double?> MaxAccuracyDrop { get; } = new Option<double?>("--max-accuracy-drop")
    {
        Description = "Fail when accuracy drops by more than this many percentage points (needs labels)",
        HelpName = "PTS",
    }.Between(0, 100);

    public Option<double?> MinAgreement { get; } = new Option<double?>("--min-agreement")
    {
        Description = "Fail when top-1 agreement with the original falls below this fraction",
        HelpName = "FRAC",
    }.Between(0, 1);

    public void AddTo(Command command)
    {
        command.Add(MaxAccuracyDrop);
        command.Add(MinAgreement);
    }

    public QualityGate Read(ParseResult result) => new(result.GetValue(MaxAccuracyDrop), result.GetValue(MinAgreement));
}
