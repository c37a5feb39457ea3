using OnnxLowRank.Onnx;
using OnnxLowRank.Onnx.Errors;
using OnnxLowRank.Onnx.Protos;

namespace OnnxLowRank.Core.Execution;

/// <summary>
/// Value shapes as the engine infers them when it loads a model, without running it and without its
/// weights. Every large floating-point initializer held in memory becomes a graph input of its type and
/// shape (shape inference reads shapes, not values), and every symbolic input dimension takes the size a
/// run would feed (<see cref="DimensionSizes"/>). Opening that copy costs the graph alone,
/// where opening the model itself costs the serialized model, the engine's parse of it and its own copy
/// of every weight (docs/benchmarks.md, resnet50 CLI peak).
/// </summary>
internal static class InferredShapes
{
    /// <summary>
    /// The shape of every value in <paramref name="values"/>, or null when one of them is not fully known
    /// to the engine, any shape would not be run (past <see cref="OutputPositions.MaxElements"/>), or the engine
    /// refuses the weightless copy: the caller then runs the model, which gives the answer or the error.
    /// </summary>
    public static IReadOnlyDictionary<string, long[]>? TryInfer(
        ModelProto model, IReadOnlyCollection<string> values, IModelRunner runner, DimensionSizes dimensionSizes)
    {
        var weightless = Weightless(model, dimensionSizes);
        if (weightless is null) return null;
        Dictionary<string, ValueDescriptor> outputs;
        try
        {
            using var probe = ModelProbe.Open(runner, weightless, values);
            outputs = probe.Outputs.ToDictionary(o => o.Name);
        }
        catch (OnnxLowRankException e) when (!e.IsEnvironmentFailure)
        {
            // An engine that needs some weight's values to load the graph: running the whole model is still possible.
            return null;
        }
        var shapes = new Dictionary<string, long[]>(values.Count);
        foreach (var name in values)
        {
            if (!outputs.TryGetValue(name, out var output) || output.Shape.Any(d => d is not >= 0)) return null;
            var shape = output.Shape.Select(d => d!.Value).ToArray();
            if (!OutputPositions.IsRunnable(shape)) return null;
            shapes[name] = shape;
        }
        return shapes;
    }

    /// <summary>Null when an input's shape cannot be fixed the way a run would fix it.</summary>
    private static ModelProto? Weightless(ModelProto model, DimensionSizes dimensionSizes)
    {
        // MergeFrom appends a repeated field's messages by reference: the copy shares the nodes and the small
        // tensors instead of cloning the graph, and the lists below are the copy's own.
        var copy = new ModelProto();
        copy.MergeFrom(model);
        var graph = copy.Graph;
        var moved = graph.Initializer.Where(IsLargeWeightInMemory).ToList();
        var movedNames = moved.Select(t => t.Name).ToHashSet();
        var initializers = graph.Initializer.Select(t => t.Name).ToHashSet();

        var shapes = dimensionSizes.Resolve(DeclaredInputs.Of(model)).Shapes;
        var inputs = new List<ValueInfoProto>(graph.Input.Count + moved.Count);
        foreach (var input in graph.Input)
        {
            if (movedNames.Contains(input.Name)) continue;
            if (initializers.Contains(input.Name)) { inputs.Add(input); continue; }
            var fixedInput = WithFixedDimensions(input, shapes[input.Name]);
            if (fixedInput is null) return null;
            inputs.Add(fixedInput);
        }
        inputs.AddRange(moved.Select(AsInput));
        graph.Input.Clear();
        graph.Input.Add(inputs);
        var kept = graph.Initializer.Where(t => !movedNames.Contains(t.Name)).ToList();
        graph.Initializer.Clear();
        graph.Initializer.Add(kept);
        return copy;
    }

    // Small tensors stay: shape computations read their values (a Reshape's shape, a Resize's scales).
    private const long SmallTensorElements = 1024;

    // A tensor with malformed dims stays as it is, for the engine to judge.
    private static bool IsLargeWeightInMemory(TensorProto tensor) =>
        TensorCodec.IsFloatingPoint(tensor.DataType)
        && tensor.DataLocation != TensorProto.Types.DataLocation.External
        && tensor.Dims.All(d => d >= 0)
        && tensor.Dims.Aggregate(1.0, (product, d) => product * d) > SmallTensorElements;

    private static ValueInfoProto AsInput(TensorProto tensor)
    {
        var shape = new TensorShapeProto();
        foreach (var size in tensor.Dims) shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimValue = size });
        return new ValueInfoProto { Name = tensor.Name, Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = tensor.DataType, Shape = shape } } };
    }

    private static ValueInfoProto? WithFixedDimensions(ValueInfoProto input, long[] shape)
    {
        if (input.Type?.TensorType?.Shape is null || !OutputPositions.IsRunnable(shape)) return null;
        var fixedShape = new TensorShapeProto();
        foreach (var size in shape) fixedShape.Dim.Add(new TensorShapeProto.Types.Dimension { DimValue = size });
        var copy = input.Clone();
        copy.Type.TensorType.Shape = fixedShape;
        return copy;
    }
}
