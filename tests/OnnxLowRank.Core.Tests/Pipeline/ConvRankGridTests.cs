using OnnxLowRank.Core.Allocation;
using OnnxLowRank.Core.Tests.Support;
using OnnxLowRank.Core.Pipeline;
using OnnxLowRank.Onnx;
using OnnxLowRank.Onnx.Protos;
using OnnxLowRank.Runtime;

namespace OnnxLowRank.Core.Tests.Pipeline;

/// <summary>
/// The Conv rank grid, read off the written model: every factor Conv pair has per-group channel counts that
/// are multiples of the grid (k &gt; 1 only when the slices keep whole blocks), whatever the method.
/// </summary>
public class ConvRankGridTests
{
    private static IEnumerable<TestCaseData> Cases() =>
        from method in SpectrumAllocators.Names
        from multiple in new[] { 8, 16 }
        select new TestCaseData(method, multiple);

    [Test]
    public void TheDefaultGridIsSixteenUnderBudgetsOnComputeAndAnyRankUnderBudgetsOnSize()
    {
        Assert.That(new PipelineOptions { Budget = BudgetKind.Flops }.ConvRankMultiple, Is.EqualTo(16));
        Assert.That(new PipelineOptions { Budget = BudgetKind.Latency }.ConvRankMultiple, Is.EqualTo(16));
        Assert.That(new PipelineOptions { Budget = BudgetKind.Parameters }.ConvRankMultiple, Is.EqualTo(1));
        Assert.That(new PipelineOptions { Budget = BudgetKind.Energy }.ConvRankMultiple, Is.EqualTo(1));
        Assert.That(new PipelineOptions { Budget = BudgetKind.Parameters, Allocation = new AllocationSettings { ConvRankMultiple = 8 } }.ConvRankMultiple, Is.EqualTo(8));
    }

    [TestCaseSource(nameof(Cases))]
    public void FactorConvsKeepWholeChannelBlocks(string method, int multiple)
    {
        var model = OnnxModelFile.Load(ReferenceModels.Path("resnet.onnx"));
        var pipeline = new CompressionPipeline(new OnnxRuntimeModelRunner(new OnnxRuntimeRunnerOptions { IntraOpNumThreads = 1 }));
        var options = new PipelineOptions
        {
            Method = method,
            Budget = BudgetKind.Flops,
            KeepFraction = 0.5,
            Allocation = AllocationSettings.Default with { ConvRankMultiple = multiple },
        };
        var result = pipeline.Compress(model, options);

        var graph = result.Compression.Model.Graph;
        var weights = graph.Initializer.ToDictionary(t => t.Name, t => t.Dims.ToArray());
        var producers = graph.Node.SelectMany(n => n.Output.Select(o => (Output: o, Node: n))).ToDictionary(p => p.Output, p => p.Node);
        var pairs = 0;
        foreach (var second in graph.Node.Where(n => n.OpType == "Conv" && n.Name.EndsWith("_lowrank_second", StringComparison.Ordinal)))
        {
            var first = producers[second.Input[0]];
            var firstGroups = GroupOf(first);
            var q = weights[first.Input[1]];
            // Q is (g*k*j, c/(g*k), kernel): j filters per first-conv group, each reading c/(g*k) channels.
            var rank = q[0] / firstGroups;
            var sliceChannels = q[1];
            var sliceCount = firstGroups / GroupOf(second);
            Assert.That(rank % multiple, Is.Zero, $"{first.Name}: rank {rank}");
            if (sliceCount > 1) Assert.That(sliceChannels % multiple, Is.Zero, $"{first.Name}: {sliceCount} slices of {sliceChannels} channels");
            pairs++;
        }
        Assert.That(pairs, Is.GreaterThan(5), "most of the CNN's convolutions are factorized at half the FLOPs");
        Assert.That(pairs, Is.EqualTo(result.Allocation.Layers.Count(l => !l.IsWhole)));
    }

    /// <summary>
    /// On a grid of 16 the CNN's 32-channel convolutions cannot go below rank 16, about 55% of their FLOPs: a
    /// quarter of the FLOPs is out of reach on the grid, so it is allocated on a finer one and says so.
    /// </summary>
    [Test]
    public void ABudgetTheGridCannotReachIsMetWithEveryRankAllowed()
    {
        var model = OnnxModelFile.Load(ReferenceModels.Path("resnet.onnx"));
        var pipeline = new CompressionPipeline(new OnnxRuntimeModelRunner(new OnnxRuntimeRunnerOptions { IntraOpNumThreads = 1 }));
        var options = new PipelineOptions { Method = "alds", Budget = BudgetKind.Flops };
        var analysis = pipeline.Analyze(model, options);

        var half = pipeline.Compress(model, analysis, options with { KeepFraction = 0.5 }).Allocation;
        Assert.That(half.ConvRankMultiple, Is.EqualTo(16));
        var quarter = pipeline.Compress(model, analysis, options with { KeepFraction = 0.25 }).Allocation;
        Assert.That(quarter.ConvRankMultiple, Is.LessThan(16));
        Assert.That(quarter.KeptCost, Is.LessThanOrEqualTo(quarter.TargetCost!.Value));
        Assert.That(quarter.Layers.Where(l => !l.IsWhole).Select(l => l.Rank), Has.All.Matches<int>(r => r % quarter.ConvRankMultiple == 0));
        Assert.That(quarter.Layers.Any(l => !l.IsWhole && l.Rank % 16 != 0), "ranks off the grid of 16 were needed");
        Assert.Throws<BudgetUnreachableException>(() => pipeline.Compress(model, analysis, options with
        {
            KeepFraction = 0.25,
            Allocation = AllocationSettings.Default with { MinimumRank = 16 },
        }), "with rank 16 as the minimum no grid reaches a quarter");
    }

    private static long GroupOf(NodeProto node) => node.Attribute.FirstOrDefault(a => a.Name == "group")?.I ?? 1;
}
