using OnnxLowRank.Core.Allocation;
using OnnxLowRank.Core.Execution;
using OnnxLowRank.Core.Layers;
using OnnxLowRank.Core.Pipeline;
using OnnxLowRank.Core.Planning;
using OnnxLowRank.Core.Rewrites;
using OnnxLowRank.Core.Tests.Support;
using OnnxLowRank.Onnx;
using OnnxLowRank.Onnx.Protos;
using DataType = OnnxLowRank.Onnx.Protos.TensorProto.Types.DataType;

namespace OnnxLowRank.Core.Tests.Pipeline;

/// <summary>
/// Layers inside If branches and Loop bodies: found under their paths, compressed in the same budget as the main
/// graph and rewritten inside their subgraph, judged against the original model in ONNX Runtime on inputs that take
/// each branch; a Loop's FLOPs are its body's times a constant trip count, and without one a FLOP budget leaves it out.
/// </summary>
public class SubgraphLayerTests
{
    private static readonly PipelineOptions Options = new() { Method = "alds", KeepFraction = 0.5, MaxDegreeOfParallelism = 1 };

    /// <summary>models/subgraph/if_convs.onnx (tools/export_subgraph_models.py): torch's If on the sign of the input's sum.</summary>
    private static ModelProto IfConvs() => OnnxModelFile.Load(RepositoryFiles.Model("subgraph/if_convs.onnx"));

    /// <summary>An input whose sum is positive (the then branch) or negative (the else branch).</summary>
    private static Dictionary<string, TensorData> Input(double sign) => new()
    {
        ["input"] = new TensorData(DataType.Float, [2, 3, 16, 16], RandomValues.Normal(5, 2 * 3 * 16 * 16).Select(v => (float)(sign * Math.Abs(v))).ToArray()),
    };

    private static double[] Logits(ModelProto model, double sign) =>
        Engine.Run(model, Input(sign))["logits"].Values.Cast<float>().Select(v => (double)v).ToArray();

    private static double RelativeError(double[] actual, double[] expected) =>
        Closeness.Norm(actual.Zip(expected, (a, e) => a - e)) / Closeness.Norm(expected);

    /// <summary>The path names of the Convs of one branch, read from the file: "If node/branch/Conv node".</summary>
    private static List<string> BranchConvs(ModelProto model, string branch)
    {
        var owner = model.Graph.Node.Single(n => n.OpType == "If");
        var body = owner.Attribute.Single(a => a.Name == branch).G;
        return body.Node.Where(n => n.OpType == "Conv").Select(n => $"{owner.Name}/{branch}/{n.Name}").ToList();
    }

