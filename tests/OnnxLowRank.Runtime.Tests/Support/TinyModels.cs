using Google.Protobuf;
using OnnxLowRank.Onnx.Protos;
using DataType = OnnxLowRank.Onnx.Protos.TensorProto.Types.DataType;

namespace OnnxLowRank.Runtime.Tests.Support;

/// <summary>Small ONNX models built in code (opset 17) for tests that need a precise graph.</summary>
internal static class TinyModels
{
    /// <summary>A model around <paramref name="graph"/>, importing ai.onnx opset 17.</summary>
    public static ModelProto Model(GraphProto graph) => new()
    {
        IrVersion = 8,
        ProducerName = "OnnxLowRank.Runtime.Tests",
        OpsetImport = { new OperatorSetIdProto { Domain = "", Version = 17 } },
        Graph = graph,
    };

    /// <summary>A tensor value declaration; a string dimension is symbolic (dim_param), a long is fixed.</summary>
    public static ValueInfoProto Value(string name, DataType elementType, params object[] dims)
    {
        var shape = new TensorShapeProto();
        foreach (var d in dims)
        {
            shape.Dim.Add(d is string symbol
                ? new TensorShapeProto.Types.Dimension { DimParam = symbol }
                : new TensorShapeProto.Types.Dimension { DimValue = Convert.ToInt64(d, System.Globalization.CultureInfo.InvariantCulture) });
        }
        return new ValueInfoProto
        {
            Name = name,
            Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)elementType, Shape = shape } },
        };
    }

    public static NodeProto Node(string opType, string[] inputs, string[] outputs) => new()
    {
        OpType = opType,
        Name = $"{opType}_{outputs[0]}",
        Input = { inputs },
        Output = { outputs },
    };

    public static TensorProto FloatInitializer(string name, long[] dims, float[] values)
    {
        var raw = new byte[values.Length * sizeof(float)];
        Buffer.BlockCopy(values, 0, raw, 0, raw.Length);
        return new TensorProto { Name = name, DataType = (int)DataType.Float, Dims = { dims }, RawData = ByteString.CopyFrom(raw) };
    }

    /// <summary>Deterministic values in [-1, 1).</summary>
    public static float[] Ramp(int count, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, count).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
    }

    /// <summary>
    /// Y = MatMul(Relu(MatMul(X, W1)), W2) with X: [batch, 8], W1: [8, 6], W2: [6, 4]; inner values H = X·W1 and R = Relu(H).
    /// </summary>
    public static ModelProto TwoLayerPerceptron(bool declareInnerTypes = false)
    {
        var graph = new GraphProto
        {
            Name = "two_layer_perceptron",
            Input = { Value("X", DataType.Float, "batch", 8L) },
            Output = { Value("Y", DataType.Float, "batch", 4L) },
            Initializer = { FloatInitializer("W1", [8, 6], Ramp(48, 1)), FloatInitializer("W2", [6, 4], Ramp(24, 2)) },
            Node =
            {
                Node("MatMul", ["X", "W1"], ["H"]),
                Node("Relu", ["H"], ["R"]),
                Node("MatMul", ["R", "W2"], ["Y"]),
            },
        };
        if (declareInnerTypes) graph.ValueInfo.Add(Value("H", DataType.Float, "batch", 6L));
        return Model(graph);
    }

    /// <summary>Y = Identity(X) for one element type and shape [2, 3].</summary>
    public static ModelProto Identity(DataType elementType) => Model(new GraphProto
    {
        Name = "identity",
        Input = { Value("X", elementType, 2L, 3L) },
        Output = { Value("Y", elementType, 2L, 3L) },
        Node = { Node("Identity", ["X"], ["Y"]) },
    });
}
