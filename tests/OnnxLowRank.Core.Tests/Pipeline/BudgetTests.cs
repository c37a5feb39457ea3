using OnnxLowRank.Core.Allocation;
using OnnxLowRank.Core.Tests.Support;
using OnnxLowRank.Core.Pipeline;
using OnnxLowRank.Onnx;
using OnnxLowRank.Runtime;

namespace OnnxLowRank.Core.Tests.Pipeline;

/// <summary>
/// The budget holds on the trained reference models: whatever is kept, counted on the rewritten
/// model itself, is at most the target and within 1% of the total below it.
/// </summary>
public class BudgetTests
{
    private static readonly double[] KeepFractions = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9];

    private static IEnumerable<TestCaseData> Cases() =>
        from model in ReferenceModels.All
        from budget in new[] { BudgetKind.Parameters, BudgetKind.Flops }
        from method in SpectrumAllocators.Names
        select new TestCaseData(model, budget, method);

    [TestCaseSource(nameof(Cases))]
    public void KeptAmountMeetsEveryTarget(string modelFile, BudgetKind budget, string method)
    {
        var model = OnnxModelFile.Load(ReferenceModels.Path(modelFile));
        var runner = new OnnxRuntimeModelRunner(new OnnxRuntimeRunnerOptions { IntraOpNumThreads = 1 });
        var pipeline = new CompressionPipeline(runner);
        var options = new PipelineOptions { Method = method, Budget = budget };
        var analysis = pipeline.Analyze(model, options);
        // The total measured independently by the same count the check below applies to the rewritten model.
        var total = Measure(pipeline, model, budget);
        Assert.That(total, Is.EqualTo(budget == BudgetKind.Parameters ? analysis.BudgetParameters : analysis.BudgetFlops));

        foreach (var keep in KeepFractions)
        {
            var result = pipeline.Compress(model, analysis, options with { KeepFraction = keep });
            var kept = Measure(pipeline, result.Compression.Model, budget);
            var target = keep * total;
            TestContext.Out.WriteLine($"{modelFile} {budget} {method} keep {keep:0.0}: kept {kept / total:0.0000}");
            Assert.That(kept, Is.LessThanOrEqualTo(target), $"keep {keep}: over budget");
            Assert.That(kept, Is.GreaterThanOrEqualTo(target - 0.01 * total), $"keep {keep}: more than 1% below the target");
        }
    }

    /// <summary>
    /// Weights (or multiply-accumulates, from a real run) of every constant-weight Gemm, MatMul and
    /// Conv of a model, compressible or not: after a rewrite the factor pairs are such layers too.
    /// </summary>
    private static double Measure(CompressionPipeline pipeline, Onnx.Protos.ModelProto model, BudgetKind budget)
    {
        var analysis = pipeline.Analyze(model, new PipelineOptions { Allocation = AllocationSettings.Default with { MaxSliceCount = 1 } });
        return budget == BudgetKind.Parameters ? analysis.BudgetParameters : analysis.BudgetFlops!.Value;
    }
}
