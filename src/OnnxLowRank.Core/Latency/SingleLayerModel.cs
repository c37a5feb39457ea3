using OnnxLowRank.Core.Execution;
using OnnxLowRank.Onnx.Errors;
using OnnxLowRank.Onnx;
using OnnxLowRank.Onnx.Protos;

namespace OnnxLowRank.Core.Latency;

/// <summary>
/// A model holding one node of a larger model, to be timed on its own: the activation it reads becomes
/// the graph input (with its measured shape), its constant inputs are copied (through a Transpose the
/// rewrite folds, when there is one), and its first output is the graph output.
/// </summary>
public static class SingleLayerModel
{
    public static ModelProto Build(ModelProto source, NodeProto node, LayerInputShapes.Shape input)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(node);
        var index = new GraphIndex(source.Graph);
        var graph = new GraphProto { Name = $"timing {node.Name}" };
        graph.Input.Add(Tensor(node.Input[0], input));
        foreach (var name in node.Input.Skip(1).Where(n => n.Length > 0).Distinct())
        {
            if (name == node.Input[0]) continue;
            if (index.Constant(name) is { } constant)
            {
                graph.Initializer.Add(Named(constant, name));
                continue;
            }
            // Exporters write Transpose(W) -> MatMul; the pair removes that Transpose, the original runs it.
            if (index.Producer(name) is { OpType: "Transpose" } transpose && index.Constant(transpose.Input[0]) is { } transposed)
            {
                graph.Initializer.Add(Named(transposed, transpose.Input[0]));
                graph.Node.Add(transpose.Clone());
                continue;
            }
            throw new UnsupportedModelException(
                $"Input '{name}' of the layer is computed, not constant, so the layer cannot be timed on its own.", subject: node.Name,
                advice: "leave this layer out with --exclude, or compress without --latency-aware");
        }
        graph.Node.Add(node.Clone());
        graph.Output.Add(new ValueInfoProto { Name = node.Output[0] });

        var model = new ModelProto { IrVersion = source.IrVersion, Graph = graph };
        model.OpsetImport.AddRange(source.OpsetImport.Select(o => o.Clone()));
        return model;
    }

    private static TensorProto Named(TensorProto tensor, string name)
    {
        var copy = tensor.Clone();
        copy.Name = name;
        return copy;
    }

    private static ValueInfoProto Tensor(string name, LayerInputShapes.Shape shape)
    {
        var dims = new TensorShapeProto();
        foreach (var d in shape.Dimensions) dims.Dim.Add(new TensorShapeProto.Types.Dimension { DimValue = d });
        return new ValueInfoProto
        {
            Name = name,
            Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)shape.ElementType, Shape = dims } },
        };
    }
}
