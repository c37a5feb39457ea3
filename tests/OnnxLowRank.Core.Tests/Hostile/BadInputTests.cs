using Google.Protobuf;
using OnnxLowRank.Core.Allocation;
using OnnxLowRank.Core.Execution;
using OnnxLowRank.Core.Layers;
using OnnxLowRank.Core.Pipeline;
using OnnxLowRank.Core.Tests.Support;
using OnnxLowRank.Onnx;
using OnnxLowRank.Onnx.Errors;
using OnnxLowRank.Onnx.Protos;
using OnnxLowRank.Runtime;
using DataType = OnnxLowRank.Onnx.Protos.TensorProto.Types.DataType;

namespace OnnxLowRank.Core.Tests.Hostile;

/// <summary>
/// Broken and hostile models, each taken from its file along the compress path (load, analyze,
/// compress with ALDS keeping half the parameters, publish with verification, reload in ONNX
/// Runtime) with its expected ending: a typed error at a given step, or a published model.
/// </summary>
public class BadInputTests
{
    private static readonly TimeSpan TimeLimit = TimeSpan.FromSeconds(20);
    private const long AllocationLimit = 256L << 20;

    private DirectoryInfo _folder = null!;

    [SetUp]
    public void CreateFolder() => _folder = Directory.CreateTempSubdirectory("onnxlowrank-hostile-");

    [TearDown]
    public void DeleteFolder() => _folder.Delete(recursive: true);

    private string PathOf(string name) => Path.Combine(_folder.FullName, name);

    private TrialResult Trial(byte[] bytes, PipelineOptions? options = null)
    {
        var path = PathOf("model.onnx");
        File.WriteAllBytes(path, bytes);
        var published = Directory.CreateDirectory(PathOf("published")).FullName;
        return ModelTrial.RunFile(path, published, options ?? ModelTrial.DefaultOptions, TimeLimit, AllocationLimit);
    }

    private TrialResult Trial(ModelProto model, PipelineOptions? options = null) => Trial(model.ToByteArray(), options);

    private static void Ends<TError>(TrialResult result, TrialOutcome outcome) where TError : OnnxLowRankException
    {
        Assert.That(result.Outcome, Is.EqualTo(outcome), () => $"ended {result.Outcome}: {result.Error?.Message}");
        Assert.That(result.Error, Is.InstanceOf<TError>());
    }

    /// <summary>Layers left whole count at full size, so a budget of one half may be out of reach: keep enough to publish.</summary>
    private static PipelineOptions Keep(double fraction) => ModelTrial.DefaultOptions with { KeepFraction = fraction };

    private static SkippedNode Skipped(TrialResult result, string node)
    {
        Assert.That(result.Outcome, Is.EqualTo(TrialOutcome.Published), () => $"ended {result.Outcome}: {result.Error?.Message}");
        return result.Compression!.Skipped.Single(s => s.NodeName == node);
    }

    /// <summary>fc1 (Gemm, 32 -> 32) and fc2 (MatMul, 32 -> 16) with the given weights, both large enough to compress.</summary>
    private static ModelBuilder Mlp(double[]? w1 = null, DataType type = DataType.Float)
    {
        var b = new ModelBuilder(elementType: type);
        b.Node("Gemm", "fc1", [b.Input("X", 1, 32), b.Initializer("W1", [32, 32], w1 ?? RandomValues.Normal(1, 1024))], "h", ModelBuilder.Int("transB", 1));
        b.Node("Relu", "relu", ["h"], "r");
        b.Node("MatMul", "fc2", ["r", b.Initializer("W2", [32, 16], RandomValues.Normal(2, 512))], b.Output("Y"));
        return b;
    }

    private static double[] With(double[] values, int index, double value)
    {
        values[index] = value;
        return values;
    }

    [Test]
    public void EmptyFileIsRefusedAtLoad() => Ends<InvalidModelException>(Trial([]), TrialOutcome.RefusedAtLoad);

