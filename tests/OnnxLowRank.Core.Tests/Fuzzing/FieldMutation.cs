using Google.Protobuf;
using OnnxLowRank.Onnx.Protos;
using AttributeType = OnnxLowRank.Onnx.Protos.AttributeProto.Types.AttributeType;

namespace OnnxLowRank.Core.Tests.Fuzzing;

/// <summary>
/// Damage that keeps the protobuf well formed: the model is parsed, one field somewhere (main graph
/// or a subgraph) gets a hostile value, and it is serialized again. Tensor dims and element types,
/// attribute values (group, strides, transB, pads...), node inputs and outputs, initializers, node
/// order and copies, declared shapes, versions and domains.
/// </summary>
internal static class FieldMutation
{
    /// <summary>
    /// Values for every integer field and attribute, pads and strides included: a Conv padded by 2^31
    /// asks ONNX Runtime for gigabytes and must end in its memory limit's typed error (EngineMemoryLimit).
    /// </summary>
    private static readonly long[] InterestingInts =
        [0, 1, 2, 3, -1, -2, 7, 64, 512, int.MaxValue, int.MinValue, 1L << 32, 1L << 40, long.MaxValue, long.MinValue];

    private static readonly string[] OpTypes = ["Gemm", "MatMul", "Conv", "Relu", "Transpose", "Identity", "If", "NoSuchOp"];

    /// <summary>A mutated copy, or null when the seed has nothing of the chosen kind to mutate.</summary>
    public static (byte[] Bytes, string Description)? Apply(byte[] bytes, Random random)
    {
        var model = ModelProto.Parser.ParseFrom(bytes);
        var graphs = Graphs(model.Graph).ToList();
        var graph = graphs[random.Next(graphs.Count)];
        var description = Mutate(model, graph, random);
        return description is null ? null : (model.ToByteArray(), description);
    }

