using Google.Protobuf;
using OnnxLowRank.Onnx.Protos;
using DataType = OnnxLowRank.Onnx.Protos.TensorProto.Types.DataType;

namespace OnnxLowRank.Onnx.Tests;

public sealed class TensorCodecCorpusTests
{
    [Test]
    public void EveryFloatingPointTestVectorDecodesAndReencodesByteForByte()
    {
        var counts = new Dictionary<string, int>();
        var failures = new List<string>();
        foreach (var suite in OnnxTestData.Suites)
        {
            foreach (var caseFolder in OnnxTestData.CaseFolders(suite))
            {
                var modelPath = Path.Combine(caseFolder, "model.onnx");
                if (!File.Exists(modelPath)) continue;
                var graph = ModelProto.Parser.ParseFrom(File.ReadAllBytes(modelPath)).Graph;
                foreach (var (path, tensor) in DeclaredTensors(caseFolder, graph))
                {
                    var type = (DataType)tensor.DataType;
                    if (type is not (DataType.Float or DataType.Double or DataType.Float16)) continue;
                    var storage = tensor.HasRawData ? "raw_data" : "typed field";
                    var key = $"{type} in {storage}";
                    counts[key] = counts.GetValueOrDefault(key) + 1;
                    var problem = tensor.HasRawData ? CheckRaw(tensor, type) : CheckTyped(tensor, type);
                    if (problem is not null) failures.Add($"{path}: {problem}");
                }
            }
        }
        foreach (var (key, count) in counts.OrderBy(p => p.Key)) TestContext.Out.WriteLine($"{key}: {count} tensors");

        Assert.That(failures, Is.Empty, string.Join(Environment.NewLine, failures.Take(20)));
        Assert.That(counts.GetValueOrDefault("Float in raw_data"), Is.GreaterThan(2000));
        Assert.That(counts.GetValueOrDefault("Double in raw_data"), Is.GreaterThan(50));
        Assert.That(counts.GetValueOrDefault("Float16 in raw_data"), Is.GreaterThan(10));
        // The corpus stores every real tensor in raw_data; typed fields are covered by TensorCodecTests.
    }

    /// <summary>
    /// ONNX's Cast vectors were computed by numpy: re-encoding our decoded input as the output
    /// type must reproduce numpy's rounding bit for bit.
    /// </summary>
    [TestCase("test_cast_FLOAT_to_FLOAT16")]
    [TestCase("test_cast_DOUBLE_to_FLOAT16")]
    [TestCase("test_cast_DOUBLE_to_FLOAT")]
    [TestCase("test_cast_FLOAT_to_DOUBLE")]
    [TestCase("test_cast_FLOAT16_to_FLOAT")]
    [TestCase("test_cast_FLOAT16_to_DOUBLE")]
    public void CastVectorsMatchNumpyRounding(string caseName)
    {
        var (input, expected) = CastPair(caseName);
        var values = TensorCodec.ToDoubles(input);
        var encoded = TensorCodec.FromDoubles("y", [.. expected.Dims], values, (DataType)expected.DataType);
        Assert.That(encoded.RawData.ToByteArray(), Is.EqualTo(expected.RawData.ToByteArray()));
        if (input.DataType != (int)DataType.Double)
        {
            var fromFloats = TensorCodec.FromFloats("y", [.. expected.Dims], TensorCodec.ToFloats(input), (DataType)expected.DataType);
            Assert.That(fromFloats.RawData.ToByteArray(), Is.EqualTo(expected.RawData.ToByteArray()));
        }
    }

    [Test]
    public void BFloat16CastVectorDecodesToNumpyFloats()
    {
        // ONNX 1.12 stores the bfloat16 input as UINT16 bit patterns; relabel them as BFLOAT16.
        var (input, expected) = CastPair("test_cast_BFLOAT16_to_FLOAT");
        var relabelled = input.Clone();
        relabelled.DataType = (int)DataType.Bfloat16;
        var decoded = TensorCodec.FromFloats("y", [.. expected.Dims], TensorCodec.ToFloats(relabelled), DataType.Float);
        Assert.That(decoded.RawData.ToByteArray(), Is.EqualTo(expected.RawData.ToByteArray()));
    }

