using OnnxLowRank.Onnx.Protos;

namespace OnnxLowRank.Core.Execution;

/// <summary>
/// The port through which Core runs models (validation, FLOP counting, calibration) without
/// knowing the engine. OnnxLowRank.Runtime implements it over ONNX Runtime.
/// </summary>
public interface IModelRunner
{
    /// <summary>
    /// Prepares a model for execution. Every name in <paramref name="exposedValues"/> (an inner value
    /// of the main graph) becomes an extra output that <see cref="IModelSession.Run"/> can return.
    /// </summary>
    IModelSession Open(ModelProto model, IReadOnlyCollection<string>? exposedValues = null);

    /// <summary>
    /// Prepares the model saved at <paramref name="path"/>, letting the engine read its external data from the
    /// file's folder: a model whose weights stay on disk runs without being copied into memory first.
    /// </summary>
    IModelSession OpenFile(string path);
}

/// <summary>A model loaded into an engine, ready to run many times.</summary>
public interface IModelSession : IDisposable
{
    IReadOnlyList<ValueDescriptor> Inputs { get; }

    /// <summary>Graph outputs followed by the exposed inner values.</summary>
    IReadOnlyList<ValueDescriptor> Outputs { get; }

    /// <summary>Runs once. <paramref name="outputNames"/> null means every output.</summary>
    IReadOnlyDictionary<string, TensorData> Run(IReadOnlyDictionary<string, TensorData> inputs, IReadOnlyList<string>? outputNames = null);
}

/// <summary>
/// A model input or output: its element type and shape, where a dimension is null when it is
/// symbolic (<see cref="SymbolicDims"/> then holds its name, or null when unnamed).
/// </summary>
public sealed record ValueDescriptor(string Name, TensorProto.Types.DataType ElementType, long?[] Shape, string?[] SymbolicDims);
