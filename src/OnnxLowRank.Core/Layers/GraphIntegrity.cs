using OnnxLowRank.Onnx;
using OnnxLowRank.Onnx.Errors;
using OnnxLowRank.Onnx.Protos;

namespace OnnxLowRank.Core.Layers;

/// <summary>
/// The structural faults of a main graph that no engine accepts and that would otherwise surface as
/// crashes deep in a rewrite: a cycle, a node reading a value nothing provides, a layer without an output.
/// </summary>
internal static class GraphIntegrity
{
    private const string Advice = "the file is corrupt or was written by a faulty exporter";

    public static void Require(GraphProto graph, GraphIndex index, IReadOnlyList<string> names)
    {
        for (var i = 0; i < graph.Node.Count; i++)
        {
            var node = graph.Node[i];
            if (node.OpType is "Gemm" or "MatMul" or "Conv" && (node.Output.Count == 0 || node.Output[0].Length == 0))
                throw new InvalidModelException($"{node.OpType} node has no output", subject: names[i], advice: Advice);
        }
        if (index.IsTopologicallySorted) return;

        var provided = new HashSet<string>(graph.Input.Select(v => v.Name));
        provided.UnionWith(graph.Initializer.Select(t => t.Name));
        provided.UnionWith(graph.SparseInitializer.Where(s => s.Values is not null).Select(s => s.Values.Name));
        provided.UnionWith(graph.Node.SelectMany(n => n.Output));
        for (var i = 0; i < graph.Node.Count; i++)
        {
            var missing = graph.Node[i].Input.FirstOrDefault(v => v.Length > 0 && !provided.Contains(v));
            if (missing is not null)
                throw new InvalidModelException($"node '{names[i]}' reads a value that no node, initializer or graph input provides",
                    subject: missing, advice: Advice);
        }
        if (index.TopologicalOrder() is null)
            throw new InvalidModelException("the graph has a cycle: a node depends, through others, on its own output",
                subject: names[FirstOnCycle(graph, index)], advice: Advice);
    }

    /// <summary>The position of the first node that Kahn's ordering never releases (it waits on a cycle).</summary>
    private static int FirstOnCycle(GraphProto graph, GraphIndex index)
    {
        var position = new Dictionary<NodeProto, int>(ReferenceEqualityComparer.Instance);
        for (var i = 0; i < graph.Node.Count; i++) position[graph.Node[i]] = i;
        var waiting = new int[graph.Node.Count];
        for (var i = 0; i < graph.Node.Count; i++)
            waiting[i] = graph.Node[i].Input.Count(v => v.Length > 0 && index.Producer(v) is not null);
        var ready = new Queue<int>(Enumerable.Range(0, waiting.Length).Where(i => waiting[i] == 0));
        while (ready.TryDequeue(out var i))
        {
            foreach (var output in graph.Node[i].Output.Where(o => o.Length > 0))
                foreach (var consumer in index.Consumers(output))
                    if (--waiting[position[consumer]] == 0) ready.Enqueue(position[consumer]);
        }
        return Array.FindIndex(waiting, w => w > 0);
    }
}