    private static (TensorProto Input, TensorProto Output) CastPair(string caseName)
    {
        var set = Path.Combine(OnnxTestData.CaseFolder("node", caseName), "test_data_set_0");
        return (TensorProto.Parser.ParseFrom(File.ReadAllBytes(Path.Combine(set, "input_0.pb"))),
                TensorProto.Parser.ParseFrom(File.ReadAllBytes(Path.Combine(set, "output_0.pb"))));
    }

    private static string? CheckRaw(TensorProto tensor, DataType type)
    {
        long[] dims = [.. tensor.Dims];
        var fromDoubles = TensorCodec.FromDoubles(tensor.Name, dims, TensorCodec.ToDoubles(tensor), type);
        if (!fromDoubles.RawData.Span.SequenceEqual(tensor.RawData.Span)) return "FromDoubles(ToDoubles) changed raw_data";
        if (type == DataType.Double) return null;
        var fromFloats = TensorCodec.FromFloats(tensor.Name, dims, TensorCodec.ToFloats(tensor), type);
        return fromFloats.RawData.Span.SequenceEqual(tensor.RawData.Span) ? null : "FromFloats(ToFloats) changed raw_data";
    }

    private static string? CheckTyped(TensorProto tensor, DataType type)
    {
        double[] stored = type switch
        {
            DataType.Float => [.. tensor.FloatData.Select(v => (double)v)],
            DataType.Double => [.. tensor.DoubleData],
            _ => [.. tensor.Int32Data.Select(v => (double)BitConverter.UInt16BitsToHalf((ushort)v))],
        };
        var decoded = TensorCodec.ToDoubles(tensor);
        var same = decoded.Length == stored.Length
            && decoded.Zip(stored).All(p => BitConverter.DoubleToInt64Bits(p.First) == BitConverter.DoubleToInt64Bits(p.Second));
        return same ? null : "decoded values differ from the typed field";
    }

    /// <summary>
    /// The input_N/output_N files of a case that really are tensors: sequence and optional vectors
    /// share the .pb extension, so each file is matched to the graph value it feeds and kept only
    /// when that value is declared as a tensor of the same element type.
    /// </summary>
    private static IEnumerable<(string Path, TensorProto Tensor)> DeclaredTensors(string caseFolder, GraphProto graph)
    {
        var initializers = graph.Initializer.Select(t => t.Name).ToHashSet();
        var inputs = graph.Input.Where(v => !initializers.Contains(v.Name)).ToList();
        foreach (var set in Directory.EnumerateDirectories(caseFolder, "test_data_set_*").Order(StringComparer.Ordinal))
        {
            foreach (var path in Directory.EnumerateFiles(set, "*.pb").Order(StringComparer.Ordinal))
            {
                var file = Path.GetFileNameWithoutExtension(path);
                var isInput = file.StartsWith("input_", StringComparison.Ordinal);
                var declaredList = isInput ? inputs : [.. graph.Output];
                if (!int.TryParse(file[(file.IndexOf('_') + 1)..], out var position) || position >= declaredList.Count) continue;

                TensorProto tensor;
                try
                {
                    tensor = TensorProto.Parser.ParseFrom(File.ReadAllBytes(path));
                }
                catch (InvalidProtocolBufferException)
                {
                    continue;
                }
                var declared = declaredList.FirstOrDefault(v => v.Name == tensor.Name && tensor.Name.Length > 0) ?? declaredList[position];
                if (declared.Type?.ValueCase == TypeProto.ValueOneofCase.TensorType && declared.Type.TensorType.ElemType == tensor.DataType)
                {
                    yield return (path, tensor);
                }
            }
        }
    }
}