    [Test]
    public void ConvsInBothIfBranchesAreFactorizedInTheirBranchAndEachBranchStaysCloseToTheOriginal()
    {
        var model = IfConvs();
        var result = new CompressionPipeline(Engine.Runner).Compress(model, Options);

        var rewritten = result.Compression.Layers.ToDictionary(l => l.NodeName);
        foreach (var branch in new[] { "then_branch", "else_branch" })
        {
            var convs = BranchConvs(model, branch);
            Assert.That(convs, Has.Count.EqualTo(2));
            Assert.That(convs.Where(rewritten.ContainsKey), Is.Not.Empty, $"no Conv of {branch} was factorized");
            var body = result.Compression.Model.Graph.Node.Single(n => n.OpType == "If").Attribute.Single(a => a.Name == branch).G;
            Assert.That(body.Initializer, Is.Not.Empty, $"the factors of {branch}'s layers live in {branch}");
        }
        Assert.That(result.BudgetParametersAfter, Is.LessThanOrEqualTo(0.5 * result.Analysis.BudgetParameters), "one budget over both branches");
        // A parameter budget makes no run, so body layers' positions are not measured; a FLOP budget measures both branches
        // although an all-zero input takes only one: 3x3 Convs with pads 1 keep 16 x 16 positions.
        Assert.That(result.Analysis.Layers.Where(l => l.Layer.Kind == LayerKind.Conv).Select(l => l.OutputPositions), Is.All.Null);
        var measured = new CompressionPipeline(Engine.Runner).Analyze(model, Options with { Budget = BudgetKind.Flops });
        Assert.That(measured.Layers.Where(l => l.Layer.Kind == LayerKind.Conv).Select(l => l.OutputPositions), Is.EqualTo(Enumerable.Repeat<long?>(16 * 16, 4)));

        // sign +1 takes then_branch (torch's `if x.sum() > 0`), sign -1 else_branch: each is judged on its own layers' errors.
        foreach (var (sign, branch) in new[] { (1.0, "then_branch"), (-1.0, "else_branch") })
        {
            var errors = BranchConvs(model, branch).Where(rewritten.ContainsKey).Select(n => rewritten[n].RelativeError).ToList();
            var error = RelativeError(Logits(result.Compression.Model, sign), Logits(model, sign));
            TestContext.Out.WriteLine($"{branch}: output relative error {error:0.0000}, layer errors {string.Join(", ", errors.Select(e => e.ToString("0.0000")))}");
            Assert.That(error, Is.GreaterThan(1e-4), $"{branch}: the rewritten layers must change the output");
            // Each factorized layer perturbs its output by at most its relative error times its input: the output's
            // error grows no faster than the product of (1 + e) over the layers, unless the network amplifies it.
            Assert.That(error, Is.LessThanOrEqualTo(2 * (errors.Aggregate(1.0, (p, e) => p * (1 + e)) - 1)), branch);
        }
    }

    [Test]
    public void AtFullRankEachBranchComputesWhatTheOriginalDoes()
    {
        var model = IfConvs();
        var layers = LayerDiscovery.Find(model).Layers;
        Assert.That(layers.Select(l => l.NodeName), Is.SupersetOf(BranchConvs(model, "then_branch").Concat(BranchConvs(model, "else_branch"))));

        var compressed = new LowRankCompressor().Compress(model, CompressionPlan.FullRank(layers), new CompressionOptions { Force = true });

        Assert.That(compressed.Layers, Has.Count.EqualTo(layers.Count));
        foreach (var sign in new[] { 1.0, -1.0 })
            Assert.That(RelativeError(Logits(compressed.Model, sign), Logits(model, sign)), Is.LessThan(1e-5), $"sign {sign}");
    }

    /// <summary>
    /// X (1, 8, 6, 6) -> Conv stem (16 x 8 x 3 x 3, pads 1) -> Loop(M) whose body applies a Conv (16 x 16 x 3 x 3, pads 1)
    /// to the carried value; the body's weight K comes from the outer scope. M is the constant 3, or a graph input.
    /// </summary>
    private static ModelProto LoopModel(bool constantTripCount)
    {
        var b = new ModelBuilder();
        b.Node("Conv", "stem", [b.Input("X", 1, 8, 6, 6), b.Initializer("K0", [16, 8, 3, 3], RandomValues.Normal(8, 1152))], "s", ModelBuilder.Ints("pads", 1, 1, 1, 1));
        var scalar = new TensorShapeProto();
        if (constantTripCount)
        {
            var trips = new TensorProto { Name = "trips", DataType = (int)DataType.Int64 };
            trips.Int64Data.Add(3);
            b.Graph.Initializer.Add(trips);
        }
        else b.Graph.Input.Add(Value("trips", DataType.Int64, scalar));
        b.Initializer("K", [16, 16, 3, 3], RandomValues.Normal(9, 2304).Select(v => v / 12).ToArray());

        // body(i, cond, carried) -> (cond, conv(carried))
        var body = new ModelBuilder();
        body.Graph.Input.Add(Value("i", DataType.Int64, scalar));
        body.Graph.Input.Add(Value("c", DataType.Bool, scalar));
        body.Input("carried", 1, 16, 6, 6);
        body.Node("Identity", "keep_going", ["c"], "c_out");
        body.Graph.Output.Add(Value("c_out", DataType.Bool, scalar));
        body.Node("Conv", "conv", ["carried", "K"], body.Output("next"), ModelBuilder.Ints("pads", 1, 1, 1, 1));
        b.Node("Loop", "repeat", ["trips", "", "s"], b.Output("Y"), new AttributeProto { Name = "body", Type = AttributeProto.Types.AttributeType.Graph, G = body.Graph });
        return b.Build();
    }

