using OnnxLowRank.Onnx.Protos;

namespace OnnxLowRank.Core.Execution;

/// <summary>
/// A model's inputs as its file declares them, read without opening it in the engine: the inputs a run must
/// feed (a graph input that an initializer also provides has a default and is left out), described as the
/// engine would describe them, so dimension sizes can be bound before any session exists.
/// </summary>
public static class DeclaredInputs
{
    public static IReadOnlyList<ValueDescriptor> Of(ModelProto model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var initializers = model.Graph.Initializer.Select(t => t.Name).ToHashSet(StringComparer.Ordinal);
        return model.Graph.Input.Where(i => !initializers.Contains(i.Name)).Select(Describe).ToList();
    }

    /// <summary>Tensor type and shape; a dimension with neither a value nor a name is unknown and unnamed.</summary>
    public static ValueDescriptor Describe(ValueInfoProto input)
    {
        var tensor = input.Type?.TensorType;
        var type = (TensorProto.Types.DataType)(tensor?.ElemType ?? 0);
        if (tensor?.Shape is not { } shape) return new ValueDescriptor(input.Name, type, [], []);
        var sizes = shape.Dim.Select(d => d.HasDimValue && d.DimValue >= 0 ? d.DimValue : (long?)null).ToArray();
        var symbols = shape.Dim.Select(d => !(d.HasDimValue && d.DimValue >= 0) && d.HasDimParam && d.DimParam.Length > 0 ? d.DimParam : null).ToArray();
        return new ValueDescriptor(input.Name, type, sizes, symbols);
    }
}