    [Test]
    public void TextFileIsRefusedAtLoad() =>
        Ends<InvalidModelException>(Trial("name,value\nlayer1,0.5\nthis is not a model\n"u8.ToArray()), TrialOutcome.RefusedAtLoad);

    [TestCase(1), TestCase(2), TestCase(3), TestCase(4), TestCase(5)]
    public void RandomBytesAreRefusedAtLoad(int seed)
    {
        var bytes = new byte[4096];
        new Random(seed).NextBytes(bytes);

        Ends<OnnxLowRankException>(Trial(bytes), TrialOutcome.RefusedAtLoad);
    }

    [Test]
    public void ModelTruncatedAtTwentyOffsetsInsideItsGraphIsRefusedAtLoad()
    {
        var model = Mlp().Build();
        var bytes = model.ToByteArray();
        // Fields go out in number order: ir_version and producer_name, then the graph (7), then opset_import (8).
        var graphEnd = new ModelProto { IrVersion = model.IrVersion, ProducerName = model.ProducerName, Graph = model.Graph }.CalculateSize();
        Assert.That(graphEnd, Is.LessThan(bytes.Length));

        foreach (var offset in Enumerable.Range(0, 20).Select(i => i * graphEnd / 20))
            Ends<InvalidModelException>(Trial(bytes[..offset]), TrialOutcome.RefusedAtLoad);
    }

    [Test]
    public void ModelTruncatedInsideItsOpsetImportEndsTypedOrLoads()
    {
        var model = Mlp().Build();
        var bytes = model.ToByteArray();
        var graphEnd = new ModelProto { IrVersion = model.IrVersion, ProducerName = model.ProducerName, Graph = model.Graph }.CalculateSize();

        for (var offset = graphEnd; offset < bytes.Length; offset++)
        {
            var result = Trial(bytes[..offset]);
            Assert.That(result.Outcome is TrialOutcome.Published || result.Error is not null, $"truncated at {offset}: {result.Outcome}");
        }
    }

    [Test]
    public void WeightDimsWhoseProductOverflowsAreRefusedAtLoadNamingTheTensor()
    {
        var b = Mlp();
        var w = b.Graph.Initializer.Single(t => t.Name == "W1");
        w.Dims.Clear();
        w.Dims.Add([1L << 40, 1L << 40]);

        var result = Trial(b.Build());

        Ends<InvalidModelException>(result, TrialOutcome.RefusedAtLoad);
        Assert.That(result.Error!.Subject, Is.EqualTo("W1"));
    }

    [Test]
    public void WeightDimsDisagreeingWithItsRawDataAreRefusedAtLoad()
    {
        var b = Mlp();
        b.Graph.Initializer.Single(t => t.Name == "W1").Dims[0] = 31;

        var result = Trial(b.Build());

        Ends<InvalidModelException>(result, TrialOutcome.RefusedAtLoad);
        Assert.That(result.Error!.Message, Does.Contain("raw_data holds 4096 bytes"));
    }

    [Test]
    public void WeightFloatDataShorterThanItsHugeDimsIsRefusedWithoutAllocatingThem()
    {
        var b = Mlp();
        var w = new TensorProto { Name = "W1", DataType = (int)DataType.Float, Dims = { 40_000, 32 }, FloatData = { 1, 2, 3 } };
        b.Graph.Initializer[0] = w;

        var result = Trial(b.Build());

        Assert.That(result.Error, Is.InstanceOf<InvalidModelException>(), () => $"ended {result.Outcome}");
        Assert.That(result.Error!.Subject, Is.EqualTo("W1"));
    }