    /// <summary>
    /// The Loop of <see cref="LoopModel"/> (M = 3) inside the then branch of an If on a graph input, the else branch
    /// passing the stem's output on: the body's Conv is two subgraphs deep.
    /// </summary>
    private static ModelProto NestedModel()
    {
        var model = LoopModel(constantTripCount: true);
        var graph = model.Graph;
        var loop = graph.Node.Single(n => n.OpType == "Loop");
        graph.Node.Remove(loop);
        var then = new GraphProto { Name = "then", Node = { loop }, Output = { graph.Output } };
        var otherwise = new GraphProto { Name = "else", Output = { new ValueInfoProto { Name = "passed", Type = graph.Output[0].Type } } };
        otherwise.Node.Add(new NodeProto { OpType = "Identity", Name = "pass", Input = { "s" }, Output = { "passed" } });
        var owner = new NodeProto { OpType = "If", Name = "choose", Input = { "go" }, Output = { "Z" } };
        owner.Attribute.Add(new AttributeProto { Name = "then_branch", Type = AttributeProto.Types.AttributeType.Graph, G = then });
        owner.Attribute.Add(new AttributeProto { Name = "else_branch", Type = AttributeProto.Types.AttributeType.Graph, G = otherwise });
        graph.Node.Add(owner);
        graph.Input.Add(Value("go", DataType.Bool, new TensorShapeProto()));
        graph.Output.Clear();
        graph.Output.Add(new ValueInfoProto { Name = "Z", Type = then.Output[0].Type });
        return model;
    }

    [Test]
    public void AConvInALoopInsideAnIfBranchIsNamedByItsPathMeasuredThroughBothAndCompressedInPlace()
    {
        var model = NestedModel();
        var pipeline = new CompressionPipeline(Engine.Runner);

        var analysis = pipeline.Analyze(model, Options with { Budget = BudgetKind.Flops });

        // The all-zero run would skip the then branch (go = false): it is measured anyway, 6 x 6 positions times M = 3.
        Assert.That(analysis.Layers.Single(l => l.Name == "choose/then_branch/repeat/body/conv").OutputPositions, Is.EqualTo(3 * 6 * 6));
        var result = pipeline.Compress(model, Options);
        Assert.That(result.Compression.Layers.Select(l => l.NodeName), Does.Contain("choose/then_branch/repeat/body/conv"));
        foreach (var go in new[] { true, false })
        {
            var feeds = LoopInput(null);
            feeds["go"] = new TensorData(DataType.Bool, [], new[] { go });
            double[] Z(ModelProto m) => Engine.Run(m, feeds)["Z"].Values.Cast<float>().Select(v => (double)v).ToArray();
            Assert.That(RelativeError(Z(result.Compression.Model), Z(model)), Is.GreaterThan(0).And.LessThan(1), $"go = {go}");
        }
    }

