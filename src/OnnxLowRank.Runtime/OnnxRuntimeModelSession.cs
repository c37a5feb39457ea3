using Microsoft.ML.OnnxRuntime;
using OnnxLowRank.Core.Execution;
using DataType = OnnxLowRank.Onnx.Protos.TensorProto.Types.DataType;

namespace OnnxLowRank.Runtime;

/// <summary>An <see cref="InferenceSession"/> seen through Core's <see cref="IModelSession"/>.</summary>
internal sealed class OnnxRuntimeModelSession : IModelSession
{
    private readonly InferenceSession _session;
    private readonly string? _filePath;

    /// <param name="filePath">The model file the session was loaded from, named by its run errors; null for a model from memory.</param>
    public OnnxRuntimeModelSession(InferenceSession session, string? filePath)
    {
        _session = session;
        _filePath = filePath;
        Inputs = session.InputNames.Select(n => Describe(n, session.InputMetadata[n])).ToArray();
        Outputs = session.OutputNames.Select(n => Describe(n, session.OutputMetadata[n])).ToArray();
    }

    public IReadOnlyList<ValueDescriptor> Inputs { get; }

    public IReadOnlyList<ValueDescriptor> Outputs { get; }

    public IReadOnlyDictionary<string, TensorData> Run(IReadOnlyDictionary<string, TensorData> inputs, IReadOnlyList<string>? outputNames = null)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        var names = outputNames ?? _session.OutputNames;
        var inputValues = new List<OrtValue>(inputs.Count);
        try
        {
            foreach (var tensor in inputs.Values) inputValues.Add(TensorDataConversion.ToOrtValue(tensor));
            using var results = OnnxRuntimeSessions.Run(_session, inputs.Keys.ToArray(), inputValues, names.ToArray(), _filePath);
            var outputs = new Dictionary<string, TensorData>(names.Count);
            for (var i = 0; i < names.Count; i++) outputs[names[i]] = TensorDataConversion.ToTensorData(results[i], names[i]);
            return outputs;
        }
        finally
        {
            foreach (var value in inputValues) value.Dispose();
        }
    }

    public void Dispose() => _session.Dispose();

    private static ValueDescriptor Describe(string name, NodeMetadata metadata)
    {
        if (!metadata.IsTensor) return new ValueDescriptor(name, DataType.Undefined, [], []);
        var shape = metadata.Dimensions.Select(d => d < 0 ? (long?)null : d).ToArray();
        var symbols = metadata.Dimensions
            .Select((d, i) => d < 0 && metadata.SymbolicDimensions[i].Length > 0 ? metadata.SymbolicDimensions[i] : null)
            .ToArray();
        return new ValueDescriptor(name, (DataType)metadata.ElementDataType, shape, symbols);
    }
}
