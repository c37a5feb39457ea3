using OnnxLowRank.Onnx;
using OnnxLowRank.Onnx.Protos;
using DataType = OnnxLowRank.Onnx.Protos.TensorProto.Types.DataType;

namespace OnnxLowRank.Core.Layers;

/// <summary>
/// Embedding layers: a Gather along axis 0 of a constant float table E [V, H] (token, position and token-type
/// embeddings), factorized as Gather(A, ids) B with E ~ A B whenever some rank saves parameters, r (V + H) &lt; V H.
/// The table may also feed one tied output head (<see cref="TiedHead"/>), which then takes the same factors; any
/// other reader leaves the table whole. Only the main graph's Gathers are looked at: exporters keep embeddings there,
/// and a subgraph's head could not be measured for a FLOP budget.
/// </summary>
internal static class EmbeddingDiscovery
{
    /// <summary>A Gather over a constant 2-D floating-point table: the Gathers this tool reports, compressed or not.</summary>
    public static bool IsCandidate(NodeProto node, GraphScope scope) =>
        scope.IsMain && node.OpType == "Gather" && node.Domain is ("" or "ai.onnx") && node.Input.Count == 2
        && scope.Constant(node.Input[0]) is { Tensor: { Dims.Count: 2 } table }
        && (DataType)table.DataType is DataType.Float or DataType.Double or DataType.Float16 or DataType.Bfloat16;

    /// <summary>The embedding layer of a candidate Gather, or why it stays whole.</summary>
    public static (CompressibleLayer? Layer, SkipReason Reason, string Detail) Inspect(
        NodeProto gather, string name, GraphScope scope, ModelReads reads, DiscoveryOptions options, Func<NodeProto, string> nameOf)
    {
        var tableName = gather.Input[0];
        var (table, holder) = scope.Constant(tableName)!.Value;
        if (options.ExcludedNodes.Contains(name))
            return (null, SkipReason.Excluded, "Excluded by request.");
        if (NormalizedAxis(gather) != 0)
            return (null, SkipReason.UnsupportedShape, $"Gather along axis {gather.IntAttribute("axis", 0)} reads columns of '{tableName}', not rows.");
        var (head, shared) = FindHead(gather, tableName, scope, reads);
        if (shared is not null)
            return (null, SkipReason.SharedWeight, $"Table '{tableName}' feeds {shared} too, which is not a tied output head, or is a graph output.");
        if (head is not null && options.ExcludedNodes.Contains(nameOf(head.Node)))
            return (null, SkipReason.Excluded, $"Its tied head '{nameOf(head.Node)}' is excluded by request, and both read the same factors.");
        if (holder.Index.IsGraphInput(tableName) && !options.RemoveInitializerInputs)
            return (null, SkipReason.WeightIsGraphInput, $"Table '{tableName}' is also a graph input, so a caller may replace it.");
        var dims = table.Dims;
        if (dims.Any(d => d < 1 || d > int.MaxValue))
            return (null, SkipReason.UnsupportedShape, $"Table shape [{string.Join(",", dims)}] has an empty or oversized axis.");
        var geometry = new WeightGeometry((int)dims[0], (int)dims[1], 1, []);
        if (!geometry.CanShrink)
            return (null, SkipReason.NotBeneficial, $"Even rank 1 keeps {geometry.FactoredParameters(1, 1)} of {geometry.OriginalParameters} parameters.");
        if (!TensorCodec.AllFinite(table))
            return (null, SkipReason.NonFiniteWeight, $"Table '{tableName}' holds NaN or infinity.");
        var layer = new CompressibleLayer(name, LayerKind.Embedding, gather, tableName, tableName, table, storedTransposed: false, foldedTranspose: false, geometry)
        {
            Scope = scope,
            Head = head,
        };
        return (layer, default, "");
    }

    private static long NormalizedAxis(NodeProto gather)
    {
        var axis = gather.IntAttribute("axis", 0);
        return axis < 0 ? axis + 2 : axis;
    }

    /// <summary>
    /// The table's tied head, if it has one; <c>shared</c> names a reader that is neither the Gather nor a tied head
    /// (a second head counts as one), or says the table or its transpose is a graph output.
    /// </summary>
    private static (TiedHead? Head, string? Shared) FindHead(NodeProto gather, string tableName, GraphScope scope, ModelReads reads)
    {
        if (reads.IsOutput(tableName)) return (null, "a graph output");
        TiedHead? head = null;
        foreach (var reader in reads.Readers(tableName))
        {
            if (ReferenceEquals(reader, gather) && gather.Input[1] != tableName) continue;
            var found = AsHead(reader, tableName, scope, reads);
            if (found is null || head is not null) return (null, $"'{(reader.Name.Length > 0 ? reader.Name : reader.Output.FirstOrDefault())}' ({reader.OpType})");
            head = found;
        }
        return (head, null);
    }

    private static TiedHead? AsHead(NodeProto reader, string tableName, GraphScope scope, ModelReads reads)
    {
        if (!InGraph(reader, scope) || reader.Domain is not ("" or "ai.onnx")) return null;
        // Gemm(h, E, [C], transB = 1) is h E^T (+ C); with transA the rewrite would need a Transpose of h first.
        if (reader.OpType == "Gemm" && reader.Input.Count >= 2 && reader.Input[1] == tableName && reader.Input[0] != tableName
            && (reader.Input.Count < 3 || reader.Input[2] != tableName)
            && reader.IntAttribute("transB", 0) == 1 && reader.IntAttribute("transA", 0) == 0)
            return new TiedHead(reader, null);
        if (reader.OpType != "Transpose" || reader.Output.Count != 1) return null;
        var perm = reader.IntsAttribute("perm");
        if (perm is not null && !perm.SequenceEqual([1L, 0L])) return null;
        var transposed = reader.Output[0];
        if (reads.IsOutput(transposed) || reads.Readers(transposed) is not [var matMul]) return null;
        if (matMul.OpType != "MatMul" || matMul.Domain is not ("" or "ai.onnx") || !InGraph(matMul, scope)
            || matMul.Input[1] != transposed || matMul.Input[0] == transposed)
            return null;
        return new TiedHead(matMul, reader);
    }

    // By reference: protobuf messages compare by value, and a subgraph may hold a node equal to one of the main graph.
    private static bool InGraph(NodeProto node, GraphScope scope) => scope.Graph.Node.Any(n => ReferenceEquals(n, node));
}
