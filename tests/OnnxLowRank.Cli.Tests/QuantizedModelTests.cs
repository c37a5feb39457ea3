using System.Text.Json;
using Microsoft.ML.OnnxRuntime;
using OnnxLowRank.Onnx;
using OnnxLowRank.Onnx.Protos;
using OnnxLowRank.Runtime;
using DataType = OnnxLowRank.Onnx.Protos.TensorProto.Types.DataType;

namespace OnnxLowRank.Cli.Tests;

/// <summary>A partly quantized model compresses its float layers and reports the quantized one with its reason.</summary>
public class QuantizedModelTests : ScratchFolderTest
{
    [Test]
    public void A_dequantized_weight_is_skipped_with_its_reason_and_the_float_layer_is_compressed()
    {
        var model = Path.Combine(Folder, "half-quantized.onnx");
        OnnxModelFile.Save(HalfQuantized(), model);
        var output = Path.Combine(Folder, "out.onnx");
        var report = Path.Combine(Folder, "out.json");

        var run = CliProcess.Run("compress", model, "-o", output, "--keep-params", "0.7", "--report", report);

        Assert.That(run.ExitCode, Is.EqualTo(0), run.ToString());
        using var json = JsonDocument.Parse(File.ReadAllText(report));
        var compression = json.RootElement.GetProperty("compression");
        Assert.That(compression.GetProperty("layers").EnumerateArray().Select(l => l.GetProperty("name").GetString()), Is.EqualTo(new[] { "fc1" }));

        var analysisReport = Path.Combine(Folder, "analysis.json");
        var analyze = CliProcess.Run("analyze", model, "--report", analysisReport);
        Assert.That(analyze.ExitCode, Is.EqualTo(0), analyze.ToString());
        using var analysis = JsonDocument.Parse(File.ReadAllText(analysisReport));
        var skipped = analysis.RootElement.GetProperty("analysis").GetProperty("skipped").EnumerateArray()
            .Select(s => (s.GetProperty("name").GetString(), s.GetProperty("reason").GetString())).ToArray();
        Assert.That(skipped, Is.EqualTo(new[] { ("fc2", "quantizedWeight") }));

        // The written model runs in ONNX Runtime, the quantized layer as it was.
        using var session = OnnxRuntimeSessions.Open(output);
        using var x = OrtValue.CreateTensorValueFromMemory(Enumerable.Range(0, 64).Select(i => MathF.Sin(i)).ToArray(), [1, 64]);
        using var y = OnnxRuntimeSessions.Run(session, ["X"], [x], ["Y"]);
        Assert.That(y[0].GetTensorTypeAndShape().Shape, Is.EqualTo(new long[] { 1, 32 }));
    }

    // X (1x64) -> Gemm fc1 (float 64x64) -> MatMul fc2 by DequantizeLinear(int8 64x32, scale 0.02) -> Y (1x32).
    private static ModelProto HalfQuantized()
    {
        var w1 = TensorCodec.FromFloats("W1", [64, 64], Enumerable.Range(0, 4096).Select(i => MathF.Cos(i * 0.37f) / 8).ToArray(), DataType.Float);
        var quantized = new TensorProto { Name = "Wq", DataType = (int)DataType.Int8, Dims = { 64, 32 } };
        quantized.Int32Data.AddRange(Enumerable.Range(0, 2048).Select(i => (i * 37 % 255) - 127));
        var scale = TensorCodec.FromFloats("scale", [], [0.02f], DataType.Float);
        var graph = new GraphProto
        {
            Name = "half_quantized",
            Initializer = { w1, quantized, scale },
            Node =
            {
                new NodeProto { OpType = "Gemm", Name = "fc1", Input = { "X", "W1" }, Output = { "h" } },
                new NodeProto { OpType = "DequantizeLinear", Name = "dq", Input = { "Wq", "scale" }, Output = { "W2" } },
                new NodeProto { OpType = "MatMul", Name = "fc2", Input = { "h", "W2" }, Output = { "Y" } },
            },
            Input = { Value("X", 1, 64) },
            Output = { Value("Y", 1, 32) },
        };
        return new ModelProto { IrVersion = 8, OpsetImport = { new OperatorSetIdProto { Domain = "", Version = 17 } }, Graph = graph };
    }

    private static ValueInfoProto Value(string name, params long[] dims)
    {
        var shape = new TensorShapeProto();
        foreach (var d in dims) shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimValue = d });
        return new ValueInfoProto { Name = name, Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)DataType.Float, Shape = shape } } };
    }
}