    private static ValueInfoProto Value(string name, DataType type, TensorShapeProto shape) =>
        new() { Name = name, Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)type, Shape = shape } } };

    private static Dictionary<string, TensorData> LoopInput(long? trips)
    {
        var feeds = new Dictionary<string, TensorData> { ["X"] = new(DataType.Float, [1, 8, 6, 6], RandomValues.Normal(4, 288).Select(v => (float)v).ToArray()) };
        if (trips is { } m) feeds["trips"] = new TensorData(DataType.Int64, [], new[] { m });
        return feeds;
    }

    [Test]
    public void ALoopBodysFlopsAreMultipliedByItsConstantTripCountAndTheBodyIsCompressedUnderAFlopBudget()
    {
        var model = LoopModel(constantTripCount: true);
        var pipeline = new CompressionPipeline(Engine.Runner);
        var options = Options with { Budget = BudgetKind.Flops };

        var analysis = pipeline.Analyze(model, options);

        // A 3x3 Conv with pads 1 and stride 1 keeps the 6 x 6 positions; the body runs M = 3 times per model run.
        var body = analysis.Layers.Single(l => l.Name == "repeat/body/conv");
        Assert.That(body.OutputPositions, Is.EqualTo(3 * 6 * 6));
        Assert.That(body.Flops, Is.EqualTo(3L * 6 * 6 * 16 * 16 * 9));
        Assert.That(analysis.BudgetFlops, Is.EqualTo(6L * 6 * 16 * 8 * 9 + 3L * 6 * 6 * 16 * 16 * 9));

        var result = pipeline.Compress(model, analysis, options);
        Assert.That(result.Compression.Layers.Select(l => l.NodeName), Does.Contain("repeat/body/conv"));
        Assert.That(result.BudgetFlopsAfter, Is.LessThanOrEqualTo(0.5 * analysis.BudgetFlops!.Value));
        var error = RelativeError(Outputs(result.Compression.Model, LoopInput(null)), Outputs(model, LoopInput(null)));
        Assert.That(error, Is.GreaterThan(0).And.LessThan(1), "the compressed loop runs its three trips and stays near the original");
    }

    [Test]
    public void ALoopWithoutAConstantTripCountIsLeftOutOfAFlopBudgetWithItsReasonButCompressedUnderAParameterBudget()
    {
        var model = LoopModel(constantTripCount: false);
        var pipeline = new CompressionPipeline(Engine.Runner);
        var flops = Options with { Budget = BudgetKind.Flops };

        var analysis = pipeline.Analyze(model, flops);

        var body = analysis.Layers.Single(l => l.Name == "repeat/body/conv");
        Assert.That(body.OutputPositions, Is.Null);
        Assert.That(body.UncountedCost, Does.Contain("trip count 'trips'"));
        Assert.That(analysis.BudgetFlops, Is.EqualTo(6L * 6 * 16 * 8 * 9), "the stem alone is counted");
        var byFlops = pipeline.Compress(model, analysis, flops);
        Assert.That(byFlops.Compression.Layers.Select(l => l.NodeName), Is.EqualTo(new[] { "stem" }));
        var left = byFlops.Compression.Skipped.Single(s => s.NodeName == "repeat/body/conv");
        Assert.That(left.Reason, Is.EqualTo(SkipReason.UncountedCost));
        Assert.That(left.Detail, Does.Contain("trip count"));

        var byParameters = pipeline.Compress(model, Options);
        Assert.That(byParameters.Compression.Layers.Select(l => l.NodeName), Does.Contain("repeat/body/conv"));
        Assert.That(byParameters.Analysis.BudgetParameters, Is.EqualTo(16L * 8 * 9 + 16L * 16 * 9), "a parameter budget counts the body's layer");
        var error = RelativeError(Outputs(byParameters.Compression.Model, LoopInput(2)), Outputs(model, LoopInput(2)));
        Assert.That(error, Is.GreaterThan(0).And.LessThan(1));
    }

    private static double[] Outputs(ModelProto model, Dictionary<string, TensorData> feeds) =>
        Engine.Run(model, feeds)["Y"].Values.Cast<float>().Select(v => (double)v).ToArray();

    /// <summary>
    /// X (5, 1, 16) scanned along axis 0 by a Scan whose body applies a Gemm (16 x 16) to each row and carries a state
    /// through; a main-graph MatMul (16 x 16) reads the stacked rows.
    /// </summary>
    private static ModelProto ScanModel()
    {
        var b = new ModelBuilder();
        var row = new TensorShapeProto { Dim = { new TensorShapeProto.Types.Dimension { DimValue = 1 }, new TensorShapeProto.Types.Dimension { DimValue = 16 } } };
        var body = new ModelBuilder();
        body.Graph.Input.Add(Value("state", DataType.Float, row));
        body.Graph.Input.Add(Value("x_t", DataType.Float, row));
        body.Node("Identity", "carry", ["state"], body.Output("state_out"));
        body.Node("Gemm", "fc", ["x_t", "W"], body.Output("y_t"), ModelBuilder.Int("transB", 1));
        b.Input("S", 1, 16);
        b.Input("X", 5, 1, 16);
        b.Initializer("W", [16, 16], RandomValues.Normal(12, 256).Select(v => v / 4).ToArray());
        b.Node("Scan", "scan", ["S", "X"], "S_final", ModelBuilder.Int("num_scan_inputs", 1),
            new AttributeProto { Name = "body", Type = AttributeProto.Types.AttributeType.Graph, G = body.Graph }).Output.Add("rows");
        b.Node("MatMul", "mix", ["rows", b.Initializer("V", [16, 16], RandomValues.Normal(13, 256).Select(v => v / 4).ToArray())], b.Output("Y"));
        return b.Build();
    }

    [Test]
    public void AScanBodysLayerIsLeftOutOfAFlopBudgetAndCompressedUnderAParameterBudget()
    {
        var model = ScanModel();
        var pipeline = new CompressionPipeline(Engine.Runner);
        var flops = Options with { Budget = BudgetKind.Flops };

        var analysis = pipeline.Analyze(model, flops);
        Assert.That(analysis.Layers.Single(l => l.Name == "scan/body/fc").UncountedCost, Does.Contain("Scan 'scan'"));
        Assert.That(analysis.BudgetFlops, Is.EqualTo(5L * 16 * 16), "the MatMul alone: 5 rows of 16 x 16");
        var byFlops = pipeline.Compress(model, analysis, flops);
        Assert.That(byFlops.Compression.Skipped.Single(s => s.NodeName == "scan/body/fc").Reason, Is.EqualTo(SkipReason.UncountedCost));

        var byParameters = pipeline.Compress(model, Options);
        Assert.That(byParameters.Compression.Layers.Select(l => l.NodeName), Does.Contain("scan/body/fc"));
        var feeds = new Dictionary<string, TensorData>
        {
            ["S"] = new(DataType.Float, [1, 16], new float[16]),
            ["X"] = new(DataType.Float, [5, 1, 16], RandomValues.Normal(14, 80).Select(v => (float)v).ToArray()),
        };
        double[] Y(ModelProto m) => Engine.Run(m, feeds)["Y"].Values.Cast<float>().Select(v => (double)v).ToArray();
        Assert.That(RelativeError(Y(byParameters.Compression.Model), Y(model)), Is.GreaterThan(0).And.LessThan(1));
    }

    /// <summary>One weight read by a main-graph Gemm and by a Gemm inside an If branch: factorizing it for one would take it from the other.</summary>
    [Test]
    public void AWeightSharedByTheMainGraphAndASubgraphIsLeftWholeForBoth()
    {
        var b = new ModelBuilder();
        var x = b.Input("X", 1, 16);
        b.Initializer("W", [16, 16], RandomValues.Normal(7, 256));
        b.Node("Gemm", "outer", [x, "W"], "h", ModelBuilder.Int("transB", 1));
        var branches = new[] { "then_branch", "else_branch" }.Select(name =>
        {
            var branch = new ModelBuilder();
            if (name == "then_branch") branch.Node("Gemm", "inner", ["h", "W"], branch.Output($"{name}_y"), ModelBuilder.Int("transB", 1));
            else branch.Node("Identity", "pass", ["h"], branch.Output($"{name}_y"));
            return new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Graph, G = branch.Graph };
        }).ToArray();
        b.Node("If", "choose", [b.Input("cond")], b.Output("Y"), branches);

        var discovery = LayerDiscovery.Find(b.Build());

        Assert.That(discovery.Layers, Is.Empty);
        Assert.That(discovery.Skipped.Select(s => (s.NodeName, s.Reason)),
            Is.EquivalentTo(new[] { ("outer", SkipReason.SharedWeight), ("choose/then_branch/inner", SkipReason.SharedWeight) }));
    }
}
