using OnnxLowRank.Core.Execution;
using OnnxLowRank.Core.Layers;
using OnnxLowRank.Onnx.Errors;
using OnnxLowRank.Onnx.Protos;
using DataType = OnnxLowRank.Onnx.Protos.TensorProto.Types.DataType;

namespace OnnxLowRank.Core.Analysis;

/// <summary>
/// Output positions of layers inside If, Loop and Scan subgraphs, per run of the model. The engine exposes only
/// main-graph values, so a copy of the model hands each layer's output up, graph by graph, as an extra output of
/// its subgraph and of the node that owns it: a Loop stacks it over its iterations (one more leading axis), and an
/// If is forced onto the branch holding the layer (a Constant condition) while its other branch hands out an
/// empty tensor. One zero-input run per set of forced branches reads them all. A layer's positions per iteration
/// are then scaled by how often its subgraph runs per model run (<see cref="GraphScope.RunsPerModelRun"/>).
/// </summary>
public static class SubgraphOutputPositions
{
    /// <summary>A layer to measure: its name, its graph, the value it produces, its output channels and element type.</summary>
    public sealed record Probe(string Name, GraphScope Scope, string OutputValue, long OutputChannels, DataType ElementType);

    /// <summary>Output positions per model run, or null with the reason they cannot be counted.</summary>
    public sealed record Measurement(long? Positions, string? Uncounted);

    public static IReadOnlyDictionary<string, Measurement> Measure(
        ModelProto model, IReadOnlyList<Probe> probes, IModelRunner runner, DimensionSizes dimensionSizes)
    {
        var results = new Dictionary<string, Measurement>();
        var groups = new List<(Dictionary<string, string> Branches, List<Probe> Probes)>();
        foreach (var probe in probes)
        {
            if (probe.Scope.RunsPerModelRun is null)
            {
                results[probe.Name] = new Measurement(null, probe.Scope.RunsUnknown);
                continue;
            }
            var branches = Branches(probe.Scope);
            var group = groups.FirstOrDefault(g => branches.All(b => !g.Branches.TryGetValue(b.Key, out var taken) || taken == b.Value));
            if (group.Probes is null) groups.Add(group = (new Dictionary<string, string>(), []));
            foreach (var (owner, branch) in branches) group.Branches[owner] = branch;
            group.Probes.Add(probe);
        }
        foreach (var (_, group) in groups)
            foreach (var (name, measurement) in MeasureTogether(model, group, runner, dimensionSizes)) results[name] = measurement;
        return results;
    }

    /// <summary>The If branches on the way down to <paramref name="scope"/>, by the If's path: each must be taken to reach it.</summary>
    private static Dictionary<string, string> Branches(GraphScope scope)
    {
        var branches = new Dictionary<string, string>();
        for (var s = scope; s.Parent is not null; s = s.Parent)
            if (s.Owner!.OpType == "If") branches[s.Path[..s.Path.LastIndexOf('/')]] = s.Path[(s.Path.LastIndexOf('/') + 1)..];
        return branches;
    }

    private static IReadOnlyList<(string Name, Measurement Measurement)> MeasureTogether(
        ModelProto model, IReadOnlyList<Probe> probes, IModelRunner runner, DimensionSizes dimensionSizes)
    {
        var copy = model.Clone();
        var names = new FreshNames(copy.Graph);
        // Every chain of graphs is found in the copy before any is edited: edits insert nodes and move positions.
        var chains = probes.Select(p => Chain(copy.Graph, p.Scope)).ToList();
        var forced = new HashSet<NodeProto>(ReferenceEqualityComparer.Instance);
        var exposed = new List<(Probe Probe, string Value, int StackedAxes)>();
        for (var i = 0; i < probes.Count; i++)
        {
            var value = probes[i].OutputValue;
            var stacked = 0;
            foreach (var (outer, owner, attribute, body) in chains[i])
            {
                value = HandOut(body, value, probes[i].ElementType, names);
                if (owner.OpType == "If")
                {
                    var other = owner.Attribute.First(a => a.Name != attribute.Name && a.G is not null).G;
                    other.Output.Add(Output(EmptyConstant(other, probes[i].ElementType, names), probes[i].ElementType));
                    if (forced.Add(owner)) Force(outer, owner, attribute.Name == "then_branch", names);
                }
                else stacked++;
                var handed = names.Claim($"{value}_out");
                owner.Output.Add(handed);
                value = handed;
            }
            exposed.Add((probes[i], value, stacked));
        }

        IReadOnlyDictionary<string, TensorData> outputs;
        try
        {
            using var run = ModelProbe.Open(runner, copy, exposed.Select(e => e.Value));
            outputs = run.RunOnZeros(dimensionSizes);
        }
        catch (OnnxLowRankException e) when (!e.IsEnvironmentFailure)
        {
            // The main graph was measured already, so the model itself runs: the copy's edits are what the engine
            // refused, and only these layers' FLOPs go uncounted, which a FLOP budget then leaves out.
            return exposed.Select(x => (x.Probe.Name, new Measurement(null, $"the engine refused the copy that measures it: {e.Message}"))).ToList();
        }
        return exposed.Select(x => (x.Probe.Name, Positions(x.Probe, outputs[x.Value], x.StackedAxes))).ToList();
    }

