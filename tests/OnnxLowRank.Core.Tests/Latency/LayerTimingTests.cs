using OnnxLowRank.Core.Allocation;
using OnnxLowRank.Core.Execution;
using OnnxLowRank.Core.Latency;
using OnnxLowRank.Core.Layers;
using OnnxLowRank.Core.Pipeline;
using OnnxLowRank.Core.Tests.Support;
using OnnxLowRank.Onnx;
using OnnxLowRank.Onnx.Protos;
using OnnxLowRank.Runtime;

namespace OnnxLowRank.Core.Tests.Latency;

/// <summary>
/// Layers timed in ONNX Runtime (one thread): the timed model is the real layer on its real input,
/// times are positive, a layer whose pair is slower stays whole, and a latency budget holds against
/// the measured per-layer table.
/// </summary>
public class LayerTimingTests
{
    private static readonly IModelRunner Runner = new OnnxRuntimeModelRunner(new OnnxRuntimeRunnerOptions { IntraOpNumThreads = 1 });
    private static readonly LatencyOptions Quick = new() { WarmRuns = 2, Runs = 9 };

    [Test]
    public void TheTimedModelIsTheLayerOnItsRealInput()
    {
        // Every conv of the reference ResNet, run alone on the activation the full model feeds it, gives the full model's output.
        var model = OnnxModelFile.Load(RepositoryFiles.Model("resnet.onnx"));
        var layers = LayerDiscovery.Find(model).Layers;
        var values = layers.SelectMany(l => new[] { l.Node.Input[0], l.Node.Output[0] }).Distinct().ToList();
        var input = TensorData.FromFloats([1, 1, 28, 28], RandomValues.Normal(5, 784).Select(v => (float)v).ToArray());
        var inputName = model.Graph.Input[0].Name;
        var graphOutputs = model.Graph.Output.Select(o => o.Name).ToHashSet();
        var full = Engine.Run(model, new Dictionary<string, TensorData> { [inputName] = input }, values.Where(v => v != inputName && !graphOutputs.Contains(v)).ToList());
        var shapes = LayerInputShapes.Measure(model, layers.Select(l => l.Node.Input[0]).ToList(), Runner, DimensionSizes.None);
        foreach (var layer in layers)
        {
            var activation = layer.Node.Input[0] == inputName ? input : full[layer.Node.Input[0]];
            Assert.That(shapes[layer.Node.Input[0]].Dimensions, Is.EqualTo(activation.Shape), layer.NodeName);
            var single = SingleLayerModel.Build(model, layer.Node, shapes[layer.Node.Input[0]]);
            var alone = Engine.Run(single, new Dictionary<string, TensorData> { [layer.Node.Input[0]] = activation })[layer.Node.Output[0]];
            Assert.That(Closeness.Mismatch(alone.ToDoubles(), full[layer.Node.Output[0]].ToDoubles(), 1e-5, 1e-5), Is.Null, layer.NodeName);
        }
    }

    [Test]
    public void EveryLayerAndEveryTimedPairHasAPositiveMedian()
    {
        var model = OnnxModelFile.Load(RepositoryFiles.Model("mlp.onnx"));
        var analysis = new CompressionPipeline(Runner).Analyze(model, new PipelineOptions { LatencyAware = true, Latency = Quick, Method = "global-energy" });
        Assert.That(analysis.IsTimed);
        foreach (var layer in analysis.Layers)
        {
            var profile = layer.Latency!.Profile;
            TestContext.Out.WriteLine($"{layer.Name}: whole {profile.WholeMilliseconds:0.0000} ms; pairs {string.Join(", ", profile.Points(1).Select(p => $"j={p.Rank}: {p.Milliseconds:0.0000}"))}");
            Assert.That(profile.WholeMilliseconds, Is.GreaterThan(0).And.LessThan(1000), layer.Name);
            Assert.That(profile.SliceCounts, Is.EqualTo(new[] { 1 }), "global-energy uses plain SVD only");
            Assert.That(profile.Points(1), Is.Not.Empty, layer.Name);
            Assert.That(profile.Points(1).Select(p => p.Milliseconds), Is.All.GreaterThan(0), layer.Name);
            Assert.That(layer.Latency.Input.Dimensions, Is.EqualTo(new long[] { 1, layer.Layer.Geometry.InputChannels }), layer.Name);
        }
    }

