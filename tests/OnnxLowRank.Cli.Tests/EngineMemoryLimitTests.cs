using OnnxLowRank.Onnx;
using OnnxLowRank.Onnx.Protos;
using DataType = OnnxLowRank.Onnx.Protos.TensorProto.Types.DataType;

namespace OnnxLowRank.Cli.Tests;

/// <summary>A malformed model that asks ONNX Runtime for more than its memory limit ends in one line naming the file, exit 3.</summary>
public class EngineMemoryLimitTests
{
    [Test]
    public void A_conv_padded_by_2_to_31_stops_at_the_memory_limit_with_the_file_named()
    {
        var folder = Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), $"cli-memory-{Guid.NewGuid():N}")).FullName;
        try
        {
            var model = Path.Combine(folder, "padded.onnx");
            OnnxModelFile.Save(PaddedConv(), model);

            // A FLOP budget runs the model (analyze would only infer shapes): the memory limit is the machine's, so it is
            // reported as such even though the height was left unsized.
            var run = CliProcess.Run(new Dictionary<string, string> { ["ONNXLOWRANK_ORT_MEMORY_LIMIT"] = "256M" },
                "compress", model, "-o", Path.Combine(folder, "out.onnx"), "--keep-flops", "0.5");

            Assert.That(run.ExitCode, Is.EqualTo(3), run.ToString());
            var line = run.Stderr.Trim();
            Assert.That(line.Split('\n'), Has.Length.EqualTo(1), run.ToString());
            Assert.That(line, Does.StartWith($"error: {model}: ONNX Runtime's memory limit of 256 MiB was reached"));
            Assert.That(line, Does.Contain("ONNXLOWRANK_ORT_MEMORY_LIMIT"));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Test]
    public void A_limit_that_is_not_a_size_is_refused_with_what_to_write()
    {
        var run = CliProcess.Run(new Dictionary<string, string> { ["ONNXLOWRANK_ORT_MEMORY_LIMIT"] = "plenty" }, "analyze", RepositoryFiles.Model("mlp.onnx"));
        Assert.That(run.ExitCode, Is.EqualTo(3), run.ToString());
        Assert.That(run.Stderr, Does.Contain("ONNXLOWRANK_ORT_MEMORY_LIMIT").And.Contain("'plenty' is not a memory size"));
    }

    // A 3x3 Conv (8 <- 4 channels) whose input height is symbolic and whose top padding is 2^31 rows:
    // ONNX Runtime loads it and meets the 2^31 x 6 x 8 float output only when it runs.
    private static ModelProto PaddedConv()
    {
        var weights = Enumerable.Range(0, 8 * 4 * 9).Select(i => (float)Math.Sin(i)).ToArray();
        var conv = new NodeProto { OpType = "Conv", Name = "conv", Input = { "X", "W" }, Output = { "Y" } };
        conv.Attribute.Add(new AttributeProto { Name = "pads", Type = AttributeProto.Types.AttributeType.Ints, Ints = { 1L << 31, 0, 0, 0 } });
        return new ModelProto
        {
            IrVersion = 8,
            OpsetImport = { new OperatorSetIdProto { Domain = "", Version = 17 } },
            Graph = new GraphProto
            {
                Name = "padded",
                Node = { conv },
                Initializer = { TensorCodec.FromFloats("W", [8, 4, 3, 3], weights, DataType.Float) },
                Input = { Value("X", new object[] { 1, 4, "height", 8 }) },
                Output = { Value("Y", new object[] { 1, 8, "padded_height", 6 }) },
            },
        };
    }

    private static ValueInfoProto Value(string name, object[] dims)
    {
        var shape = new TensorShapeProto();
        foreach (var d in dims)
            shape.Dim.Add(d is string s ? new TensorShapeProto.Types.Dimension { DimParam = s } : new TensorShapeProto.Types.Dimension { DimValue = (int)d });
        return new ValueInfoProto { Name = name, Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)DataType.Float, Shape = shape } } };
    }
}
