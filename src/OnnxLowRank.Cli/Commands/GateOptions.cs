using System.CommandLine;
using System.CommandLine.Parsing;
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

    public Option<double?> MinCosine { get; } = new Option<double?>("--min-cosine")
    {
        Description = "Fail when the mean-pooled cosine of a token model's embedding output with the original's falls below this",
        HelpName = "C",
    }.Between(-1, 1);

    /// <summary>Every gate option, in the order the gates are checked.</summary>
    public IReadOnlyList<Option> All => [MaxAccuracyDrop, MinAgreement, MinCosine];

    public void AddTo(Command command)
    {
        foreach (var option in All) command.Add(option);
    }

    /// <summary>True when the command line sets any gate.</summary>
    public bool AnyGiven(CommandResult result) => All.Any(o => result.GetResult(o) is { Implicit: false });

    public QualityGate Read(ParseResult result) => new(result.GetValue(MaxAccuracyDrop), result.GetValue(MinAgreement), result.GetValue(MinCosine));
}
