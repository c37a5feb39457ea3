using OnnxLowRank.Cli.Reports;
using OnnxLowRank.Cli.Terminal;
using OnnxLowRank.Core.Allocation;
using OnnxLowRank.Core.Data;
using OnnxLowRank.Core.Execution;
using OnnxLowRank.Core.Pipeline;
using OnnxLowRank.Core.Search;
using OnnxLowRank.Core.Validation;
using OnnxLowRank.Onnx.Errors;
using OnnxLowRank.Onnx.Protos;

namespace OnnxLowRank.Cli.Commands;

/// <summary>
/// compress with a gate and --validate but no keep option: the smallest keep fraction whose model passes the gate
/// (<see cref="KeepSearch"/>). The model is analysed once (layers, output sizes, calibration statistics, spectra, layer
/// times, sensitivity), and every step allocates from that analysis, rewrites, and compares with the original on the
/// validation data, one line per step.
/// </summary>
internal static class GateSearch
{
    /// <summary>What the search leaves for compress to write and report.</summary>
    /// <param name="Compressed">The chosen step's compression: the smallest passing fraction's, or the highest fraction's when none passed.</param>
    /// <param name="Comparison">That step's validation.</param>
    /// <param name="Gates">Its gate outcomes.</param>
    public sealed record Outcome(PipelineResult Compressed, ModelComparison Comparison, IReadOnlyList<GateOutcome> Gates, SearchSection Section);

    /// <summary>The figures of one validated step; the model itself is not kept (see <see cref="Run"/>).</summary>
    private sealed record Trial(double KeptFraction, ModelComparison Comparison, IReadOnlyList<GateOutcome> Gates)
    {
        public bool Passed => Gates.All(g => g.Passed);
    }

    /// <summary>
    /// Runs the search. Only one compressed model is held at a time besides the step in progress: the last one that passed
    /// (or the first step's, until one does). Each pass is smaller than every pass before it (<see cref="KeepSearch"/>), so
    /// that model is the chosen step's: the written model is the one validated, without recompressing it.
    /// </summary>
    public static Outcome Run(ConsoleSession console, IModelRunner runner, string path, ModelProto model, PipelineOptions options, QualityGate gate,
        KeepSearchOptions search, IModelSession originalSession, IDataSource validation, int batchSize)
    {
        var pipeline = new CompressionPipeline(runner);
        // Options that cannot run together fail before the analysis, as in a single compression.
        var job = CompressionJob.Resolve(options);
        if (!job.Allocator.NeedsBudget)
        {
            throw new InvalidOptionsException($"method '{job.Allocator.Name}' keeps a share of each layer's energy by its own rule, so there is no keep fraction to search",
                $"search with a method that allocates under a budget ({string.Join(", ", RankAllocators.All.Where(a => a.NeedsBudget).Select(a => a.Name))}), or give --energy");
        }
        var analysis = console.WithProgress(report => ModelErrors.Naming(path, () => pipeline.Analyze(model, options, PipelineProgressBridge.To(report))));
        var vocabulary = TokenEmbeddings.Vocabulary(model);
        var budget = BudgetName(options.Budget);
        console.Info($"searching the smallest keep fraction of {budget} that passes, in [{search.Low:0.####}, {search.High:0.####}] to {search.Tolerance:0.####}"
            + $" ({KeepSearch.MaxSteps(search)} steps at most)");

        (double Keep, PipelineResult Compressed)? held = null;
        Trial Compress(double keep) => console.WithProgress(report =>
        {
            var compressed = ModelErrors.Naming(path, () => pipeline.Compress(model, analysis, options with { KeepFraction = keep }, PipelineProgressBridge.To(report)));
            ModelComparison comparison;
            using (var session = runner.Open(compressed.Compression.Model))
                comparison = ComparisonRun.Compare(originalSession, session, validation, batchSize, vocabulary, report, "validating", briefTiming: true);
            var trial = new Trial(compressed.Allocation.KeptFraction, comparison, gate.Evaluate(comparison));
            if (trial.Passed || held is null) held = (keep, compressed);
            return trial;
        });

        var result = KeepSearch.Run(search, Compress, t => t.Passed, step => console.Info(StepLine(step, budget)));
        var chosen = result.Chosen;
        if (held is not { } written || written.Keep != chosen.KeepFraction || chosen.Result is null)
            throw new InvalidOperationException("The model held is the chosen step's, which was validated.");
        var steps = result.Steps.Select(s => new SearchStepEntry(s.Index, s.KeepFraction, s.Result?.KeptFraction, s.Passed, s == chosen, s.Result?.Gates ?? [], s.Unreachable)).ToList();
        console.Info(result.Found
            ? $"chose keep {chosen.KeepFraction:0.####}: the smallest that passed, in {result.Steps.Count} steps"
            : $"even keep {chosen.KeepFraction:0.####} fails the gate; writing that model");
        return new Outcome(written.Compressed, chosen.Result.Comparison, chosen.Result.Gates,
            new SearchSection(budget, search.Low, search.High, search.Tolerance, result.Found, chosen.KeepFraction, steps));
    }

    private static string StepLine(KeepTrial<Trial> step, string budget)
    {
        var head = $"search step {step.Index}: keep {step.KeepFraction:0.####}";
        if (step.Result is not { } trial) return $"{head}: unreachable ({step.Unreachable})";
        var gates = string.Join(", ", trial.Gates.Select(g => g.Description));
        return $"{head}, kept {trial.KeptFraction:0.####} of {budget}: {gates}: {(step.Passed ? "passed" : "failed")}";
    }

    /// <summary>The budget's name in reports and messages.</summary>
    public static string BudgetName(BudgetKind budget) => budget switch
    {
        BudgetKind.Flops => "flops",
        BudgetKind.Latency => "latency",
        _ => "parameters",
    };
}
