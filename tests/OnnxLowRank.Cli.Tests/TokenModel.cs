using OnnxLowRank.Onnx;
using OnnxLowRank.Onnx.Protos;
using DataType = OnnxLowRank.Onnx.Protos.TensorProto.Types.DataType;

namespace OnnxLowRank.Cli.Tests;

/// <summary>
/// A small token model and its WordPiece vocabulary, made in code: input_ids and attention_mask (int64, [batch,
/// sequence]) -> Gather over a constant embedding table (vocabulary x 32) -> times the mask -> MatMul 32x64 -> Relu
/// -> MatMul 64x32 -> hidden [batch, sequence, 32]. The vocabulary is [PAD] [UNK] [CLS] [SEP] [MASK] and 300 words,
/// one a row of the table.
/// </summary>
internal static class TokenModel
{
    public const int Width = 32;

    public static IReadOnlyList<string> Words { get; } = Enumerable.Range(0, 300).Select(i => $"word{i}").ToList();

    public static IReadOnlyList<string> Vocabulary { get; } = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", .. Words];

    /// <summary>Writes the model for a table of <paramref name="rows"/> rows (the vocabulary's size by default).</summary>
    public static string WriteModel(string folder, int? rows = null)
    {
        var path = Path.Combine(folder, "token-model.onnx");
        OnnxModelFile.Save(Build(rows ?? Vocabulary.Count), path);
        return path;
    }

    public static string WriteVocabulary(string folder, IEnumerable<string>? tokens = null)
    {
        var path = Path.Combine(folder, "vocab.txt");
        File.WriteAllLines(path, tokens ?? Vocabulary);
        return path;
    }

    /// <summary>Lines of 3 to 20 words, some unknown to the vocabulary.</summary>
    public static string WriteLines(string folder, string name, int count, int seed)
    {
        var random = new Random(seed);
        var lines = Enumerable.Range(0, count).Select(_ => string.Join(" ",
            Enumerable.Range(0, random.Next(3, 21)).Select(_ => random.Next(10) == 0 ? "unknownword" : Words[random.Next(Words.Count)])));
        var path = Path.Combine(folder, name);
        File.WriteAllLines(path, lines);
        return path;
    }

    private static ModelProto Build(int rows)
    {
        var random = new Random(5);
        TensorProto Constant(string name, long[] dims) =>
            TensorCodec.FromFloats(name, dims, Enumerable.Range(0, (int)(dims[0] * dims[1])).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray(), DataType.Float);

        var graph = new GraphProto { Name = "token-model" };
        graph.Input.Add(Value("input_ids", DataType.Int64, "batch", "sequence"));
        graph.Input.Add(Value("attention_mask", DataType.Int64, "batch", "sequence"));
        graph.Output.Add(Value("hidden", DataType.Float, "batch", "sequence", null));
        graph.Initializer.Add(Constant("embedding", [rows, Width]));
        graph.Initializer.Add(Constant("w1", [Width, 64]));
        graph.Initializer.Add(Constant("w2", [64, Width]));
        var axes = new TensorProto { Name = "axes", DataType = (int)DataType.Int64 };
        axes.Dims.Add(1);
        axes.Int64Data.Add(-1);
        graph.Initializer.Add(axes);
        graph.Node.Add(Node("Gather", ["embedding", "input_ids"], "embedded"));
        var cast = Node("Cast", ["attention_mask"], "mask_float");
        cast.Attribute.Add(new AttributeProto { Name = "to", Type = AttributeProto.Types.AttributeType.Int, I = (long)DataType.Float });
        graph.Node.Add(cast);
        graph.Node.Add(Node("Unsqueeze", ["mask_float", "axes"], "mask_column"));
        graph.Node.Add(Node("Mul", ["embedded", "mask_column"], "masked"));
        graph.Node.Add(Node("MatMul", ["masked", "w1"], "up"));
        graph.Node.Add(Node("Relu", ["up"], "active"));
        graph.Node.Add(Node("MatMul", ["active", "w2"], "hidden"));
        var model = new ModelProto { IrVersion = 8, ProducerName = "OnnxLowRank.Cli.Tests", Graph = graph };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = 13 });
        return model;
    }

    private static NodeProto Node(string op, string[] inputs, string output)
    {
        var node = new NodeProto { OpType = op, Name = output };
        node.Input.AddRange(inputs);
        node.Output.Add(output);
        return node;
    }

    private static ValueInfoProto Value(string name, DataType type, params string?[] dims)
    {
        var tensor = new TypeProto.Types.Tensor { ElemType = (int)type, Shape = new TensorShapeProto() };
        foreach (var d in dims)
            tensor.Shape.Dim.Add(d is null ? new TensorShapeProto.Types.Dimension { DimValue = Width } : new TensorShapeProto.Types.Dimension { DimParam = d });
        return new ValueInfoProto { Name = name, Type = new TypeProto { TensorType = tensor } };
    }
}