    [TestCase("missing.bin", TestName = "external data file missing")]
    [TestCase("short.bin", TestName = "external data file too short")]
    [TestCase("/etc/hostname", TestName = "external data at an absolute path")]
    [TestCase("../outside.bin", TestName = "external data escaping with ..")]
    [TestCase("escape.bin", TestName = "external data escaping through a symbolic link")]
    public void UnsafeOrBrokenExternalDataIsRefusedAtLoad(string location)
    {
        File.WriteAllBytes(PathOf("short.bin"), new byte[100]);
        var outside = Directory.CreateTempSubdirectory("onnxlowrank-outside-");
        try
        {
            File.WriteAllBytes(Path.Combine(outside.FullName, "weights.bin"), new byte[4096]);
            File.CreateSymbolicLink(PathOf("escape.bin"), Path.Combine(outside.FullName, "weights.bin"));
            var b = Mlp();
            var w = b.Graph.Initializer.Single(t => t.Name == "W1");
            w.ClearRawData();
            w.DataLocation = TensorProto.Types.DataLocation.External;
            w.ExternalData.Add(new StringStringEntryProto { Key = "location", Value = location });

            var result = Trial(b.Build());

            Ends<InvalidModelException>(result, TrialOutcome.RefusedAtLoad);
            Assert.That(result.Error!.Subject, Is.EqualTo("W1"));
        }
        finally
        {
            outside.Delete(recursive: true);
        }
    }

    [TestCase(double.NaN), TestCase(double.PositiveInfinity), TestCase(double.NegativeInfinity)]
    public void NonFiniteWeightLeavesItsLayerWholeWithAReason(double value)
    {
        var result = Trial(Mlp(With(RandomValues.Normal(1, 1024), 17, value)).Build(), Keep(0.8));

        Assert.That(Skipped(result, "fc1").Reason, Is.EqualTo(SkipReason.NonFiniteWeight));
        Assert.That(result.Compression!.Layers.Select(l => l.NodeName), Is.EqualTo(new[] { "fc2" }));
    }

    [Test]
    public void AllZeroWeightCompressesWithADefinedErrorAndNoNaN()
    {
        var result = Trial(Mlp(new double[1024]).Build());

        Assert.That(result.Outcome, Is.EqualTo(TrialOutcome.Published), () => $"{result.Error?.Message}");
        var fc1 = result.Compression!.Layers.SingleOrDefault(l => l.NodeName == "fc1");
        if (fc1 is not null) Assert.That(fc1.RelativeError, Is.EqualTo(0.0));
        Assert.That(result.Output!.Graph.Initializer.SelectMany(TensorCodec.ToDoubles).All(double.IsFinite), Is.True);
        var x = new Dictionary<string, TensorData> { ["X"] = TensorData.FromFloats([1, 32], Array.ConvertAll(RandomValues.Normal(3, 32), v => (float)v)) };
        Assert.That(Engine.Run(result.Output, x)["Y"].AsFloats().All(float.IsFinite), Is.True);
    }

    [Test]
    public void OneByOneWeightsAreLeftWholeAsNotBeneficial()
    {
        var b = new ModelBuilder();
        b.Node("Gemm", "gemm", [b.Input("X", 1, 1), b.Initializer("W", [1, 1], [2.0])], b.Output("Y"));
        b.Node("Conv", "conv", [b.Input("Z", 1, 1, 2, 2), b.Initializer("K", [1, 1, 1, 1], [3.0])], b.Output("V"));

        Ends<BudgetUnreachableException>(Trial(b.Build()), TrialOutcome.RefusedAtCompression);
        var result = Trial(b.Build(), Keep(1));

        Assert.That(Skipped(result, "gemm").Reason, Is.EqualTo(SkipReason.NotBeneficial));
        Assert.That(Skipped(result, "conv").Reason, Is.EqualTo(SkipReason.NotBeneficial));
    }

    [Test]
    public void GraphWithACycleIsRefusedNamingANodeOnIt()
    {
        var b = Mlp();
        b.Graph.Node.Single(n => n.Name == "fc1").Input[0] = "r";

        var result = Trial(b.Build());

        Ends<InvalidModelException>(result, TrialOutcome.RefusedAtAnalysis);
        Assert.That(result.Error!.Reason, Does.Contain("cycle"));
        Assert.That(result.Error.Subject, Is.EqualTo("fc1"));
    }

