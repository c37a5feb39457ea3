using OnnxLowRank.Onnx.Protos;

namespace OnnxLowRank.Core.Execution;

/// <summary>
/// The shape and element type of the value each layer reads, from one ONNX Runtime run of the model
/// with those values exposed (zero inputs, symbolic dimensions as for FLOP counting): a layer is timed
/// on the input it really gets, never on a guessed one.
/// </summary>
public static class LayerInputShapes
{
    /// <summary>A measured activation: its element type and shape.</summary>
    public sealed record Shape(TensorProto.Types.DataType ElementType, long[] Dimensions);

    /// <summary>Shapes by value name, for every name in <paramref name="values"/>.</summary>
    public static IReadOnlyDictionary<string, Shape> Measure(
        ModelProto model, IReadOnlyCollection<string> values, IModelRunner runner, IReadOnlyDictionary<string, long> dimensionSizes)
    {
        if (values.Count == 0) return new Dictionary<string, Shape>();
        var graphInputs = model.Graph.Input.Select(i => i.Name).ToHashSet();
        var graphOutputs = model.Graph.Output.Select(o => o.Name).ToHashSet();
        var inner = values.Where(v => !graphInputs.Contains(v)).Distinct().ToList();
        using var session = runner.Open(model, inner.Where(v => !graphOutputs.Contains(v)).ToList());
        var inputs = session.Inputs.ToDictionary(i => i.Name, i => OutputPositions.ZeroTensor(i, dimensionSizes));
        var outputs = inner.Count > 0 ? session.Run(inputs, inner) : new Dictionary<string, TensorData>();
        return values.Distinct().ToDictionary(v => v, v =>
        {
            var tensor = inputs.TryGetValue(v, out var fed) ? fed : outputs[v];
            return new Shape(tensor.ElementType, tensor.Shape);
        });
    }
}
