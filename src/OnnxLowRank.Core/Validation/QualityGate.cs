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

    /// <summary>
    /// Accuracy and agreement are ratios of counts, and a drop is a difference of two of them scaled to points: 5 samples
    /// in 1,000 come out as 0.5000000000000004 points, so a result exactly at the threshold is allowed this much past it.
    /// </summary>
    private const double CountRounding = 1e-9;

    public IReadOnlyList<GateOutcome> Evaluate(ModelComparison comparison)
    {
        var outcomes = new List<GateOutcome>();
        var primary = comparison.Primary;
        if (MaxAccuracyDropPoints is { } maxDrop)
        {
            var drop = primary?.AccuracyDropPoints
                ?? throw new InvalidInputDataException("An accuracy gate needs labels and a classifier output, and these inputs or this model have none.",
                    subject: primary?.Name, advice: "give --labels, or gate on agreement instead");
            var held = drop <= maxDrop + CountRounding;
            outcomes.Add(new GateOutcome("max-accuracy-drop", maxDrop, drop, held,
                $"accuracy drop {drop:0.###} pt {(held ? "<=" : ">")} {maxDrop:0.###} pt"));
        }
        if (MinAgreement is { } minAgreement)
        {
            var agreement = primary?.TopOneAgreement
                ?? throw new InvalidInputDataException("An agreement gate needs a classifier output (last axis longer than 1), and this model has none.",
                    subject: primary?.Name, advice: "gate on accuracy or drop --min-agreement");
            var held = agreement >= minAgreement - CountRounding;
            outcomes.Add(new GateOutcome("min-agreement", minAgreement, agreement, held,
                $"top-1 agreement {agreement:0.####} {(held ? ">=" : "<")} {minAgreement:0.####}"));
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
