using OnnxLowRank.Onnx.Errors;
using OnnxLowRank.Onnx.Protos;

namespace OnnxLowRank.Onnx;

/// <summary>
/// Who produces and who consumes each value of one graph (not of its subgraphs), which values are
/// constants, and whether the nodes are in a valid order. A snapshot: rebuild it after editing the graph.
/// </summary>
public sealed class GraphIndex
{
    private static readonly IReadOnlyList<NodeProto> NoNodes = [];

    private readonly Dictionary<string, NodeProto> _producers = [];
    private readonly Dictionary<string, int> _producerPosition = [];
    private readonly Dictionary<string, List<NodeProto>> _consumers = [];
    private readonly Dictionary<string, TensorProto> _initializers = [];
    private readonly Dictionary<string, TensorProto> _constantNodeValues = [];
    private readonly HashSet<string> _graphInputs = [];
    private readonly HashSet<string> _graphOutputs = [];

    public GraphIndex(GraphProto graph)
    {
        Graph = graph;
        foreach (var input in graph.Input) _graphInputs.Add(input.Name);
        foreach (var output in graph.Output) _graphOutputs.Add(output.Name);
        foreach (var tensor in graph.Initializer) _initializers.TryAdd(tensor.Name, tensor);

        for (var position = 0; position < graph.Node.Count; position++)
        {
            var node = graph.Node[position];
            foreach (var output in node.Output)
            {
                if (output.Length == 0) continue;
                if (!_producers.TryAdd(output, node))
                {
                    throw new InvalidModelException($"value is produced by both node '{_producers[output].Name}' and node '{node.Name}'",
                        subject: output, advice: "every value in an ONNX graph must have exactly one producer");
                }
                _producerPosition.Add(output, position);
            }
            foreach (var input in node.Input)
            {
                if (input.Length == 0) continue;
                if (!_consumers.TryGetValue(input, out var list)) _consumers.Add(input, list = []);
                list.Add(node);
            }
            if (ConstantNodeValue(node) is { } value) _constantNodeValues.TryAdd(node.Output[0], value);
        }
        IsTopologicallySorted = ComputeIsSorted();
    }

    public GraphProto Graph { get; }

    /// <summary>True when every node input is empty, a graph input, an initializer, or produced by an earlier node.</summary>
    public bool IsTopologicallySorted { get; }

    /// <summary>The node that produces <paramref name="valueName"/>, or null (graph input, initializer, unknown).</summary>
    public NodeProto? Producer(string valueName) => _producers.GetValueOrDefault(valueName);

    /// <summary>Nodes reading <paramref name="valueName"/>, once per input slot, in graph order.</summary>
    public IReadOnlyList<NodeProto> Consumers(string valueName) =>
        _consumers.TryGetValue(valueName, out var list) ? list : NoNodes;

    /// <summary>
    /// The value's tensor when it is an initializer or the output of a Constant node (value,
    /// value_float(s), value_int(s)). An initializer that is also a graph input (old IR versions
    /// used that for defaults) is returned too; check <see cref="IsGraphInput"/> where overriding matters.
    /// </summary>
    public TensorProto? Constant(string valueName) =>
        _initializers.GetValueOrDefault(valueName) ?? _constantNodeValues.GetValueOrDefault(valueName);

    public bool IsInitializer(string valueName) => _initializers.ContainsKey(valueName);

    public bool IsGraphInput(string valueName) => _graphInputs.Contains(valueName);

    public bool IsGraphOutput(string valueName) => _graphOutputs.Contains(valueName);

    /// <summary>
    /// The nodes ordered so each comes after the producers of its inputs, keeping the current order
    /// wherever it is already valid; null when the graph has a cycle.
    /// </summary>
    public IReadOnlyList<NodeProto>? TopologicalOrder()
    {
        var nodes = Graph.Node;
        var waitingOn = new int[nodes.Count];
        var dependents = new List<int>?[nodes.Count];
        for (var position = 0; position < nodes.Count; position++)
        {
            foreach (var input in nodes[position].Input)
            {
                if (!_producerPosition.TryGetValue(input, out var producer)) continue;
                waitingOn[position]++;
                (dependents[producer] ??= []).Add(position);
            }
        }

        var ready = new PriorityQueue<int, int>();
        for (var position = 0; position < nodes.Count; position++)
        {
            if (waitingOn[position] == 0) ready.Enqueue(position, position);
        }
        var order = new List<NodeProto>(nodes.Count);
        while (ready.TryDequeue(out var position, out _))
        {
            order.Add(nodes[position]);
            foreach (var dependent in dependents[position] ?? [])
            {
                if (--waitingOn[dependent] == 0) ready.Enqueue(dependent, dependent);
            }
        }
        return order.Count == nodes.Count ? order : null;
    }

    private bool ComputeIsSorted()
    {
        var available = new HashSet<string>(_graphInputs);
        available.UnionWith(_initializers.Keys);
        foreach (var sparse in Graph.SparseInitializer)
        {
            if (sparse.Values is not null) available.Add(sparse.Values.Name);
        }
        foreach (var node in Graph.Node)
        {
            foreach (var input in node.Input)
            {
                if (input.Length > 0 && !available.Contains(input)) return false;
            }
            available.UnionWith(node.Output);
        }
        return true;
    }

    /// <summary>The tensor a standard-domain Constant node outputs, when it is given as a value the index can hold.</summary>
    private static TensorProto? ConstantNodeValue(NodeProto node)
    {
        if (node.OpType != "Constant" || node.Domain is not ("" or "ai.onnx") || node.Output.Count != 1 || node.Attribute.Count != 1)
        {
            return null;
        }
        var attribute = node.Attribute[0];
        var name = node.Output[0];
        switch (attribute.Name)
        {
            case "value" when attribute.T is not null:
                return attribute.T;
            case "value_float":
                return Typed(name, TensorProto.Types.DataType.Float, scalar: true, t => t.FloatData.Add(attribute.F));
            case "value_floats":
                return Typed(name, TensorProto.Types.DataType.Float, scalar: false, t => t.FloatData.Add(attribute.Floats));
            case "value_int":
                return Typed(name, TensorProto.Types.DataType.Int64, scalar: true, t => t.Int64Data.Add(attribute.I));
            case "value_ints":
                return Typed(name, TensorProto.Types.DataType.Int64, scalar: false, t => t.Int64Data.Add(attribute.Ints));
            default:
                return null;
        }
    }

    private static TensorProto Typed(string name, TensorProto.Types.DataType type, bool scalar, Action<TensorProto> fill)
    {
        var tensor = new TensorProto { Name = name, DataType = (int)type };
        fill(tensor);
        if (!scalar) tensor.Dims.Add(tensor.FloatData.Count + tensor.Int64Data.Count);
        return tensor;
    }
}
