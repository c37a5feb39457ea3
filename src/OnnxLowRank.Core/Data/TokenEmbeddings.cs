using OnnxLowRank.Onnx.Protos;

namespace OnnxLowRank.Core.Data;

/// <summary>
/// The rows of the constant tables a model's integer inputs index: for each graph input that feeds (directly or
/// through a Cast) the indices of a Gather over an initializer or a Constant, the table's first dimension. For
/// input_ids that is the vocabulary size; an id at or past it is out of range.
/// </summary>
public static class TokenEmbeddings
{
    /// <summary>The vocabulary of a token model: the rows of the table its ids input indexes; null when it has none.</summary>
    public static long? Vocabulary(ModelProto model) =>
        TableRows(model).Where(t => TokenInputs.RoleOf(t.Key) == TokenInputRole.Ids).Select(t => (long?)t.Value).FirstOrDefault();

    public static IReadOnlyDictionary<string, long> TableRows(ModelProto model)
    {
        var graph = model.Graph;
        var result = new Dictionary<string, long>(StringComparer.Ordinal);
        if (graph is null) return result;
        var tables = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var init in graph.Initializer)
        {
            if (init.Dims.Count > 0) tables[init.Name] = init.Dims[0];
        }
        foreach (var node in graph.Node.Where(n => n.OpType == "Constant" && n.Output.Count == 1))
        {
            if (node.Attribute.FirstOrDefault(a => a.Name == "value")?.T is { Dims.Count: > 0 } t) tables[node.Output[0]] = t.Dims[0];
        }
        var initializers = graph.Initializer.Select(i => i.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var input in graph.Input.Where(i => !initializers.Contains(i.Name)))
        {
            // The input itself, and what a Cast makes of it.
            var names = new HashSet<string>(StringComparer.Ordinal) { input.Name };
            foreach (var cast in graph.Node.Where(n => n.OpType == "Cast" && n.Input.Count == 1 && n.Input[0] == input.Name))
                names.UnionWith(cast.Output);
            long? rows = null;
            foreach (var gather in graph.Node.Where(n => n.OpType == "Gather" && n.Input.Count == 2 && names.Contains(n.Input[1])))
            {
                if (tables.TryGetValue(gather.Input[0], out var r)) rows = rows is { } known ? Math.Min(known, r) : r;
            }
            if (rows is { } found) result[input.Name] = found;
        }
        return result;
    }
}
