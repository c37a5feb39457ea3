using OnnxLowRank.Core.Execution;
using OnnxLowRank.Onnx.Protos;
using OnnxLowRank.Runtime;

namespace OnnxLowRank.Core.Tests.Support;

/// <summary>ONNX Runtime, the independent judge of what a model computes.</summary>
internal static class Engine
{
    private static readonly Lazy<IModelRunner> Shared = new(() => new OnnxRuntimeModelRunner());

    public static IModelRunner Runner => Shared.Value;

    /// <summary>Runs a model once and returns every output (graph outputs, then the exposed inner values).</summary>
    public static IReadOnlyDictionary<string, TensorData> Run(ModelProto model, IReadOnlyDictionary<string, TensorData> inputs, IReadOnlyCollection<string>? exposed = null)
    {
        using var session = Runner.Open(model, exposed);
        return session.Run(inputs);
    }
}