    [Test]
    public void NodeReadingAValueNothingProducesIsRefusedNamingTheValue()
    {
        var b = Mlp();
        b.Graph.Node.Single(n => n.Name == "relu").Input[0] = "nowhere";

        var result = Trial(b.Build());

        Ends<InvalidModelException>(result, TrialOutcome.RefusedAtAnalysis);
        Assert.That(result.Error!.Subject, Is.EqualTo("nowhere"));
        Assert.That(result.Error.Reason, Does.Contain("'relu'"));
    }

    [Test]
    public void LayerWithoutAnOutputIsRefusedNamingIt()
    {
        var b = Mlp();
        b.Graph.Node.Single(n => n.Name == "fc2").Output.Clear();

        var result = Trial(b.Build());

        Ends<InvalidModelException>(result, TrialOutcome.RefusedAtAnalysis);
        Assert.That(result.Error!.Subject, Is.EqualTo("fc2"));
    }

    [Test]
    public void DuplicateNodeNamesNeedNoRunUnderAParameterBudgetAndThePublishedModelHasUniqueNames()
    {
        var b = Mlp();
        foreach (var node in b.Graph.Node) node.Name = "same";

        var result = Trial(b.Build());

        // Discovery tells the nodes apart. ONNX Runtime will not load such a graph, but a parameter budget needs no run of
        // the input, and the rewrite names each pair after its layer, so the published model loads and runs.
        Assert.That(LayerDiscovery.Find(b.Build()).Layers.Select(l => l.NodeName), Is.EqualTo(new[] { "Gemm:h", "MatMul:Y" }));
        Assert.That(result.Outcome, Is.EqualTo(TrialOutcome.Published), result.Error?.Message);
        var names = result.Output!.Graph.Node.Select(n => n.Name).ToList();
        Assert.That(names, Is.Unique);
    }

    [Test]
    public void SharedWeightLeavesBothLayersWholeAndKeepsTheWeight()
    {
        var b = new ModelBuilder();
        var w = b.Initializer("W", [32, 32], RandomValues.Normal(5, 1024));
        b.Node("MatMul", "first", [b.Input("X", 1, 32), w], "h");
        b.Node("MatMul", "second", ["h", w], b.Output("Y"));

        var result = Trial(b.Build(), Keep(1));

        Assert.That(Skipped(result, "first").Reason, Is.EqualTo(SkipReason.SharedWeight));
        Assert.That(Skipped(result, "second").Reason, Is.EqualTo(SkipReason.SharedWeight));
        Assert.That(result.Output!.Graph.Initializer.Select(t => t.Name), Does.Contain("W"));
    }

    [Test]
    public void WeightThatIsAlsoAGraphInputIsLeftWholeUnlessInputsMayBeRemoved()
    {
        var b = Mlp();
        b.Input("W1", 32, 32);

        var kept = Trial(b.Build(), Keep(0.8));
        Assert.That(Skipped(kept, "fc1").Reason, Is.EqualTo(SkipReason.WeightIsGraphInput));
        Assert.That(kept.Output!.Graph.Input.Select(i => i.Name), Does.Contain("W1"));

        var removed = Trial(b.Build(), ModelTrial.DefaultOptions with { RemoveInitializerInputs = true });
        Assert.That(removed.Outcome, Is.EqualTo(TrialOutcome.Published), () => $"{removed.Error?.Message}");
        Assert.That(removed.Compression!.Layers.Select(l => l.NodeName), Does.Contain("fc1"));
        Assert.That(removed.Output!.Graph.Input.Select(i => i.Name), Is.EqualTo(new[] { "X" }));
    }

