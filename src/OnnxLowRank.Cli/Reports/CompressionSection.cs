using OnnxLowRank.Core.Allocation;
using OnnxLowRank.Core.Factorization;
using OnnxLowRank.Core.Pipeline;

namespace OnnxLowRank.Cli.Reports;

/// <summary>What compress did: the budget asked for, what was kept, and each rewritten layer.</summary>
/// <param name="Method">The allocator that chose the ranks (auto resolved to its choice).</param>
/// <param name="Budget">parameters, flops or energy.</param>
/// <param name="KeepFraction">The fraction asked to keep (parameters and flops budgets), else null.</param>
/// <param name="EnergyThreshold">ARSVD's energy share (energy budget), else null.</param>
/// <param name="KeptFraction">The share of the budget's cost the allocation kept.</param>
/// <param name="MaxErrorBound">The largest per-layer relative error bound the allocation accepted.</param>
/// <param name="ConvRankMultiple">The multiple the Conv ranks were chosen on (1 = any rank).</param>
/// <param name="ConvRankMultipleAsked">The multiple asked for (--conv-rank-multiple); larger than <paramref name="ConvRankMultiple"/> when the budget could not be met on it.</param>
/// <param name="Calibration">The calibration data when the factorization was data-aware, else null.</param>
/// <param name="Timing">Per layer, its time and its chosen pair's, each timed on its own, when latency-aware; else null.</param>
public sealed record CompressionSection(
    string Method,
    CalibrationSummary? Calibration,
    string Budget,
    double? KeepFraction,
    double? EnergyThreshold,
    double KeptFraction,
    double MaxErrorBound,
    int ConvRankMultiple,
    int ConvRankMultipleAsked,
    long BudgetParametersBefore,
    long BudgetParametersAfter,
    long? BudgetFlopsBefore,
    long? BudgetFlopsAfter,
    IReadOnlyList<CompressedLayer> Layers,
    IReadOnlyList<SkippedEntry> Skipped,
    IReadOnlyList<LayerTimingEntry>? Timing = null)
{
    public static CompressionSection From(PipelineResult result, PipelineOptions options) => new(
        result.Allocation.Allocator,
        CalibrationSummary.Of(result.Analysis),
        System.Text.Json.JsonNamingPolicy.CamelCase.ConvertName(options.Budget.ToString()),
        options.Budget == BudgetKind.Energy ? null : options.KeepFraction,
        options.Budget == BudgetKind.Energy ? options.EnergyThreshold : null,
        result.Allocation.KeptFraction,
        result.Allocation.MaxErrorBound,
        result.Allocation.ConvRankMultiple,
        options.ConvRankMultiple,
        result.Analysis.BudgetParameters,
        result.BudgetParametersAfter,
        result.Analysis.BudgetFlops,
        result.BudgetFlopsAfter,
        result.Compression.Layers.Select(l => new CompressedLayer(
            l.NodeName, l.Kind.ToString(), l.SliceCount, l.Rank, l.OriginalParameters, l.NewParameters, l.RelativeError,
            l.Order == FactorOrder.InputFirst ? "input-first" : "kernel-first",
            string.Join("; ", result.Analysis.Layers.FirstOrDefault(a => a.Name == l.NodeName)?.WhiteningNotes ?? []))).ToList(),
        result.Compression.Skipped.Select(SkippedEntry.From).ToList(),
        result.Timing?.Select(t => new LayerTimingEntry(t.Name, t.OriginalMilliseconds, t.ChosenMilliseconds, t.SliceCount, t.Rank, t.IsWhole ? "whole" : "factorized", t.Reason)).ToList());
}

/// <param name="OriginalMs">The layer as it stands, timed on its own (median).</param>
/// <param name="ChosenMs">The chosen pair timed on its own (median); null when the layer stays whole.</param>
/// <param name="Outcome">factorized or whole.</param>
/// <param name="Reason">Why.</param>
public sealed record LayerTimingEntry(string Name, double OriginalMs, double? ChosenMs, int SliceCount, int Rank, string Outcome, string Reason);

/// <param name="SliceCount">k, the channel slices (1 = plain SVD).</param>
/// <param name="Rank">j, the rank per slice.</param>
/// <param name="RelativeError">||W - W^||_2 / ||W||_2 of the factorized weight.</param>
/// <param name="Order">kernel-first (the k x k Conv, then a 1x1) or input-first (a 1x1 Conv, then the k x k).</param>
/// <param name="Note">
/// Where data-aware factors fell short for the layer ("weight-only: inside a subgraph, ...", a larger whitening ridge); empty otherwise.
/// </param>
public sealed record CompressedLayer(string Name, string Op, int SliceCount, int Rank, long OriginalParameters, long NewParameters, double RelativeError,
    string Order, string Note);
