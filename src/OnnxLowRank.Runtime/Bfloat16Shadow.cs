using OnnxLowRank.Onnx;
using OnnxLowRank.Onnx.Protos;
using DataType = OnnxLowRank.Onnx.Protos.TensorProto.Types.DataType;

namespace OnnxLowRank.Runtime;

/// <summary>
/// A float32 stand-in for a model that uses bfloat16, for running it in ONNX Runtime, whose CPU
/// provider has no bfloat16 Gemm, MatMul or Conv. Every bfloat16 tensor (initializers, Constant
/// and other tensor attributes) is widened to float32, which is exact; every bfloat16 type (graph
/// inputs, outputs, value_info, Cast's and other nodes' "to" and "dtype") becomes float32; subgraphs
/// alike. The shadow computes in float32 throughout, so its outputs are those of the bfloat16
/// weights without rounding the activations to bfloat16 between nodes. Only the engine sees it:
/// the model the tool writes keeps its bfloat16 weights and factors.
/// </summary>
internal static class Bfloat16Shadow
{
    private const int Bfloat16 = (int)DataType.Bfloat16;
    private const int Float = (int)DataType.Float;

    /// <summary>The float32 shadow of <paramref name="model"/>, or the model itself when nothing in it is bfloat16.</summary>
    public static ModelProto For(ModelProto model)
    {
        if (!Uses(model.Graph)) return model;
        var shadow = model.Clone();
        Widen(shadow.Graph);
        return shadow;
    }

    private static bool Uses(GraphProto graph) =>
        graph.Initializer.Any(t => t.DataType == Bfloat16)
        || graph.Input.Concat(graph.Output).Concat(graph.ValueInfo).Any(v => Uses(v.Type))
        || graph.Node.SelectMany(n => n.Attribute).Any(Uses);

    private static bool Uses(AttributeProto attribute) =>
        (attribute.T?.DataType == Bfloat16)
        || attribute.Tensors.Any(t => t.DataType == Bfloat16)
        || (IsTypeAttribute(attribute) && attribute.I == Bfloat16)
        || attribute.Subgraphs().Any(Uses);

    private static bool Uses(TypeProto? type) => type?.ValueCase switch
    {
        TypeProto.ValueOneofCase.TensorType => type.TensorType.ElemType == Bfloat16,
        TypeProto.ValueOneofCase.SequenceType => Uses(type.SequenceType.ElemType),
        TypeProto.ValueOneofCase.OptionalType => Uses(type.OptionalType.ElemType),
        TypeProto.ValueOneofCase.MapType => Uses(type.MapType.ValueType),
        _ => false,
    };

    private static void Widen(GraphProto graph)
    {
        for (var i = 0; i < graph.Initializer.Count; i++) graph.Initializer[i] = Widen(graph.Initializer[i]);
        foreach (var value in graph.Input.Concat(graph.Output).Concat(graph.ValueInfo)) Widen(value.Type);
        foreach (var attribute in graph.Node.SelectMany(n => n.Attribute))
        {
            if (attribute.T is { } t) attribute.T = Widen(t);
            for (var i = 0; i < attribute.Tensors.Count; i++) attribute.Tensors[i] = Widen(attribute.Tensors[i]);
            if (IsTypeAttribute(attribute) && attribute.I == Bfloat16) attribute.I = Float;
            foreach (var subgraph in attribute.Subgraphs()) Widen(subgraph);
        }
    }

    private static TensorProto Widen(TensorProto tensor)
    {
        // External data stays as it is: ONNX Runtime reports a tensor it cannot read with its own error.
        if (tensor.DataType != Bfloat16 || tensor.DataLocation == TensorProto.Types.DataLocation.External) return tensor;
        var widened = TensorCodec.FromFloats(tensor.Name, tensor.Dims.ToArray(), TensorCodec.ToFloats(tensor), DataType.Float);
        widened.DocString = tensor.DocString;
        return widened;
    }

    private static void Widen(TypeProto? type)
    {
        switch (type?.ValueCase)
        {
            case TypeProto.ValueOneofCase.TensorType when type.TensorType.ElemType == Bfloat16:
                type.TensorType.ElemType = Float;
                break;
            case TypeProto.ValueOneofCase.SequenceType: Widen(type.SequenceType.ElemType); break;
            case TypeProto.ValueOneofCase.OptionalType: Widen(type.OptionalType.ElemType); break;
            case TypeProto.ValueOneofCase.MapType: Widen(type.MapType.ValueType); break;
        }
    }

    // Cast's "to", and "dtype" of RandomNormal, RandomUniform, EyeLike, Bernoulli and the like: an element type.
    private static bool IsTypeAttribute(AttributeProto attribute) =>
        attribute.Type == AttributeProto.Types.AttributeType.Int && attribute.Name is "to" or "dtype";
}