    [Test]
    public void InIrVersion3EveryInitializerIsAGraphInputSoSuchWeightsAreConstants()
    {
        var b = Mlp();
        b.Input("W1", 32, 32);
        var model = b.Build();
        model.IrVersion = 3;

        var result = Trial(model);

        Assert.That(result.Outcome, Is.EqualTo(TrialOutcome.Published), () => $"{result.Error?.Message}");
        Assert.That(result.Compression!.Layers.Select(l => l.NodeName), Does.Contain("fc1"));
        Assert.That(result.Output!.Graph.Input.Select(i => i.Name), Is.EqualTo(new[] { "X" }));
    }

    /// <summary>
    /// Version judgement is the engine's: its supported IR versions and opsets change with its release,
    /// and ours would go stale. Unknown versions end in ONNX Runtime's own error, which names them.
    /// </summary>
    [Test]
    public void UnknownIrVersionEndsInTheEnginesTypedError()
    {
        var model = Mlp().Build();
        model.IrVersion = 99;

        var result = Trial(model);

        Assert.That(result.Error, Is.InstanceOf<OnnxRuntimeException>(), () => $"ended {result.Outcome}");
        Assert.That(result.Error!.Message, Does.Contain("IR version").IgnoreCase);
    }

    [Test]
    public void UnknownOpsetEndsInTheEnginesTypedError()
    {
        var model = Mlp().Build();
        model.OpsetImport[0].Version = 999;

        var result = Trial(model);

        Assert.That(result.Error, Is.InstanceOf<OnnxRuntimeException>(), () => $"ended {result.Outcome}");
        Assert.That(result.Error!.Message, Does.Contain("opset").IgnoreCase);
    }

    /// <summary>One initializer read by a Gemm in each branch: factorizing it for one would take it from the other.</summary>
    [Test]
    public void AWeightSharedByBothIfBranchesIsLeftWholeWithIdenticalOutputs()
    {
        var b = new ModelBuilder();
        var x = b.Input("X", 1, 16);
        b.Initializer("W", [16, 16], RandomValues.Normal(7, 256));
        var cond = new TensorProto { Name = "cond", DataType = (int)DataType.Bool, Dims = { } };
        cond.Int32Data.Add(1);
        b.Graph.Initializer.Add(cond);
        var branches = new[] { "then_branch", "else_branch" }.Select(name =>
        {
            var branch = new ModelBuilder();
            branch.Node("Gemm", "gemm", [x, "W"], branch.Output($"{name}_y"), ModelBuilder.Int("transB", 1));
            return new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Graph, G = branch.Graph };
        }).ToArray();
        b.Node("If", "choose", ["cond"], b.Output("Y"), branches);

        // Both Gemms stay whole and count at full size, so only a budget keeping everything is reachable.
        var result = Trial(b.Build(), Keep(1.0));

