using System.Text.Json;
using OnnxLowRank.Onnx;
using OnnxLowRank.Onnx.Protos;
using DataType = OnnxLowRank.Onnx.Protos.TensorProto.Types.DataType;

namespace OnnxLowRank.Cli.Tests;

/// <summary>
/// A bfloat16 model through the CLI: models/mlp.onnx with every weight in bfloat16 and Casts at its
/// input and output, the usual shape of a bfloat16 export. ONNX Runtime's CPU provider has no
/// bfloat16 Gemm, so the tool measures, calibrates and verifies on a float32 shadow of the graph
/// while the file it writes keeps bfloat16 factors.
/// </summary>
public class Bfloat16ModelTests : ScratchFolderTest
{
    [Test]
    public void Compress_with_calibration_and_validation_writes_bfloat16_factors_whose_accuracy_onnx_runtime_confirms()
    {
        var bf16 = Path.Combine(Folder, "mlp-bf16.onnx");
        OnnxModelFile.Save(Bfloat16Mlp(), bf16);
        var output = Path.Combine(Folder, "mlp-bf16-half.onnx");
        var report = Path.Combine(Folder, "compress.json");

        var run = CliProcess.Run("compress", bf16, "-o", output, "--keep-flops", "0.5",
            "--calibration", RepositoryFiles.Data("fmnist-train-512-images-idx3-ubyte.gz"),
            "--validate", RepositoryFiles.TestImages, "--labels", RepositoryFiles.TestLabels, "--normalize", RepositoryFiles.Normalization,
            "--limit", "500", "--batch", "100", "--report", report, "--quiet");

        Assert.That(run.ExitCode, Is.EqualTo(0), run.ToString());
        var written = OnnxModelFile.Load(output);
        var factors = written.Graph.Initializer.Where(t => TensorCodec.IsFloatingPoint(t.DataType)).ToList();
        Assert.That(factors, Has.Count.GreaterThan(8), "the Gemms were factorized");
        Assert.That(factors.Select(t => (DataType)t.DataType).Distinct(), Is.EqualTo(new[] { DataType.Bfloat16 }), "every weight and factor stays bfloat16");

        using var json = JsonDocument.Parse(File.ReadAllText(report));
        Assert.That(json.RootElement.GetProperty("compression").GetProperty("method").GetString(), Is.EqualTo("sensitivity"), "auto, calibrated, every layer measured; a FLOP budget");
        var outputs = json.RootElement.GetProperty("comparison").GetProperty("outputs")[0];
        // The reference: the written file widened to float32 here, independently, and run by ONNX Runtime directly.
        var widened = Path.Combine(Folder, "widened.onnx");
        OnnxModelFile.Save(WidenedToFloat(written), widened);
        Assert.That(outputs.GetProperty("compressedAccuracy").GetDouble(), Is.EqualTo(ReferenceRun.Accuracy(widened, batch: 100, limit: 500)));
        // bfloat16 weights keep the float model's accuracy within a point (8 bits of mantissa on a trained MLP).
        Assert.That(outputs.GetProperty("originalAccuracy").GetDouble(),
            Is.EqualTo(ReferenceRun.Accuracy(RepositoryFiles.Model("mlp.onnx"), batch: 100, limit: 500)).Within(0.01));
    }

    [Test]
    public void Analyze_measures_flops_of_a_bfloat16_model()
    {
        var bf16 = Path.Combine(Folder, "mlp-bf16.onnx");
        OnnxModelFile.Save(Bfloat16Mlp(), bf16);
        var run = CliProcess.Run("analyze", bf16, "--json");
        Assert.That(run.ExitCode, Is.EqualTo(0), run.ToString());
        using var json = JsonDocument.Parse(run.Stdout);
        var layers = json.RootElement.GetProperty("analysis").GetProperty("layers");
        Assert.That(layers.GetArrayLength(), Is.EqualTo(4));
        // Gemm FLOPs (multiply-adds) at batch 1 are the weight's size, measured through the engine.
        foreach (var layer in layers.EnumerateArray())
            Assert.That(layer.GetProperty("flops").GetInt64(), Is.EqualTo(layer.GetProperty("parameters").GetInt64()));
    }

    // models/mlp.onnx with bfloat16 weights: input -> Cast(bfloat16) -> ... -> Cast(float) -> logits.
    private static ModelProto Bfloat16Mlp()
    {
        var model = OnnxModelFile.Load(RepositoryFiles.Model("mlp.onnx"));
        var graph = model.Graph;
        for (var i = 0; i < graph.Initializer.Count; i++)
        {
            var t = graph.Initializer[i];
            graph.Initializer[i] = TensorCodec.FromFloats(t.Name, t.Dims.ToArray(), TensorCodec.ToFloats(t), DataType.Bfloat16);
        }
        foreach (var node in graph.Node)
        {
            for (var i = 0; i < node.Input.Count; i++) if (node.Input[i] == "input") node.Input[i] = "input_bf16";
            for (var i = 0; i < node.Output.Count; i++) if (node.Output[i] == "logits") node.Output[i] = "logits_bf16";
        }
        graph.Node.Insert(0, Cast("input", "input_bf16", DataType.Bfloat16));
        graph.Node.Add(Cast("logits_bf16", "logits", DataType.Float));
        return model;
    }

    private static NodeProto Cast(string input, string output, DataType to) => new()
    {
        OpType = "Cast",
        Name = $"cast_{output}",
        Input = { input },
        Output = { output },
        Attribute = { new AttributeProto { Name = "to", Type = AttributeProto.Types.AttributeType.Int, I = (long)to } },
    };

    // Every bfloat16 initializer as float32 and the Cast to bfloat16 as a Cast to float32; nothing else in this model is bfloat16.
    private static ModelProto WidenedToFloat(ModelProto model)
    {
        var copy = model.Clone();
        var graph = copy.Graph;
        for (var i = 0; i < graph.Initializer.Count; i++)
        {
            var t = graph.Initializer[i];
            if (t.DataType == (int)DataType.Bfloat16)
                graph.Initializer[i] = TensorCodec.FromFloats(t.Name, t.Dims.ToArray(), TensorCodec.ToFloats(t), DataType.Float);
        }
        foreach (var attribute in graph.Node.Where(n => n.OpType == "Cast").SelectMany(n => n.Attribute))
            if (attribute.Name == "to" && attribute.I == (long)DataType.Bfloat16) attribute.I = (long)DataType.Float;
        Assert.That(graph.ValueInfo.Any(v => v.Type.TensorType.ElemType == (int)DataType.Bfloat16), Is.False);
        return copy;
    }
}
