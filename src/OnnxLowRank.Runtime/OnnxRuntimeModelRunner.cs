using Microsoft.ML.OnnxRuntime;
using OnnxLowRank.Core.Execution;
using OnnxLowRank.Onnx;
using OnnxLowRank.Onnx.Protos;

namespace OnnxLowRank.Runtime;

/// <summary>
/// Core's model-runner port over ONNX Runtime. Exposed inner values become extra graph outputs of a copy
/// of the model, so ONNX Runtime keeps them instead of freeing or fusing them away. A model that uses
/// bfloat16 runs as its float32 shadow (<see cref="Bfloat16Shadow"/>), since ONNX Runtime's CPU
/// provider cannot run bfloat16 Gemm, MatMul or Conv: its inputs and outputs are then float32. A model whose
/// weights stay on disk (over 2 GB) runs with ONNX Runtime reading them from their file.
/// </summary>
public sealed class OnnxRuntimeModelRunner(OnnxRuntimeRunnerOptions? options = null) : IModelRunner
{
    private readonly OnnxRuntimeRunnerOptions _options = options ?? new OnnxRuntimeRunnerOptions();

    public IModelSession Open(ModelProto model, IReadOnlyCollection<string>? exposedValues = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        var prepared = Bfloat16Shadow.For(exposedValues is { Count: > 0 } ? WithExposedOutputs(model, exposedValues) : model);
        using var sessionOptions = _options.CreateSessionOptions();
        if (DiskTensor.AnyIn(prepared)) return OpenFromDisk(prepared, sessionOptions);
        return new OnnxRuntimeModelSession(OnnxRuntimeSessions.Open(OnnxModelFile.ToBytes(prepared), sessionOptions), filePath: null);
    }

    public IModelSession OpenFile(string path)
    {
        // Read with its data left on disk: only the graph is needed to tell whether it uses bfloat16.
        var model = OnnxModelFile.Load(path, new ModelLoadOptions { KeepExternalDataOnDiskFrom = 0 });
        if (!ReferenceEquals(Bfloat16Shadow.For(model), model)) return Open(OnnxModelFile.Load(path));
        using var sessionOptions = _options.CreateSessionOptions();
        // Prepacking copies every Gemm and MatMul weight into the kernel's layout while the originals are still
        // loaded: for a model opened from its file to be run once or a few times, a second copy of its weights.
        sessionOptions.AddSessionConfigEntry("session.disable_prepacking", "1");
        var fullPath = Path.GetFullPath(path);
        return new OnnxRuntimeModelSession(OnnxRuntimeSessions.Open(fullPath, sessionOptions), fullPath);
    }

    /// <summary>
    /// A model whose weights stay on disk (over 2 GB) is handed to ONNX Runtime as its graph, the weights named relative
    /// to the folder of their data files (<see cref="RelativeDiskTensors"/>), which ONNX Runtime then reads itself.
    /// </summary>
    private static OnnxRuntimeModelSession OpenFromDisk(ModelProto model, SessionOptions sessionOptions)
    {
        var (relative, folder) = RelativeDiskTensors.Of(model);
        sessionOptions.AddSessionConfigEntry("session.model_external_initializers_file_folder_path", folder!);
        // As for OpenFile: prepacking would keep a second copy of every Gemm and MatMul weight while the first is loaded.
        sessionOptions.AddSessionConfigEntry("session.disable_prepacking", "1");
        return new OnnxRuntimeModelSession(OnnxRuntimeSessions.Open(OnnxModelFile.ToBytes(relative), sessionOptions), filePath: null);
    }

    /// <summary>A copy of <paramref name="model"/> whose main graph also outputs each exposed value.</summary>
    internal static ModelProto WithExposedOutputs(ModelProto model, IReadOnlyCollection<string> exposedValues)
    {
        var copy = model.Clone();
        var graph = copy.Graph;
        var produced = new HashSet<string>(graph.Node.SelectMany(n => n.Output));
        produced.UnionWith(graph.Input.Select(i => i.Name));
        produced.UnionWith(graph.Initializer.Select(i => i.Name));
        var outputs = new HashSet<string>(graph.Output.Select(o => o.Name));
        foreach (var name in exposedValues)
        {
            if (string.IsNullOrEmpty(name) || !produced.Contains(name))
                throw new ArgumentException($"'{name}' is not a value of the model's main graph.", nameof(exposedValues));
            if (!outputs.Add(name)) continue;
            // A declared type helps ONNX Runtime check the graph; without one it infers the type itself.
            var declared = graph.ValueInfo.FirstOrDefault(v => v.Name == name);
            graph.Output.Add(declared?.Clone() ?? new ValueInfoProto { Name = name });
        }
        return copy;
    }
}
