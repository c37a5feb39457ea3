using OnnxLowRank.Onnx;
using OnnxLowRank.Onnx.Protos;
using DataType = OnnxLowRank.Onnx.Protos.TensorProto.Types.DataType;

namespace OnnxLowRank.Core.Layers;

/// <summary>
/// Finds the layers of a model's main graph that a factorized pair can replace: Gemm with a
/// constant B, MatMul with a constant 2-D right operand, Conv with a constant weight (1-D to 3-D
/// and beyond, any group count but depthwise). Every other Gemm, MatMul or Conv is reported with
/// its reason. Reads the model only.
/// </summary>
public static class LayerDiscovery
{
    private static readonly HashSet<string> CandidateOps = ["Gemm", "MatMul", "Conv"];

    // Integer operators of quantized models, in the ONNX domain and ONNX Runtime's: reported, never factorized.
    private static readonly HashSet<string> QuantizedOps =
        ["QLinearMatMul", "MatMulInteger", "QLinearConv", "ConvInteger", "MatMulNBits", "MatMulIntegerToFloat", "QGemm", "DynamicQuantizeMatMul", "QAttention"];

    // ONNX Runtime's fusions of a matrix product with its neighbours; their weights are laid out for the fused kernel.
    private static readonly HashSet<string> FusedOps = ["Attention", "MultiHeadAttention", "FusedMatMul", "FusedConv", "FusedGemm", "NhwcConv", "NhwcFusedConv"];

    public static DiscoveryResult Find(ModelProto model, DiscoveryOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        options ??= new DiscoveryOptions();
        var graph = model.Graph ?? throw new ArgumentException("The model has no graph.", nameof(model));
        var index = new GraphIndex(graph);
        var names = LayerNames.Of(graph);
        GraphIntegrity.Require(graph, index, names);
        var subgraphReads = SubgraphReads(graph);
        var layers = new List<CompressibleLayer>();
        var skipped = new List<SkippedNode>();

        for (var i = 0; i < graph.Node.Count; i++)
        {
            var node = graph.Node[i];
            if (Unsupported(node) is { } unsupported)
            {
                skipped.Add(new SkippedNode(names[i], node.OpType, unsupported.Reason, unsupported.Detail));
                continue;
            }
            if (!CandidateOps.Contains(node.OpType) || node.Input.Count < 2) continue;
            var outcome = Inspect(node, names[i], index, subgraphReads, options);
            if (outcome.Layer is not null) layers.Add(outcome.Layer);
            else skipped.Add(new SkippedNode(names[i], node.OpType, outcome.Reason, outcome.Detail));
        }
        for (var i = 0; i < graph.Node.Count; i++) skipped.AddRange(InSubgraphs(graph.Node[i], names[i]));
        return new DiscoveryResult(layers, skipped);
    }

    /// <summary>Candidates inside the subgraphs of <paramref name="owner"/>, named by their path from it ("loop/body/fc").</summary>
    private static IEnumerable<SkippedNode> InSubgraphs(NodeProto owner, string ownerName)
    {
        foreach (var attribute in owner.Attribute)
        {
            foreach (var body in attribute.Subgraphs())
            {
                var names = LayerNames.Of(body);
                for (var i = 0; i < body.Node.Count; i++)
                {
                    var node = body.Node[i];
                    var path = $"{ownerName}/{attribute.Name}/{names[i]}";
                    if (CandidateOps.Contains(node.OpType) && node.Input.Count >= 2)
                        yield return new SkippedNode(path, node.OpType, SkipReason.InSubgraph,
                            $"Inside the '{attribute.Name}' of {owner.OpType} node '{ownerName}': subgraphs are left whole.");
                    foreach (var inner in InSubgraphs(node, path)) yield return inner;
                }
            }
        }
    }

    /// <summary>A quantized or fused operator: a matrix product this tool sees but cannot factorize.</summary>
    private static Outcome? Unsupported(NodeProto node)
    {
        var onnxRuntimeDomain = node.Domain == "com.microsoft";
        if (QuantizedOps.Contains(node.OpType) && (onnxRuntimeDomain || node.Domain is "" or "ai.onnx"))
            return Outcome.Skip(SkipReason.QuantizedOperator,
                $"{node.OpType} computes on quantized integers; compress the float model, then quantize the result.");
        if (FusedOps.Contains(node.OpType) && onnxRuntimeDomain)
            return Outcome.Skip(SkipReason.FusedOperator,
                $"com.microsoft {node.OpType} is a fusion made by ONNX Runtime; compress the model as exported (before ONNX Runtime's optimizations are saved into it).");
        return null;
    }

    private readonly record struct Outcome(CompressibleLayer? Layer, SkipReason Reason, string Detail)
    {
        public static Outcome Skip(SkipReason reason, string detail) => new(null, reason, detail);
    }

