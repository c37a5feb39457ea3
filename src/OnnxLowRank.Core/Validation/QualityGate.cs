using OnnxLowRank.Core.Data;

namespace OnnxLowRank.Core.Validation;

/// <summary>One checked threshold: what was required, what was measured, whether it held.</summary>
public sealed record GateOutcome(string Name, double Threshold, double Actual, bool Passed, string Description);

/// <summary>
/// Thresholds a compressed model must meet on the <see cref="ModelComparison.Primary"/> output:
/// at most <see cref="MaxAccuracyDropPoints"/> percentage points of accuracy lost (needs labels),
/// at least <see cref="MinAgreement"/> top-1 agreement (needs a classifier output)
/// and at least <see cref="MinCosine"/> mean-pooled cosine (needs a token model's embedding output).
/// </summary>
public sealed record QualityGate(double? MaxAccuracyDropPoints = null, double? MinAgreement = null, double? MinCosine = null)
{
    /// <summary>True when at least one threshold is set.</summary>
    public bool Any => MaxAccuracyDropPoints.HasValue || MinAgreement.HasValue || MinCosine.HasValue;

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
        if (MinCosine is { } minCosine)
        {
            var cosine = primary?.Tokens?.MeanPooledCosine
                ?? throw new InvalidInputDataException("A cosine gate needs an embedding output of a token model (one vector per token, not logits), and this model has none.",
                    subject: primary?.Name, advice: "gate on accuracy or agreement, or drop --min-cosine");
            outcomes.Add(new GateOutcome("min-cosine", minCosine, cosine, cosine >= minCosine,
                $"mean-pooled cosine {cosine:0.######} {(cosine >= minCosine ? ">=" : "<")} {minCosine:0.######}"));
        }
        return outcomes;
    }
}
