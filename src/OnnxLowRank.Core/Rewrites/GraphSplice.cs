using OnnxLowRank.Onnx;
using OnnxLowRank.Onnx.Protos;

namespace OnnxLowRank.Core.Rewrites;

/// <summary>
/// Puts replacement nodes where their originals were (so a sorted graph stays sorted), adds the
/// new initializers, and removes what the rewrites left without a reader: the old weights (with
/// their graph-input entries, when old exporters listed them there), and the Constant or Transpose
/// nodes that produced them. It edits one graph, the main graph or a subgraph; values read anywhere below it count as
/// read, so a weight a subgraph still reads stays.
/// </summary>
internal static class GraphSplice
{
    public static void Apply(
        GraphProto graph, IReadOnlyDictionary<NodeProto, IReadOnlyList<NodeProto>> replacements,
        IEnumerable<TensorProto> initializers, IReadOnlyCollection<string> released)
    {
        var nodes = new List<NodeProto>(graph.Node.Count + replacements.Count);
        foreach (var node in graph.Node)
        {
            if (replacements.TryGetValue(node, out var replacement)) nodes.AddRange(replacement);
            else nodes.Add(node);
        }

        // Producers of released values go once nothing reads their outputs; a folded Transpose
        // frees its constant in turn, hence the loop.
        var candidates = nodes.Where(n => n.Output.Count > 0 && n.Output.All(released.Contains)).ToHashSet();
        var outputs = graph.Output.Select(o => o.Name).ToHashSet();
        HashSet<string> reads;
        while (true)
        {
            reads = ReadValues(nodes, outputs);
            var dead = candidates.Where(n => !n.Output.Any(reads.Contains)).ToList();
            if (dead.Count == 0) break;
            foreach (var n in dead)
            {
                nodes.Remove(n);
                candidates.Remove(n);
            }
        }

        graph.Node.Clear();
        graph.Node.AddRange(nodes);
        bool Gone(string name) => released.Contains(name) && !reads.Contains(name);
        RemoveWhere(graph.Initializer, t => Gone(t.Name));
        RemoveWhere(graph.Input, v => Gone(v.Name));
        RemoveWhere(graph.ValueInfo, v => Gone(v.Name));
        graph.Initializer.AddRange(initializers);
    }

    private static HashSet<string> ReadValues(IEnumerable<NodeProto> nodes, IEnumerable<string> graphOutputs)
    {
        var reads = new HashSet<string>(graphOutputs);
        void Visit(IEnumerable<NodeProto> scope)
        {
            foreach (var node in scope)
            {
                reads.UnionWith(node.Input);
                foreach (var sub in node.Subgraphs())
                {
                    reads.UnionWith(sub.Output.Select(o => o.Name));
                    Visit(sub.Node);
                }
            }
        }
        Visit(nodes);
        return reads;
    }

    private static void RemoveWhere<T>(Google.Protobuf.Collections.RepeatedField<T> items, Func<T, bool> predicate)
    {
        for (var i = items.Count - 1; i >= 0; i--)
            if (predicate(items[i])) items.RemoveAt(i);
    }
}
