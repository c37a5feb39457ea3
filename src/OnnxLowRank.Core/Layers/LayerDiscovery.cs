using OnnxLowRank.Onnx;
using OnnxLowRank.Onnx.Protos;
using DataType = OnnxLowRank.Onnx.Protos.TensorProto.Types.DataType;

namespace OnnxLowRank.Core.Layers;

/// <summary>
/// Finds the layers of a model that a factorized pair can replace, in the main graph and inside If, Loop and Scan
/// subgraphs (nested too; named by path, see <see cref="GraphScope"/>): Gemm with a constant B, MatMul with a
/// constant 2-D right operand, Conv with a constant weight (1-D to 3-D and beyond, any group count but depthwise),
/// and in the main graph a Gather over a constant table with its tied head (<see cref="EmbeddingDiscovery"/>).
/// A subgraph's weight may be a constant of an enclosing graph, read by name. Every other Gemm, MatMul or Conv, and
/// every main-graph Gather over a constant 2-D float table that stays whole, is reported with its reason. Reads the
/// model only.
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
        var scopes = GraphScope.All(graph);
        GraphIntegrity.Require(graph, scopes[0].Index, LayerNames.Of(graph));
        var reads = ModelReads.Of(scopes);
        var layers = new List<CompressibleLayer>();
        var skipped = new List<SkippedNode>();

        // The main graph's candidates first, then each subgraph's, depth first: graph order within every graph.
        foreach (var scope in scopes)
        {
            var names = LayerNames.Of(scope.Graph);
            var embeddings = Embeddings(scope, names, reads, options);
            // A tied head is part of its embedding's layer: it is neither a layer of its own nor a skipped candidate.
            var heads = embeddings.Values.Select(e => e.Layer?.Head?.Node).OfType<NodeProto>().ToHashSet(ReferenceEqualityComparer.Instance);
            for (var i = 0; i < scope.Graph.Node.Count; i++)
            {
                var node = scope.Graph.Node[i];
                var name = scope.NameOf(names[i]);
                if (Unsupported(node) is { } unsupported)
                {
                    skipped.Add(new SkippedNode(name, node.OpType, unsupported.Reason, unsupported.Detail));
                    continue;
                }
                if (embeddings.TryGetValue(node, out var embedding))
                {
                    if (embedding.Layer is not null) layers.Add(embedding.Layer);
                    else skipped.Add(new SkippedNode(name, node.OpType, embedding.Reason, embedding.Detail));
                    continue;
                }
                if (heads.Contains(node)) continue;
                if (!CandidateOps.Contains(node.OpType) || node.Input.Count < 2) continue;
                var outcome = Inspect(node, name, scope, reads, options);
                if (outcome.Layer is not null) layers.Add(outcome.Layer);
                else skipped.Add(new SkippedNode(name, node.OpType, outcome.Reason, outcome.Detail));
            }
        }
        return new DiscoveryResult(layers, skipped);
    }

    /// <summary>Every embedding candidate of the graph (<see cref="EmbeddingDiscovery"/>), by its Gather node.</summary>
    private static Dictionary<NodeProto, (CompressibleLayer? Layer, SkipReason Reason, string Detail)> Embeddings(
        GraphScope scope, IReadOnlyList<string> names, ModelReads reads, DiscoveryOptions options)
    {
        var found = new Dictionary<NodeProto, (CompressibleLayer?, SkipReason, string)>(ReferenceEqualityComparer.Instance);
        var nameOf = new Dictionary<NodeProto, string>(ReferenceEqualityComparer.Instance);
        for (var i = 0; i < scope.Graph.Node.Count; i++) nameOf[scope.Graph.Node[i]] = scope.NameOf(names[i]);
        foreach (var node in scope.Graph.Node.Where(n => EmbeddingDiscovery.IsCandidate(n, scope)))
            found[node] = EmbeddingDiscovery.Inspect(node, nameOf[node], scope, reads, options, n => nameOf[n]);
        return found;
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

    private static Outcome Inspect(NodeProto node, string name, GraphScope scope, ModelReads reads, DiscoveryOptions options)
    {
        if (node.Domain is not ("" or "ai.onnx"))
            return Outcome.Skip(SkipReason.NonDefaultDomain, $"{node.OpType} of domain '{node.Domain}' is not the ONNX operator.");
        if (options.ExcludedNodes.Contains(name))
            return Outcome.Skip(SkipReason.Excluded, "Excluded by request.");

        var kind = Enum.Parse<LayerKind>(node.OpType);
        var weightInput = node.Input[1];
        var constantName = weightInput;
        NodeProto? transpose = null;
        var found = scope.Constant(weightInput);
        // Only a Transpose in the layer's own graph is folded: the rewrite removes it from there.
        if (found is null && kind != LayerKind.Conv && scope.Index.Producer(weightInput) is { } producer && IsAxisSwap(producer, scope))
        {
            transpose = producer;
            constantName = producer.Input[0];
            found = scope.Constant(constantName);
        }
        if (found is null && scope.Index.Producer(weightInput) is { OpType: "DequantizeLinear" } dequantize && scope.Constant(dequantize.Input[0]) is { } quantized)
            return Outcome.Skip(SkipReason.QuantizedWeight,
                $"Weight '{weightInput}' is dequantized at run time from the {(DataType)quantized.Tensor.DataType} constant '{quantized.Tensor.Name}'; compress the float model, then quantize the result.");
        if (found is not { Tensor: var weight, Holder: var holder } || weightInput.Length == 0)
            return Outcome.Skip(SkipReason.NonConstantWeight, $"Weight '{weightInput}' is not a constant.");
        // Across the whole model: a weight read in both branches of an If, or by a subgraph and the main graph, stays whole.
        if (!reads.FeedsOnly(weightInput, node) || (transpose is not null && !reads.FeedsOnly(constantName, transpose)))
            return Outcome.Skip(SkipReason.SharedWeight, $"Weight '{constantName}' feeds other nodes too, or is a graph output.");
        if (holder.Index.IsGraphInput(constantName) && !options.RemoveInitializerInputs)
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

        return new Outcome(new CompressibleLayer(name, kind, node, weightInput, constantName, weight, storedTransposed, folded, geometry) { Scope = scope }, default, "");
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
    private static bool IsAxisSwap(NodeProto node, GraphScope scope)
    {
        if (node.OpType != "Transpose" || node.Domain is not ("" or "ai.onnx") || node.Input.Count != 1) return false;
        if (scope.Constant(node.Input[0]) is not { Tensor.Dims.Count: 2 }) return false;
        var perm = node.IntsAttribute("perm");
        return perm is null || perm.SequenceEqual([1L, 0L]);
    }
}
