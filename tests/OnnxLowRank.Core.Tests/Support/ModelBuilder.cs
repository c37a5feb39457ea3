using OnnxLowRank.Onnx;
using OnnxLowRank.Onnx.Protos;
using DataType = OnnxLowRank.Onnx.Protos.TensorProto.Types.DataType;

namespace OnnxLowRank.Core.Tests.Support;

/// <summary>Builds small ONNX models in code: inputs, constants, nodes, outputs of one element type.</summary>
internal sealed class ModelBuilder(long opset = 13, DataType elementType = DataType.Float)
{
    private readonly GraphProto _graph = new() { Name = "test" };

    public DataType ElementType => elementType;

    public GraphProto Graph => _graph;

    public string Input(string name, params long[] shape)
    {
        _graph.Input.Add(Value(name, shape));
        return name;
    }

    /// <summary>An int64 input, such as the token ids an embedding Gather reads.</summary>
    public string IndexInput(string name, params long[] shape)
    {
        var value = Value(name, shape);
        value.Type.TensorType.ElemType = (int)DataType.Int64;
        _graph.Input.Add(value);
        return name;
    }

    public string Output(string name)
    {
        _graph.Output.Add(Value(name, null));
        return name;
    }

    public string Initializer(string name, long[] dims, double[] values)
    {
        _graph.Initializer.Add(TensorCodec.FromDoubles(name, dims, values, elementType));
        return name;
    }

    /// <summary>A Constant node holding the tensor, placed at the current end of the node list.</summary>
    public string ConstantNode(string name, long[] dims, double[] values)
    {
        var node = new NodeProto { OpType = "Constant", Name = $"const_{name}" };
        node.Output.Add(name);
        node.Attribute.Add(new AttributeProto
        {
            Name = "value", Type = AttributeProto.Types.AttributeType.Tensor,
            T = TensorCodec.FromDoubles(name, dims, values, elementType),
        });
        _graph.Node.Add(node);
        return name;
    }

    public NodeProto Node(string opType, string name, string[] inputs, string output, params AttributeProto[] attributes)
    {
        var node = new NodeProto { OpType = opType, Name = name };
        node.Input.AddRange(inputs);
        node.Output.Add(output);
        node.Attribute.AddRange(attributes);
        _graph.Node.Add(node);
        return node;
    }

    public ModelProto Build()
    {
        var model = new ModelProto { IrVersion = 7, ProducerName = "OnnxLowRank.Core.Tests", Graph = _graph };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = opset });
        return model;
    }

    public static AttributeProto Int(string name, long value) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.Int, I = value };

    public static AttributeProto Float(string name, float value) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.Float, F = value };

    public static AttributeProto Ints(string name, params long[] values)
    {
        var a = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Ints };
        a.Ints.AddRange(values);
        return a;
    }

    public static AttributeProto Text(string name, string value) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.String, S = Google.Protobuf.ByteString.CopyFromUtf8(value) };

    private ValueInfoProto Value(string name, long[]? shape)
    {
        var tensor = new TypeProto.Types.Tensor { ElemType = (int)elementType };
        if (shape is not null)
        {
            tensor.Shape = new TensorShapeProto();
            foreach (var d in shape) tensor.Shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimValue = d });
        }
        return new ValueInfoProto { Name = name, Type = new TypeProto { TensorType = tensor } };
    }
}