    private static Measurement Positions(Probe probe, TensorData tensor, int stacked)
    {
        var iterations = tensor.Shape.Take(stacked).Aggregate(1L, (n, d) => n * d);
        return iterations == 0
            ? new Measurement(null, "the measuring run (all-zero inputs) ran its loop no times")
            : new Measurement(tensor.ElementCount / iterations / probe.OutputChannels * probe.Scope.RunsPerModelRun!.Value, null);
    }

    /// <summary>From the main graph down to the scope's graph in <paramref name="copy"/>: each owner, its graph, its attribute and the body.</summary>
    private static List<(GraphProto Outer, NodeProto Owner, AttributeProto Attribute, GraphProto Body)> Chain(GraphProto copy, GraphScope scope)
    {
        var chain = new List<(GraphProto, NodeProto, AttributeProto, GraphProto)>();
        var graph = copy;
        foreach (var (position, name) in scope.Route)
        {
            var owner = graph.Node[position];
            var attribute = owner.Attribute.First(a => a.Name == name);
            chain.Add((graph, owner, attribute, attribute.G));
            graph = attribute.G;
        }
        chain.Reverse();
        return chain;
    }

    /// <summary>Adds an output to <paramref name="body"/> that copies <paramref name="value"/>, and returns its name.</summary>
    private static string HandOut(GraphProto body, string value, DataType type, FreshNames names)
    {
        var copy = names.Claim($"{value}_measured");
        body.Node.Add(new NodeProto { OpType = "Identity", Name = names.Claim($"{value}_measure"), Input = { value }, Output = { copy } });
        body.Output.Add(Output(copy, type));
        return copy;
    }

    /// <summary>A Constant of shape [0] in <paramref name="branch"/>: the If's other branch must hand out as many values.</summary>
    private static string EmptyConstant(GraphProto branch, DataType type, FreshNames names)
    {
        var name = names.Claim("measure_empty");
        var tensor = new TensorProto { DataType = (int)type, Dims = { 0 } };
        branch.Node.Add(new NodeProto
        {
            OpType = "Constant", Name = name, Output = { name },
            Attribute = { new AttributeProto { Name = "value", Type = AttributeProto.Types.AttributeType.Tensor, T = tensor } },
        });
        return name;
    }

    /// <summary>Makes the If take one branch whatever its condition: the condition becomes a Constant placed first in its graph.</summary>
    private static void Force(GraphProto graph, NodeProto owner, bool thenBranch, FreshNames names)
    {
        var name = names.Claim("measure_branch");
        var value = new TensorProto { DataType = (int)DataType.Bool, Int32Data = { thenBranch ? 1 : 0 } };
        graph.Node.Insert(0, new NodeProto
        {
            OpType = "Constant", Name = name, Output = { name },
            Attribute = { new AttributeProto { Name = "value", Type = AttributeProto.Types.AttributeType.Tensor, T = value } },
        });
        owner.Input[0] = name;
    }

    private static ValueInfoProto Output(string name, DataType type) => new()
    {
        Name = name,
        Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)type } },
    };

    /// <summary>Names unused anywhere in the copy, subgraphs included.</summary>
    private sealed class FreshNames
    {
        private readonly HashSet<string> _taken = [];

        public FreshNames(GraphProto graph)
        {
            foreach (var scope in GraphScope.All(graph))
            {
                _taken.UnionWith(scope.Graph.Input.Select(v => v.Name));
                _taken.UnionWith(scope.Graph.Initializer.Select(t => t.Name));
                foreach (var node in scope.Graph.Node)
                {
                    _taken.Add(node.Name);
                    _taken.UnionWith(node.Output);
                }
            }
        }

        public string Claim(string wanted)
        {
            var name = wanted;
            for (var n = 2; !_taken.Add(name); n++) name = $"{wanted}_{n}";
            return name;
        }
    }
}
