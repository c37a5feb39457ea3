using OnnxLowRank.Core.Data;

namespace OnnxLowRank.Core.Validation;

/// <summary>One checked threshold: what was required, what was measured, whether it held.</summary>
public sealed record GateOutcome(string Name, double Threshold, double Actual, bool Passed, string Description);

/// <summary>
/// Thresholds a compressed model must meet on the <see cref="ModelComparison.Primary"/> output:
/// at most <see cref="MaxAccuracyDropPoints"/> percentage points of accuracy lost (needs labels)
/// and at least <see cref="MinAgreement"/> top-1 agreement (needs a classifier output).
/// </summary>
public sealed record QualityGate(double? MaxAccuracyDropPoints = null, double? MinAgreement = null)
{
    public IReadOnlyList<GateOutcome> Evaluate(ModelComparison comparison)
    {
        var outcomes = new List<GateOutcome>();
        var primary = comparison.Primary;
        if (MaxAccuracyDropPoints is { } maxDrop)
        {
            var drop = primary?.AccuracyDropPoints
                ?? throw new InvalidInputDataException("An accuracy gate needs labels and a classifier output, and these inputs or this model have none.",
                    subject: primary?.Name, advice: "give --labels, or gate on agreement instead");
            outcomes.Add(new GateOutcome("max-accuracy-drop", maxDrop, drop, drop <= maxDrop,
                $"accuracy drop {drop:0.###} pt {(drop <= maxDrop ? "<=" : ">")} {maxDrop:0.###} pt"));
        }
        if (MinAgreement is { } minAgreement)
        {
            var agreement = primary?.TopOneAgreement
                ?? throw new InvalidInputDataException("An agreement gate needs a classifier output (last axis longer than 1), and this model has none.",
                    subject: primary?.Name, advice: "gate on accuracy or drop --min-agreement");
            outcomes.Add(new GateOutcome("min-agreement", minAgreement, agreement, agreement >= minAgreement,
                $"top-1 agreement {agreement:0.####} {(agreement >= minAgreement ? ">=" : "<")} {minAgreement:0.####}"));
        }
        return outcomes;
    }
}
