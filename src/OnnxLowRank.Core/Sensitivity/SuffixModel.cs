using OnnxLowRank.Onnx;
using OnnxLowRank.Onnx.Protos;

namespace OnnxLowRank.Core.Sensitivity;

/// <summary>
/// The part of a model downstream of one layer: the layer's node and every node that transitively consumes its output on the
/// way to the chosen model outputs. Its graph inputs are the values those nodes read that are computed outside it (the layer's
/// own input, and the other branch of every residual Add: the frontier); constants, and the nodes that compute only from
/// constants (a Transpose of a weight), come along. Outputs the layer does not reach are left out: this layer cannot change them.
/// </summary>
public sealed class SuffixModel
{
    private readonly ModelProto _source;
    private readonly bool[] _kept;
    private readonly int _layerIndex;
    private readonly string _layerName;

    private SuffixModel(ModelProto source, bool[] kept, int layerIndex, string layerName, IReadOnlyList<string> inputs, IReadOnlyList<string> outputs)
    {
        _source = source;
        _kept = kept;
        _layerIndex = layerIndex;
        _layerName = layerName;
        Inputs = inputs;
        Outputs = outputs;
    }

    /// <summary>The values the suffix reads from the rest of the model, in the order its nodes first read them.</summary>
    public IReadOnlyList<string> Inputs { get; }

    /// <summary>The chosen outputs the layer reaches, in the model's order; empty when it reaches none.</summary>
    public IReadOnlyList<string> Outputs { get; }

    /// <summary>
    /// The suffix of <paramref name="layerNode"/> (a node of the main graph, named <paramref name="layerName"/> as discovery names it)
    /// towards <paramref name="outputs"/>, a subset of the model's outputs. The graph must be in topological order, as ONNX requires.
    /// </summary>
    public static SuffixModel Of(ModelProto model, NodeProto layerNode, string layerName, IReadOnlyList<string> outputs)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(layerNode);
        ArgumentNullException.ThrowIfNull(outputs);
        var nodes = model.Graph.Node;
        var layerIndex = -1;
        for (var i = 0; i < nodes.Count && layerIndex < 0; i++) if (ReferenceEquals(nodes[i], layerNode)) layerIndex = i;
        if (layerIndex < 0) throw new ArgumentException($"Layer '{layerName}' is not a node of the model's main graph.", nameof(layerNode));

        // Forward from the layer: a node is downstream when it reads a value the layer changes.
        var changed = new HashSet<string>(layerNode.Output.Where(o => o.Length > 0));
        var downstream = new bool[nodes.Count];
        downstream[layerIndex] = true;
        for (var i = layerIndex + 1; i < nodes.Count; i++)
        {
            if (!Reads(nodes[i]).Any(changed.Contains)) continue;
            downstream[i] = true;
            changed.UnionWith(nodes[i].Output.Where(o => o.Length > 0));
        }
        var reached = outputs.Where(changed.Contains).ToList();

        // Backward from the reached outputs: only downstream nodes on the way to them are run.
        var kept = new bool[nodes.Count];
        var needed = new HashSet<string>(reached);
        for (var i = nodes.Count - 1; i >= layerIndex && reached.Count > 0; i--)
        {
            if (!downstream[i] || !nodes[i].Output.Any(needed.Contains)) continue;
            kept[i] = true;
            needed.UnionWith(Reads(nodes[i]));
        }

        // Values computed from constants alone are computed inside the suffix, so a folded Transpose of a weight stays visible to discovery.
        var constants = new HashSet<string>(model.Graph.Initializer.Select(t => t.Name));
        var constantNode = new bool[nodes.Count];
        for (var i = 0; i < nodes.Count; i++)
        {
            if (nodes[i].Subgraphs().Any() || !Reads(nodes[i]).All(constants.Contains)) continue;
            constantNode[i] = true;
            constants.UnionWith(nodes[i].Output.Where(o => o.Length > 0));
        }
        var produced = new HashSet<string>();
        for (var i = nodes.Count - 1; i >= 0; i--)
        {
            if (kept[i] || (constantNode[i] && nodes[i].Output.Any(needed.Contains)))
            {
                if (!kept[i]) needed.UnionWith(Reads(nodes[i]));
                kept[i] = true;
                produced.UnionWith(nodes[i].Output);
            }
        }
        var initializers = model.Graph.Initializer.Select(t => t.Name).ToHashSet();
        var inputs = new List<string>();
        for (var i = 0; i < nodes.Count; i++)
        {
            if (!kept[i]) continue;
            foreach (var read in Reads(nodes[i]))
                if (!produced.Contains(read) && !initializers.Contains(read) && !inputs.Contains(read)) inputs.Add(read);
        }
        return new SuffixModel(model, kept, layerIndex, layerName, inputs, reached);
    }

    /// <summary>
    /// The suffix as a model: the kept nodes (the layer's node named <c>layerName</c> outright, so that discovery in the suffix names
    /// it as in the whole model), the initializers they read (shared with the source, not copied), and inputs typed by
    /// <paramref name="elementTypeOf"/> with shapes left to the engine, so any batch size runs.
    /// </summary>
    public ModelProto ToModel(Func<string, TensorProto.Types.DataType> elementTypeOf)
    {
        ArgumentNullException.ThrowIfNull(elementTypeOf);
        var graph = _source.Graph;
        var suffix = new GraphProto { Name = $"suffix of {_layerName}" };
        foreach (var input in Inputs)
            suffix.Input.Add(new ValueInfoProto
            {
                Name = input,
                Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)elementTypeOf(input) } },
            });
        var read = new HashSet<string>();
        for (var i = 0; i < graph.Node.Count; i++)
        {
            if (!_kept[i]) continue;
            var node = graph.Node[i].Clone();
            if (i == _layerIndex) node.Name = _layerName;
            suffix.Node.Add(node);
            read.UnionWith(Reads(node));
        }
        suffix.Initializer.AddRange(graph.Initializer.Where(t => read.Contains(t.Name)));
        suffix.SparseInitializer.AddRange(graph.SparseInitializer.Where(t => read.Contains(t.Values?.Name ?? "")));
        foreach (var output in Outputs) suffix.Output.Add(graph.Output.First(o => o.Name == output).Clone());
        var model = new ModelProto { IrVersion = _source.IrVersion, Graph = suffix };
        model.OpsetImport.AddRange(_source.OpsetImport.Select(o => o.Clone()));
        model.Functions.AddRange(_source.Functions.Select(f => f.Clone()));
        return model;
    }

    /// <summary>
    /// Every value a node reads: its inputs, and the names read inside its subgraphs (an If branch or Loop body may read an outer value
    /// its node does not list). Names a subgraph defines itself are read too, but no main-graph node produces them.
    /// </summary>
    private static IEnumerable<string> Reads(NodeProto node) =>
        node.Input.Where(i => i.Length > 0).Concat(node.Subgraphs().SelectMany(g => g.Node).SelectMany(Reads)).Distinct();
}
