using System.Runtime.InteropServices;
using Microsoft.ML.OnnxRuntime;
using OnnxLowRank.Onnx;
using OnnxLowRank.Onnx.Protos;
using OnnxLowRank.Runtime;

namespace OnnxLowRank.Cli.Tests.Corpus;

/// <summary>
/// A model file run in ONNX Runtime directly (not through the tool's runner) on the inputs of an ONNX test-data
/// folder (input_N.pb fed to the N-th graph input that is not an initializer), and the folder's expected outputs.
/// </summary>
internal static class TestDataRun
{
    /// <summary>Every output of the model, in graph order, as floats.</summary>
    public static IReadOnlyList<float[]> Outputs(string modelPath, string dataSet)
    {
        var graph = OnnxModelFile.Load(modelPath).Graph;
        var initializers = graph.Initializer.Select(t => t.Name).ToHashSet();
        var inputNames = graph.Input.Select(i => i.Name).Where(n => !initializers.Contains(n)).ToList();
        var outputNames = graph.Output.Select(o => o.Name).ToList();
        var inputs = Read(dataSet, "input_");
        Assert.That(inputs, Has.Count.EqualTo(inputNames.Count), $"{dataSet}: one input_N.pb per graph input of {modelPath}");
        var values = inputs.Select(ToOrtValue).ToList();
        try
        {
            using var session = OnnxRuntimeSessions.Open(modelPath);
            using var outputs = OnnxRuntimeSessions.Run(session, inputNames, values, outputNames, modelPath);
            return outputs.Select(o => o.GetTensorDataAsSpan<float>().ToArray()).ToList();
        }
        finally
        {
            foreach (var value in values) value.Dispose();
        }
    }

    /// <summary>The expected outputs written beside the inputs (output_N.pb), as floats.</summary>
    public static IReadOnlyList<float[]> Expected(string dataSet) => Read(dataSet, "output_").Select(TensorCodec.ToFloats).ToList();

    private static List<TensorProto> Read(string dataSet, string prefix) =>
        Directory.GetFiles(dataSet, prefix + "*.pb")
            .OrderBy(f => int.Parse(Path.GetFileNameWithoutExtension(f)[prefix.Length..], System.Globalization.CultureInfo.InvariantCulture))
            .Select(f => TensorProto.Parser.ParseFrom(File.ReadAllBytes(f)))
            .ToList();

    private static OrtValue ToOrtValue(TensorProto tensor)
    {
        var shape = tensor.Dims.ToArray();
        return (TensorProto.Types.DataType)tensor.DataType switch
        {
            TensorProto.Types.DataType.Float => OrtValue.CreateTensorValueFromMemory(TensorCodec.ToFloats(tensor), shape),
            TensorProto.Types.DataType.Int64 => OrtValue.CreateTensorValueFromMemory(
                tensor.RawData.Length > 0 ? MemoryMarshal.Cast<byte, long>(tensor.RawData.Span).ToArray() : tensor.Int64Data.ToArray(), shape),
            var other => throw new AssertionException($"input tensor '{tensor.Name}' is {other}; the corpus feeds float and int64 inputs only"),
        };
    }
}
