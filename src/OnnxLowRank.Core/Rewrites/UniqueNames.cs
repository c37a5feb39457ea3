using OnnxLowRank.Onnx;
using OnnxLowRank.Onnx.Protos;

namespace OnnxLowRank.Core.Rewrites;

/// <summary>Hands out node, value and initializer names that no part of a graph (subgraphs included) uses yet.</summary>
internal sealed class UniqueNames
{
    private readonly HashSet<string> _taken = [];

    public UniqueNames(GraphProto graph) => Collect(graph);

    /// <summary><paramref name="wanted"/> if free, else wanted_2, wanted_3, ...; the name is taken from then on.</summary>
    public string Claim(string wanted)
    {
        var name = wanted;
        for (var n = 2; !_taken.Add(name); n++) name = $"{wanted}_{n}";
        return name;
    }

    private void Collect(GraphProto graph)
    {
        foreach (var v in graph.Input) _taken.Add(v.Name);
        foreach (var v in graph.Output) _taken.Add(v.Name);
        foreach (var v in graph.ValueInfo) _taken.Add(v.Name);
        foreach (var t in graph.Initializer) _taken.Add(t.Name);
        foreach (var t in graph.SparseInitializer) _taken.Add(t.Values?.Name ?? "");
        foreach (var node in graph.Node)
        {
            _taken.Add(node.Name);
            _taken.UnionWith(node.Input);
            _taken.UnionWith(node.Output);
            foreach (var sub in node.Subgraphs()) Collect(sub);
        }
    }
}
