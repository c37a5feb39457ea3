using System.Buffers.Binary;
using OnnxLowRank.Onnx;
using OnnxLowRank.Onnx.Protos;
using DataType = OnnxLowRank.Onnx.Protos.TensorProto.Types.DataType;

namespace OnnxLowRank.Core.Layers;

/// <summary>
/// One graph of a model, the main graph or a subgraph (an If branch, a Loop or Scan body, nested to any depth),
/// with what its layers need from around it: the path that names them ("If_0/then_branch/conv"), the enclosing
/// scopes whose values a subgraph may read by name, and how many times the graph runs per run of the model.
/// </summary>
public sealed class GraphScope
{
    private GraphScope(GraphProto graph, GraphScope? parent, NodeProto? owner, string path, IReadOnlyList<(int Node, string Attribute)> route,
        long? runs, string? runsUnknown)
    {
        Graph = graph;
        Index = new GraphIndex(graph);
        Parent = parent;
        Owner = owner;
        Path = path;
        Route = route;
        RunsPerModelRun = runs;
        RunsUnknown = runsUnknown;
    }

    public GraphProto Graph { get; }

    public GraphIndex Index { get; }

    /// <summary>The scope whose node holds this graph; null for the main graph.</summary>
    public GraphScope? Parent { get; }

    /// <summary>The If, Loop or Scan node whose attribute this graph is; null for the main graph.</summary>
    public NodeProto? Owner { get; }

    public bool IsMain => Parent is null;

    /// <summary>"" for the main graph, else the owner's path and the attribute's name ("loop/body").</summary>
    public string Path { get; }

    /// <summary>From the main graph down: the position of each owner node in its graph and the attribute holding the next graph.</summary>
    public IReadOnlyList<(int Node, string Attribute)> Route { get; }

    /// <summary>
    /// How many times the graph runs per run of the model: 1 for the main graph and an If branch (a budget counts
    /// both branches, since it cannot know which one a run takes), times a Loop's trip count M where M is a constant;
    /// null where it is not (a Loop with a computed or absent M, a Scan, whose count is the length of a sequence, any
    /// other operator with a subgraph).
    /// </summary>
    public long? RunsPerModelRun { get; }

    /// <summary>Why <see cref="RunsPerModelRun"/> is null; null when it is known.</summary>
    public string? RunsUnknown { get; }

    /// <summary>The name of a node of this graph: its local name (<see cref="LayerNames"/>) under the scope's path.</summary>
    public string NameOf(string localName) => IsMain ? localName : $"{Path}/{localName}";

    /// <summary>A constant this graph can read by name: its own, or one of an enclosing graph (a subgraph reads outer values).</summary>
    public (TensorProto Tensor, GraphScope Holder)? Constant(string name)
    {
        for (var scope = this; scope is not null; scope = scope.Parent)
        {
            if (scope.Index.Constant(name) is { } tensor) return (tensor, scope);
            // A value the nearer graph itself provides (a node output, a subgraph input) hides any outer one of that name.
            if (scope.Index.Producer(name) is not null || scope.Graph.Input.Any(i => i.Name == name)) return null;
        }
        return null;
    }

    /// <summary>The main graph's scope followed by every subgraph's, depth first in node order.</summary>
    public static IReadOnlyList<GraphScope> All(GraphProto main)
    {
        ArgumentNullException.ThrowIfNull(main);
        var scopes = new List<GraphScope>();
        void Visit(GraphScope scope)
        {
            scopes.Add(scope);
            var names = LayerNames.Of(scope.Graph);
            for (var i = 0; i < scope.Graph.Node.Count; i++)
            {
                var node = scope.Graph.Node[i];
                foreach (var attribute in node.Attribute)
                    foreach (var body in attribute.Subgraphs())
                    {
                        var (runs, unknown) = Runs(scope, node, names[i]);
                        Visit(new GraphScope(body, scope, node, $"{scope.NameOf(names[i])}/{attribute.Name}", [.. scope.Route, (i, attribute.Name)], runs, unknown));
                    }
            }
        }
        Visit(new GraphScope(main, null, null, "", [], 1, null));
        return scopes;
    }

    private static (long? Runs, string? Unknown) Runs(GraphScope parent, NodeProto owner, string ownerName)
    {
        if (parent.RunsPerModelRun is not { } outer) return (null, parent.RunsUnknown);
        switch (owner.OpType)
        {
            case "Loop" when owner.Domain is "" or "ai.onnx":
                var tripCount = owner.Input.Count > 0 ? owner.Input[0] : "";
                if (tripCount.Length == 0)
                    return (null, $"Loop '{ownerName}' has no trip count M: it runs until its condition turns false");
                if (parent.Constant(tripCount) is not { } m || ScalarInt64(m.Tensor) is not { } count)
                    return (null, $"the trip count '{tripCount}' of Loop '{ownerName}' is computed at run time, not a constant");
                // A constant M is the most the body runs; a condition may end the loop sooner, which a budget cannot know.
                return (outer * Math.Max(count, 0), null);
            case "Scan" when owner.Domain is "" or "ai.onnx":
                return (null, $"Scan '{ownerName}' runs once per element of its input sequences, whose length is known at run time only");
            case "If" when owner.Domain is "" or "ai.onnx":
                return (outer, null);
            default:
                return (null, $"{owner.OpType} '{ownerName}' runs its subgraph a number of times this tool does not know");
        }
    }

    private static long? ScalarInt64(TensorProto tensor)
    {
        if ((DataType)tensor.DataType != DataType.Int64 || tensor.Dims.Aggregate(1L, (n, d) => n * d) != 1) return null;
        if (tensor.HasRawData) return tensor.RawData.Length == 8 ? BinaryPrimitives.ReadInt64LittleEndian(tensor.RawData.Span) : null;
        return tensor.Int64Data.Count == 1 ? tensor.Int64Data[0] : null;
    }
}
