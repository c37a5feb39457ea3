using OnnxLowRank.Core.Allocation;
using OnnxLowRank.Core.Latency;
using OnnxLowRank.Core.Layers;
using OnnxLowRank.Core.Pipeline;
using OnnxLowRank.Core.Tests.Support;
using OnnxLowRank.Onnx.Protos;

namespace OnnxLowRank.Core.Tests.Pipeline;

/// <summary>How budgets count embeddings: their tables in parameters, a tied head's products in FLOPs, a lone lookup not at all.</summary>
public class EmbeddingBudgetTests
{
    private const int Vocabulary = 200;
    private const int Width = 16;

    /// <summary>Token table T (tied to the head) and position table P, both looked up; the sum goes through a 16 x 16 MatMul to the tied head.</summary>
    private static ModelProto Model()
    {
        var b = new ModelBuilder();
        var t = b.Initializer("T", [Vocabulary, Width], RandomValues.Normal(31, Vocabulary * Width));
        b.Node("Gather", "tokens", [t, b.IndexInput("input_ids", 1, 6)], "x");
        b.Node("Gather", "positions", [b.Initializer("P", [64, Width], RandomValues.Normal(32, 64 * Width)), b.IndexInput("position_ids", 1, 6)], "p");
        b.Node("Add", "sum", ["x", "p"], "h0");
        b.Node("MatMul", "mix", ["h0", b.Initializer("W", [Width, Width], RandomValues.Normal(33, Width * Width))], "h");
        b.Node("Transpose", "tie", [t], "TT", ModelBuilder.Ints("perm", 1, 0));
        b.Node("MatMul", "head", ["h", "TT"], b.Output("logits"));
        return b.Build();
    }

    [Test]
    public void FlopBudgetCountsTheTiedHeadAndLeavesTheLoneLookupWhole()
    {
        var model = Model();
        var options = new PipelineOptions { Budget = BudgetKind.Flops, KeepFraction = 0.8, Method = "alds" };

        var analysis = new CompressionPipeline(Engine.Runner).Analyze(model, options);
        var result = new CompressionPipeline(Engine.Runner).Compress(model, analysis, options);

        var tokens = analysis.Layers.Single(l => l.Name == "tokens");
        var positions = analysis.Layers.Single(l => l.Name == "positions");
        Assert.Multiple(() =>
        {
            // 6 positions of logits, V H each; the position lookup multiplies nothing.
            Assert.That(tokens.Flops, Is.EqualTo(6L * Vocabulary * Width));
            Assert.That(positions.UncountedCost, Is.Not.Null);
            Assert.That(analysis.BudgetFlops, Is.EqualTo(6L * Vocabulary * Width + 6L * Width * Width));
            Assert.That(analysis.BudgetParameters, Is.EqualTo((long)Vocabulary * Width + 64 * Width + Width * Width));
            Assert.That(result.Compression.Skipped.Single(s => s.NodeName == "positions").Reason, Is.EqualTo(SkipReason.NoFlopsToSave));
            Assert.That(result.Compression.Layers.Select(l => l.NodeName), Has.Member("tokens"), "the head's FLOPs are most of the budget");
        });
    }

    [Test]
    public void LatencyAwareAnalysisLeavesEmbeddingsWholeAndUntimed()
    {
        var analysis = new CompressionPipeline(Engine.Runner).Analyze(Model(),
            new PipelineOptions { LatencyAware = true, Latency = new LatencyOptions { WarmRuns = 1, Runs = 3 }, Method = "global-energy" });

        Assert.That(analysis.Layers.Select(l => l.Name), Is.EqualTo(new[] { "mix" }));
        Assert.That(analysis.Skipped.Where(s => s.Reason == SkipReason.NotTimed).Select(s => s.NodeName), Is.EquivalentTo(new[] { "tokens", "positions" }));
    }
}