    private static string? Mutate(ModelProto model, GraphProto graph, Random random)
    {
        var tensors = graph.Initializer.Concat(graph.Node.SelectMany(n => n.Attribute).Where(a => a.T is not null).Select(a => a.T)).ToList();
        var nodes = graph.Node;
        var values = graph.Input.Concat(graph.Output).Concat(graph.ValueInfo).ToList();
        switch (random.Next(16))
        {
            case 0 when tensors.Count > 0:
            {
                var tensor = Pick(tensors, random);
                if (tensor.Dims.Count > 0 && random.Next(3) > 0) tensor.Dims[random.Next(tensor.Dims.Count)] = Int(random);
                else if (tensor.Dims.Count > 0 && random.Next(2) == 0) tensor.Dims.RemoveAt(random.Next(tensor.Dims.Count));
                else tensor.Dims.Add(Int(random));
                return $"dims of tensor '{tensor.Name}' become [{string.Join(",", tensor.Dims)}]";
            }
            case 1 when tensors.Count > 0:
            {
                var tensor = Pick(tensors, random);
                tensor.DataType = random.Next(4) == 0 ? (int)Int(random) : random.Next(0, 24);
                return $"data_type of tensor '{tensor.Name}' becomes {tensor.DataType}";
            }
            case 2 when tensors.Count > 0:
            {
                var tensor = Pick(tensors, random);
                var raw = tensor.RawData.ToByteArray();
                var cut = raw.Length == 0 ? 0 : random.Next(raw.Length);
                tensor.RawData = random.Next(2) == 0 ? ByteString.CopyFrom(raw[..cut]) : ByteString.CopyFrom([.. raw, .. new byte[1 + random.Next(8)]]);
                if (random.Next(4) == 0) tensor.FloatData.Add(float.NaN);
                return $"raw_data of tensor '{tensor.Name}' becomes {tensor.RawData.Length} bytes";
            }
            case 3 when nodes.Any(n => n.Attribute.Count > 0):
            {
                var node = Pick(nodes.Where(n => n.Attribute.Count > 0).ToList(), random);
                var attribute = Pick(node.Attribute, random);
                if (attribute.Ints.Count > 0 && random.Next(2) == 0) attribute.Ints[random.Next(attribute.Ints.Count)] = Int(random);
                else if (random.Next(4) == 0) attribute.Type = (AttributeType)random.Next(0, 16);
                else attribute.I = Int(random);
                return $"attribute '{attribute.Name}' of node '{node.Name}' changed";
            }
            case 4 when nodes.Count > 0:
            {
                var node = Pick(nodes, random);
                var name = Pick(["group", "strides", "transA", "transB", "pads", "kernel_shape", "dilations", "auto_pad", "alpha", "perm"], random);
                var attribute = new AttributeProto { Name = name, Type = random.Next(2) == 0 ? AttributeType.Int : AttributeType.Ints, I = Int(random) };
                attribute.Ints.AddRange(Enumerable.Range(0, random.Next(5)).Select(_ => Int(random)));
                if (random.Next(2) == 0) attribute.S = ByteString.CopyFromUtf8("SAME_UPPER");
                var existing = node.Attribute.FirstOrDefault(a => a.Name == name);
                if (existing is not null && random.Next(2) == 0) node.Attribute.Remove(existing);
                node.Attribute.Add(attribute);
                return $"attribute '{name}' set on node '{node.Name}'";
            }
            case 5 when nodes.Any(n => n.Input.Count >= 2):
            {
                var node = Pick(nodes.Where(n => n.Input.Count >= 2).ToList(), random);
                (node.Input[0], node.Input[1]) = (node.Input[1], node.Input[0]);
                return $"inputs of node '{node.Name}' swapped";
            }
            case 6 when nodes.Any(n => n.Input.Count > 0):
            {
                var node = Pick(nodes.Where(n => n.Input.Count > 0).ToList(), random);
                var slot = random.Next(node.Input.Count);
                var known = nodes.SelectMany(n => n.Output).Concat(graph.Initializer.Select(t => t.Name)).Concat(graph.Input.Select(i => i.Name)).ToList();
                node.Input[slot] = random.Next(3) switch { 0 => "no_such_value", 1 => "", _ => Pick(known, random) };
                return $"input {slot} of node '{node.Name}' renamed to '{node.Input[slot]}'";
            }
            case 7 when nodes.Any(n => n.Output.Count > 0):
            {
                var node = Pick(nodes.Where(n => n.Output.Count > 0).ToList(), random);
                var known = nodes.SelectMany(n => n.Input).Concat(graph.Output.Select(o => o.Name)).ToList();
                node.Output[0] = known.Count > 0 && random.Next(2) == 0 ? Pick(known, random) : "";
                return $"output of node '{node.Name}' renamed to '{node.Output[0]}'";
            }
            case 8 when graph.Initializer.Count > 0:
            {
                var tensor = Pick(graph.Initializer, random);
                graph.Initializer.Remove(tensor);
                if (random.Next(2) == 0) graph.Initializer.Add(tensor.Clone());
                if (random.Next(2) == 0) graph.Initializer.Add(tensor.Clone());
                return $"initializer '{tensor.Name}' dropped or duplicated";
            }
            case 9 when nodes.Count > 0:
            {
                var node = Pick(nodes, random);
                nodes.Insert(random.Next(nodes.Count + 1), node.Clone());
                return $"node '{node.Name}' duplicated";
            }
            case 10 when nodes.Count > 1:
            {
                var reversed = nodes.Reverse().ToList();
                nodes.Clear();
                nodes.AddRange(reversed);
                if (random.Next(2) == 0 && nodes[^1].Output.Count > 0 && nodes[0].Input.Count > 0) nodes[0].Input[0] = nodes[^1].Output[0];
                return "node order reversed (and maybe a cycle)";
            }
            case 11 when values.Any(v => v.Type?.TensorType is not null):
            {
                var value = Pick(values.Where(v => v.Type?.TensorType is not null).ToList(), random);
                var tensorType = value.Type.TensorType;
                if (random.Next(3) == 0) tensorType.ElemType = random.Next(0, 24);
                else
                {
                    tensorType.Shape ??= new TensorShapeProto();
                    if (tensorType.Shape.Dim.Count == 0 || random.Next(4) == 0) tensorType.Shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimValue = Int(random) });
                    else tensorType.Shape.Dim[random.Next(tensorType.Shape.Dim.Count)] = random.Next(3) == 0
                        ? new TensorShapeProto.Types.Dimension { DimParam = "n" }
                        : new TensorShapeProto.Types.Dimension { DimValue = Int(random) };
                }
                return $"declared type of '{value.Name}' changed";
            }
            case 12:
                if (random.Next(2) == 0) model.IrVersion = Int(random);
                else if (model.OpsetImport.Count > 0) model.OpsetImport[random.Next(model.OpsetImport.Count)].Version = Int(random);
                else model.OpsetImport.Add(new OperatorSetIdProto { Version = Int(random) });
                return $"ir_version {model.IrVersion}, opsets {string.Join(",", model.OpsetImport.Select(o => o.Version))}";
            case 13 when nodes.Count > 0:
            {
                var node = Pick(nodes, random);
                if (random.Next(3) == 0) node.Domain = Pick(["com.microsoft", "ai.onnx", "x"], random);
                else node.OpType = Pick(OpTypes, random);
                return $"node '{node.Name}' becomes {node.Domain}:{node.OpType}";
            }
            case 14 when tensors.Count > 0:
            {
                var tensor = Pick(tensors, random);
                tensor.DataLocation = TensorProto.Types.DataLocation.External;
                tensor.ExternalData.Add(new StringStringEntryProto { Key = "location", Value = Pick(["w.bin", "/etc/passwd", "../x", ""], random) });
                if (random.Next(2) == 0) tensor.ExternalData.Add(new StringStringEntryProto { Key = "length", Value = Int(random).ToString() });
                return $"tensor '{tensor.Name}' points at external data";
            }
            case 15 when nodes.Count > 0:
            {
                var node = Pick(nodes, random);
                if (random.Next(2) == 0) node.Name = nodes[random.Next(nodes.Count)].Name;
                else node.Input.Add(Pick(["", "no_such_value", node.Output.FirstOrDefault() ?? ""], random));
                return $"node '{node.Name}' renamed or given an extra input";
            }
        }
        return null;
    }

    private static IEnumerable<GraphProto> Graphs(GraphProto graph)
    {
        yield return graph;
        foreach (var attribute in graph.Node.SelectMany(n => n.Attribute))
        {
            foreach (var sub in attribute.Graphs.Append(attribute.G).OfType<GraphProto>())
                foreach (var inner in Graphs(sub)) yield return inner;
        }
    }

    private static long Int(Random random) => InterestingInts[random.Next(InterestingInts.Length)];


    private static T Pick<T>(IReadOnlyList<T> items, Random random) => items[random.Next(items.Count)];
}
