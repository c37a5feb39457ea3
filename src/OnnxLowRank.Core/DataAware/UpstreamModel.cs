using OnnxLowRank.Onnx;
using OnnxLowRank.Onnx.Protos;

namespace OnnxLowRank.Core.DataAware;

/// <summary>
/// The part of a model that computes some of its values: the nodes those values depend on and the initializers
/// those nodes read, with no graph outputs of its own (the runner exposes the values asked for). Sequential
/// calibration runs each wave through it, so the layers below the wave are not computed twice per wave.
/// </summary>
public static class UpstreamModel
{
    /// <summary>
    /// A copy cut down to what <paramref name="values"/> need, or a plain copy when a node carries a subgraph
    /// (a subgraph may read outer values that its node's inputs do not list).
    /// </summary>
    public static ModelProto Of(ModelProto model, IReadOnlyCollection<string> values)
    {
        var graph = model.Graph;
        if (graph.Node.Any(n => n.Subgraphs().Any())) return model.Clone();
        var needed = new HashSet<string>(values);
        var kept = new bool[graph.Node.Count];
        // Graph order is topological, so one backward pass finds every node a needed value depends on.
        for (var i = graph.Node.Count - 1; i >= 0; i--)
        {
            var node = graph.Node[i];
            if (!node.Output.Any(needed.Contains)) continue;
            kept[i] = true;
            foreach (var input in node.Input) if (input.Length > 0) needed.Add(input);
        }

        // Built field by field, so the weights of the nodes left out are never copied.
        var upstream = new GraphProto { Name = graph.Name, DocString = graph.DocString };
        upstream.Input.AddRange(graph.Input.Select(v => v.Clone()));
        upstream.ValueInfo.AddRange(graph.ValueInfo.Where(v => needed.Contains(v.Name)).Select(v => v.Clone()));
        upstream.Node.AddRange(graph.Node.Where((_, i) => kept[i]).Select(n => n.Clone()));
        upstream.Initializer.AddRange(graph.Initializer.Where(t => needed.Contains(t.Name)).Select(t => t.Clone()));
        upstream.SparseInitializer.AddRange(graph.SparseInitializer.Where(t => needed.Contains(t.Values?.Name ?? "")).Select(t => t.Clone()));
        var copy = new ModelProto
        {
            IrVersion = model.IrVersion, ProducerName = model.ProducerName, ProducerVersion = model.ProducerVersion,
            Domain = model.Domain, ModelVersion = model.ModelVersion, Graph = upstream,
        };
        copy.OpsetImport.AddRange(model.OpsetImport.Select(o => o.Clone()));
        copy.Functions.AddRange(model.Functions.Select(f => f.Clone()));
        return copy;
    }
}
