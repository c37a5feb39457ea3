using OnnxLowRank.Onnx.Protos;

namespace OnnxLowRank.Core.Layers;

/// <summary>
/// Every read of a value name across the whole model, subgraphs included: node inputs in any graph, and the
/// outputs of any graph (a subgraph may hand an outer value straight out). A weight that a rewrite replaces must
/// have its layer as its only reader anywhere, or the value would be gone for the others (or factorized twice).
/// </summary>
internal sealed class ModelReads
{
    private readonly Dictionary<string, List<NodeProto>> _readers = [];
    private readonly HashSet<string> _outputs = [];

    private ModelReads()
    {
    }

    public static ModelReads Of(IEnumerable<GraphScope> scopes)
    {
        var reads = new ModelReads();
        foreach (var scope in scopes)
        {
            foreach (var output in scope.Graph.Output) reads._outputs.Add(output.Name);
            foreach (var node in scope.Graph.Node)
                foreach (var input in node.Input)
                {
                    if (input.Length == 0) continue;
                    if (!reads._readers.TryGetValue(input, out var list)) reads._readers.Add(input, list = []);
                    list.Add(node);
                }
        }
        return reads;
    }

    /// <summary>Every node, in any graph, that reads <paramref name="value"/> (once per input that names it).</summary>
    public IReadOnlyList<NodeProto> Readers(string value) => _readers.GetValueOrDefault(value) ?? [];

    /// <summary>Whether <paramref name="value"/> is an output of any graph.</summary>
    public bool IsOutput(string value) => _outputs.Contains(value);

    /// <summary>Whether <paramref name="value"/> is read by <paramref name="reader"/> alone, once, and is no graph's output.</summary>
    public bool FeedsOnly(string value, NodeProto reader) =>
        !_outputs.Contains(value)
        && _readers.TryGetValue(value, out var list) && list.Count == 1 && ReferenceEquals(list[0], reader);
}
