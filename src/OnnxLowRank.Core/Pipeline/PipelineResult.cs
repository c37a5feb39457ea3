using OnnxLowRank.Core.Allocation;
using OnnxLowRank.Core.Analysis;
using OnnxLowRank.Core.Latency;
using OnnxLowRank.Core.Planning;
using OnnxLowRank.Core.Rewrites;

namespace OnnxLowRank.Core.Pipeline;

/// <summary>Everything one compression produced: the analysis it started from, the allocation, the plan and the rewritten model.</summary>
/// <param name="ParametersBefore">Every stored parameter of the input model (initializers and Constant tensors).</param>
/// <param name="ParametersAfter">The same count on the rewritten model.</param>
public sealed record PipelineResult(
    ModelAnalysis Analysis,
    AllocationResult Allocation,
    CompressionPlan Plan,
    CompressionResult Compression,
    long ParametersBefore,
    long ParametersAfter)
{
    /// <summary>Per layer, the original and chosen times, when the compression was latency-aware; else null.</summary>
    public IReadOnlyList<LayerTiming>? Timing { get; init; }

    /// <summary>The budget's parameters after the rewrites (layers left whole at full size).</summary>
    public long BudgetParametersAfter => Analysis.BudgetParameters - Compression.ParametersSaved;

    /// <summary>The budget's multiply-accumulates per sample after the rewrites; null when the model was not run.</summary>
    public long? BudgetFlopsAfter
    {
        get
        {
            if (Analysis.BudgetFlops is not { } before) return null;
            var positions = Analysis.CountedLayers(BudgetKind.Flops).ToDictionary(l => l.Name, l => l.OutputPositions!.Value);
            // Both nodes of a pair produce outputs at the original layer's positions (the second is 1x1 or a row-wise Gemm).
            // A layer the FLOP total leaves out (a parameter budget may still compress it) changes nothing in it.
            return before - Compression.Layers.Sum(o => (o.OriginalParameters - o.NewParameters) * positions.GetValueOrDefault(o.NodeName));
        }
    }
}
