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
        ModelProto model, IReadOnlyCollection<string> values, IModelRunner runner, DimensionSizes dimensionSizes)
    {
        if (values.Count == 0) return new Dictionary<string, Shape>();
        using var probe = ModelProbe.Open(runner, model, values);
        return probe.RunOnZeros(dimensionSizes).ToDictionary(p => p.Key, p => new Shape(p.Value.ElementType, p.Value.Shape));
    }
}
