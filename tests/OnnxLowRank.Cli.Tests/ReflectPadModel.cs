using OnnxLowRank.Onnx;
using OnnxLowRank.Onnx.Protos;
using DataType = OnnxLowRank.Onnx.Protos.TensorProto.Types.DataType;

namespace OnnxLowRank.Cli.Tests;

/// <summary>
/// An audio-style model whose time axis is symbolic and cannot be 1, made in code: audio [1, 1, T] -> reflect Pad of
/// 2 on each side of T -> Conv 1 -> 32 channels, kernel 5 -> Relu -> Conv 32 -> 48, kernel 3, stride 2 -> Relu ->
/// mean over time -> Gemm 48 -> 10. ONNX Runtime refuses a reflect pad wider than the axis, so at T = 1 the model
/// does not run, as exported speech models with reflect padding do not.
/// </summary>
internal static class ReflectPadModel
{
    public const string Input = "audio";
    public const string Output = "scores";
    public const string TimeAxis = "T";

    public static string Write(string folder)
    {
        var path = Path.Combine(folder, "reflect-pad.onnx");
        OnnxModelFile.Save(Build(), path);
        return path;
    }

    private static ModelProto Build()
    {
        var random = new Random(11);
        // Rank 6 plus a little noise, as trained weights' spectra decay: a factorization at a modest rank keeps the outputs.
        TensorProto Weight(string name, params long[] dims)
        {
            var rows = (int)dims[0];
            var columns = (int)(dims.Aggregate(1L, (a, b) => a * b) / rows);
            double Next() => (random.NextDouble() * 2) - 1;
            var left = Enumerable.Range(0, rows * 6).Select(_ => Next()).ToArray();
            var right = Enumerable.Range(0, 6 * columns).Select(_ => Next() / Math.Sqrt(columns)).ToArray();
            var values = new float[rows * columns];
            for (var r = 0; r < rows; r++)
            {
                for (var c = 0; c < columns; c++)
                    values[(r * columns) + c] = (float)(Enumerable.Range(0, 6).Sum(k => left[(r * 6) + k] * right[(k * columns) + c]) + (0.01 * Next()));
            }
            return TensorCodec.FromFloats(name, dims, values, DataType.Float);
        }

        var graph = new GraphProto { Name = "reflect-pad" };
        graph.Input.Add(Value(Input, ("", 1), ("", 1), (TimeAxis, 0)));
        graph.Output.Add(Value(Output, ("", 1), ("", 10)));
        graph.Initializer.Add(new TensorProto { Name = "pads", DataType = (int)DataType.Int64, Dims = { 6 }, Int64Data = { 0, 0, 2, 0, 0, 2 } });
        graph.Initializer.Add(Weight("conv1.weight", 32, 1, 5));
        graph.Initializer.Add(Weight("conv2.weight", 48, 32, 3));
        graph.Initializer.Add(Weight("fc.weight", 10, 48));
        graph.Node.Add(Node("Pad", "pad", [Input, "pads"], "padded", new AttributeProto { Name = "mode", Type = AttributeProto.Types.AttributeType.String, S = Google.Protobuf.ByteString.CopyFromUtf8("reflect") }));
        graph.Node.Add(Node("Conv", "conv1", ["padded", "conv1.weight"], "c1"));
        graph.Node.Add(Node("Relu", "relu1", ["c1"], "r1"));
        graph.Node.Add(Node("Conv", "conv2", ["r1", "conv2.weight"], "c2", new AttributeProto { Name = "strides", Type = AttributeProto.Types.AttributeType.Ints, Ints = { 2 } }));
        graph.Node.Add(Node("Relu", "relu2", ["c2"], "r2"));
        graph.Node.Add(Node("ReduceMean", "mean", ["r2"], "pooled",
            new AttributeProto { Name = "axes", Type = AttributeProto.Types.AttributeType.Ints, Ints = { 2 } },
            new AttributeProto { Name = "keepdims", Type = AttributeProto.Types.AttributeType.Int, I = 0 }));
        graph.Node.Add(Node("Gemm", "fc", ["pooled", "fc.weight"], Output, new AttributeProto { Name = "transB", Type = AttributeProto.Types.AttributeType.Int, I = 1 }));
        var model = new ModelProto { IrVersion = 8, Graph = graph, ProducerName = "onnx-lowrank tests" };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = 17 });
        return model;
    }

    private static NodeProto Node(string op, string name, string[] inputs, string output, params AttributeProto[] attributes)
    {
        var node = new NodeProto { OpType = op, Name = name };
        node.Input.Add(inputs);
        node.Output.Add(output);
        node.Attribute.Add(attributes);
        return node;
    }

    /// <summary>A float tensor value; a dimension with a name is symbolic, one without is fixed at its size.</summary>
    private static ValueInfoProto Value(string name, params (string Symbol, long Size)[] dims)
    {
        var tensor = new TypeProto.Types.Tensor { ElemType = (int)DataType.Float, Shape = new TensorShapeProto() };
        foreach (var (symbol, size) in dims)
            tensor.Shape.Dim.Add(symbol.Length > 0 ? new TensorShapeProto.Types.Dimension { DimParam = symbol } : new TensorShapeProto.Types.Dimension { DimValue = size });
        return new ValueInfoProto { Name = name, Type = new TypeProto { TensorType = tensor } };
    }
}