    private static Outcome Inspect(NodeProto node, string name, GraphIndex index, HashSet<string> subgraphReads, DiscoveryOptions options)
    {
        if (node.Domain is not ("" or "ai.onnx"))
            return Outcome.Skip(SkipReason.NonDefaultDomain, $"{node.OpType} of domain '{node.Domain}' is not the ONNX operator.");
        if (options.ExcludedNodes.Contains(name))
            return Outcome.Skip(SkipReason.Excluded, "Excluded by request.");

        var kind = Enum.Parse<LayerKind>(node.OpType);
        var weightInput = node.Input[1];
        var constantName = weightInput;
        NodeProto? transpose = null;
        var weight = index.Constant(weightInput);
        if (weight is null && kind != LayerKind.Conv && index.Producer(weightInput) is { } producer && IsAxisSwap(producer, index))
        {
            transpose = producer;
            constantName = producer.Input[0];
            weight = index.Constant(constantName);
        }
        if (weight is null && index.Producer(weightInput) is { OpType: "DequantizeLinear" } dequantize && index.Constant(dequantize.Input[0]) is { } quantized)
            return Outcome.Skip(SkipReason.QuantizedWeight,
                $"Weight '{weightInput}' is dequantized at run time from the {(DataType)quantized.DataType} constant '{quantized.Name}'; compress the float model, then quantize the result.");
        if (weight is null || weightInput.Length == 0)
            return Outcome.Skip(SkipReason.NonConstantWeight, $"Weight '{weightInput}' is not a constant.");
        if (!FeedsOnly(index, subgraphReads, weightInput, node) || (transpose is not null && !FeedsOnly(index, subgraphReads, constantName, transpose)))
            return Outcome.Skip(SkipReason.SharedWeight, $"Weight '{constantName}' feeds other nodes too, or is a graph output.");
        if (index.IsGraphInput(constantName) && !options.RemoveInitializerInputs)
            return Outcome.Skip(SkipReason.WeightIsGraphInput, $"Weight '{constantName}' is also a graph input, so a caller may replace it.");
        var folded = transpose is not null;

        var dataType = (DataType)weight.DataType;
        if (dataType is not (DataType.Float or DataType.Double or DataType.Float16 or DataType.Bfloat16))
            return Outcome.Skip(SkipReason.UnsupportedElementType, $"Weight '{constantName}' holds {dataType}; only float, double, float16 and bfloat16 are factorized.");

        var (geometry, storedTransposed, shapeProblem) = GeometryOf(node, kind, weight, folded);
        if (geometry is null)
            return Outcome.Skip(SkipReason.UnsupportedShape, shapeProblem!);
        if (kind == LayerKind.Conv && geometry.Groups > 1 && geometry.InputsPerGroup == 1)
            return Outcome.Skip(SkipReason.Depthwise, $"Depthwise Conv (group {geometry.Groups} == input channels): nothing to factorize.");
        if (!geometry.CanShrink)
            return Outcome.Skip(SkipReason.NotBeneficial,
                $"Even rank 1 keeps {geometry.FactoredParameters(1, 1)} of {geometry.OriginalParameters} parameters.");
        if (!TensorCodec.AllFinite(weight))
            return Outcome.Skip(SkipReason.NonFiniteWeight, $"Weight '{constantName}' holds NaN or infinity.");

        return new Outcome(new CompressibleLayer(name, kind, node, weightInput, constantName, weight, storedTransposed, folded, geometry), default, "");
    }

    private static (WeightGeometry? Geometry, bool StoredTransposed, string? Problem) GeometryOf(NodeProto node, LayerKind kind, TensorProto weight, bool folded)
    {
        var dims = weight.Dims.ToArray();
        var shape = $"[{string.Join(",", dims)}]";
        if (dims.Any(d => d < 1 || d > int.MaxValue))
            return (null, false, $"Weight shape {shape} has an empty or oversized axis.");
        if (kind == LayerKind.Conv)
        {
            var group = (int)node.IntAttribute("group", 1);
            if (dims.Length < 3 || group < 1 || dims[0] % group != 0)
                return (null, false, $"Conv weight {shape} with group {group} is not (f, c/g, k1, ...).");
            return (new WeightGeometry((int)dims[0], (int)dims[1] * group, group, dims.Skip(2).Select(d => (int)d).ToArray()), false, null);
        }
        if (dims.Length != 2)
            return (null, false, $"{kind} weight {shape} is not a matrix.");
        // Stored (K, N) is W^T: MatMul's B, and Gemm's B without transB. A folded Transpose flips that.
        var transposed = kind == LayerKind.MatMul || node.IntAttribute("transB", 0) == 0;
        if (folded) transposed = !transposed;
        var (rows, columns) = transposed ? (dims[1], dims[0]) : (dims[0], dims[1]);
        return (new WeightGeometry((int)rows, (int)columns, 1, []), transposed, null);
    }

    /// <summary>A Transpose that swaps the two axes of a 2-D constant.</summary>
    private static bool IsAxisSwap(NodeProto node, GraphIndex index)
    {
        if (node.OpType != "Transpose" || node.Domain is not ("" or "ai.onnx") || node.Input.Count != 1) return false;
        if (index.Constant(node.Input[0]) is not { Dims.Count: 2 }) return false;
        var perm = node.IntsAttribute("perm");
        return perm is null || perm.SequenceEqual([1L, 0L]);
    }

    /// <summary>Whether <paramref name="value"/> is read by <paramref name="reader"/> alone, and is no graph output.</summary>
    private static bool FeedsOnly(GraphIndex index, HashSet<string> subgraphReads, string value, NodeProto reader) =>
        !index.IsGraphOutput(value) && !subgraphReads.Contains(value)
        && index.Consumers(value).All(c => ReferenceEquals(c, reader))
        && reader.Input.Count(v => v == value) == 1;

    /// <summary>Every value name read inside a subgraph (If, Loop, Scan bodies): such values have readers discovery cannot rewrite.</summary>
    private static HashSet<string> SubgraphReads(GraphProto graph)
    {
        var reads = new HashSet<string>();
        void Visit(GraphProto g)
        {
            foreach (var node in g.Node)
            {
                reads.UnionWith(node.Input);
                foreach (var sub in node.Subgraphs()) Visit(sub);
            }
        }
        foreach (var sub in graph.Node.SelectMany(n => n.Subgraphs())) Visit(sub);
        return reads;
    }
}