        // ModelTrial compares the published model's outputs with the input's: with nothing rewritten they must be identical.
        Assert.That(Skipped(result, "choose/then_branch/gemm").Reason, Is.EqualTo(SkipReason.SharedWeight));
        Assert.That(Skipped(result, "choose/else_branch/gemm").Reason, Is.EqualTo(SkipReason.SharedWeight));
        Assert.That(result.Compression!.Layers, Is.Empty);
        Assert.That(result.Output!.Graph.Initializer.Select(t => t.Name), Does.Contain("W"), "the shared weight stays, once");
    }

    [Test]
    public void ConvInsideALoopBodyIsCompressedInTheBodyAlongWithTheMainGraph()
    {
        var b = new ModelBuilder();
        b.Node("Conv", "stem", [b.Input("X", 1, 8, 6, 6), b.Initializer("K0", [16, 8, 3, 3], RandomValues.Normal(8, 1152))], "s", ModelBuilder.Ints("pads", 1, 1, 1, 1));
        var trips = new TensorProto { Name = "trips", DataType = (int)DataType.Int64 };
        trips.Int64Data.Add(2);
        b.Graph.Initializer.Add(trips);
        b.Initializer("K", [16, 16, 3, 3], RandomValues.Normal(9, 2304));

        // body(i, cond, carried) -> (cond, conv(carried)); the weight K comes from the outer scope.
        var body = new ModelBuilder();
        body.Graph.Input.Add(new ValueInfoProto { Name = "i", Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)DataType.Int64, Shape = new TensorShapeProto() } } });
        body.Graph.Input.Add(new ValueInfoProto { Name = "c", Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)DataType.Bool, Shape = new TensorShapeProto() } } });
        body.Input("carried", 1, 16, 6, 6);
        body.Node("Identity", "keep_going", ["c"], "c_out");
        body.Graph.Output.Add(new ValueInfoProto { Name = "c_out", Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)DataType.Bool, Shape = new TensorShapeProto() } } });
        body.Node("Conv", "conv", ["carried", "K"], body.Output("next"), ModelBuilder.Ints("pads", 1, 1, 1, 1));
        b.Node("Loop", "repeat", ["trips", "", "s"], b.Output("Y"), new AttributeProto { Name = "body", Type = AttributeProto.Types.AttributeType.Graph, G = body.Graph });

        var result = Trial(b.Build());

        Assert.That(result.Outcome, Is.EqualTo(TrialOutcome.Published), () => $"{result.Error?.Message}");
        Assert.That(result.Compression!.Layers.Select(l => l.NodeName), Is.EquivalentTo(new[] { "stem", "repeat/body/conv" }));
        var output = result.Output!.Graph;
        Assert.That(output.Initializer.Select(t => t.Name), Does.Not.Contain("K"), "the outer weight goes with its only reader");
        var rewrittenBody = output.Node.Single(n => n.OpType == "Loop").Attribute.Single().G;
        Assert.That(rewrittenBody.Node.Where(n => n.OpType == "Conv"), Has.Exactly(2).Items, "the pair replaces the Conv inside the body");
        Assert.That(rewrittenBody.Initializer.Select(t => t.Name), Has.Exactly(2).Items, "its factors live in the body");
    }

    [Test]
    public void Float16WeightsStayFloat16AndTheResultRuns()
    {
        var result = Trial(Mlp(type: DataType.Float16).Build());

        Assert.That(result.Outcome, Is.EqualTo(TrialOutcome.Published), () => $"{result.Error?.Message}");
        Assert.That(result.Compression!.Layers, Has.Count.EqualTo(2));
        Assert.That(result.Output!.Graph.Initializer.Select(t => (DataType)t.DataType).Distinct(), Is.EqualTo(new[] { DataType.Float16 }));
        var x = new Dictionary<string, TensorData> { ["X"] = new(DataType.Float16, [1, 32], Array.ConvertAll(RandomValues.Normal(3, 32), v => (Half)v)) };
        Assert.That(Engine.Run(result.Output, x)["Y"].ElementType, Is.EqualTo(DataType.Float16));
    }

    [Test]
    public void Bfloat16WeightsStayBfloat16AndTheResultRunsAsItsFloat32Shadow()
    {
        // ONNX Runtime's CPU provider has no bfloat16 Gemm or MatMul: measurement and verification run a float32 shadow.
        var result = Trial(Mlp(type: DataType.Bfloat16).Build());

        Assert.That(result.Outcome, Is.EqualTo(TrialOutcome.Published), () => $"{result.Error?.Message}");
        Assert.That(result.Compression!.Layers, Has.Count.EqualTo(2));
        Assert.That(result.Output!.Graph.Initializer.Select(t => (DataType)t.DataType).Distinct(), Is.EqualTo(new[] { DataType.Bfloat16 }));
        Assert.That(result.Output.Graph.Input.Single().Type.TensorType.ElemType, Is.EqualTo((int)DataType.Bfloat16), "the written model keeps its types");
        var x = new Dictionary<string, TensorData> { ["X"] = new(DataType.Float, [1, 32], Array.ConvertAll(RandomValues.Normal(3, 32), v => (float)v)) };
        Assert.That(Engine.Run(result.Output, x)["Y"].ElementType, Is.EqualTo(DataType.Float), "the engine runs the float32 shadow");
    }
}