    [Test]
    public void ALayerWhosePairsAreAllSlowerStaysWhole()
    {
        // Two Gemms side by side: 'big' (1024 x 1024, batch 1, bound by reading its weights) gets faster
        // with fewer weights; 'tiny' (8 x 8) costs little more than the engine's per-node overhead, so
        // its pair (two nodes) is slower at every rank. Asked for half the parameters, only 'big' shrinks.
        var builder = new ModelBuilder();
        builder.Input("x", 1, 1024);
        builder.Input("s", 1, 8);
        builder.Node("Gemm", "big", ["x", builder.Initializer("w_big", [1024, 1024], RandomValues.Normal(1, 1024 * 1024))], "y", ModelBuilder.Int("transB", 1));
        builder.Node("Gemm", "tiny", ["s", builder.Initializer("w_tiny", [8, 8], RandomValues.Normal(2, 64))], "t", ModelBuilder.Int("transB", 1));
        builder.Output("y");
        builder.Output("t");
        var model = builder.Build();

        var result = new CompressionPipeline(Runner).Compress(model, new PipelineOptions
        {
            Method = "global-energy", KeepFraction = 0.5, LatencyAware = true, Latency = new LatencyOptions { WarmRuns = 5, Runs = 31 },
        });
        foreach (var row in result.Timing!)
            TestContext.Out.WriteLine($"{row.Name}: {row.OriginalMilliseconds:0.0000} ms -> {row.ChosenMilliseconds:0.0000} ms, {row.Reason}");
        var tiny = result.Timing!.Single(t => t.Name == "tiny");
        Assert.That(tiny.IsWhole, $"tiny: {tiny.Reason}");
        Assert.That(tiny.Reason, Is.EqualTo(LayerTiming.NoFasterPair));
        Assert.That(result.Compression.Layers.Select(l => l.NodeName), Is.EqualTo(new[] { "big" }));
        var big = result.Timing!.Single(t => t.Name == "big");
        Assert.That(big.ChosenMilliseconds, Is.LessThan(big.OriginalMilliseconds));
    }

    [Test]
    public void ALatencyBudgetHoldsAgainstTheMeasuredTable()
    {
        var model = OnnxModelFile.Load(RepositoryFiles.Model("mlp.onnx"));
        var pipeline = new CompressionPipeline(Runner);
        var options = new PipelineOptions { Method = "global-energy", Budget = BudgetKind.Latency, Latency = Quick };
        var analysis = pipeline.Analyze(model, options);
        foreach (var keep in new[] { 0.8, 0.6 })
        {
            var result = pipeline.Compress(model, analysis, options with { KeepFraction = keep });
            var original = result.Timing!.Sum(t => t.OriginalMilliseconds);
            var kept = result.Timing!.Sum(t => t.ChosenMilliseconds ?? t.OriginalMilliseconds);
            TestContext.Out.WriteLine($"keep {keep}: {original:0.0000} -> {kept:0.0000} ms ({kept / original:0.000}); allocation says {result.Allocation.KeptFraction:0.000}");
            Assert.That(kept, Is.LessThanOrEqualTo(keep * original * (1 + 1e-12)), $"keep {keep}");
            Assert.That(result.Allocation.TotalCost, Is.EqualTo(original).Within(1e-9));
            Assert.That(result.Timing!.Where(t => !t.IsWhole), Is.Not.Empty);
            Assert.That(result.Timing!.Where(t => !t.IsWhole).All(t => t.ChosenMilliseconds < t.OriginalMilliseconds));
        }
    }
}
