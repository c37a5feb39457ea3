using OnnxLowRank.Onnx.Errors;
using OnnxLowRank.Onnx.Protos;

namespace OnnxLowRank.Core.Execution;

/// <summary>
/// Measures layers' output positions (output elements per output channel, for one sample) from the
/// shapes ONNX Runtime gives the layers' outputs: inferred when it loads the model without its weights
/// (<see cref="InferredShapes"/>), or else from running the model once with every layer's output
/// exposed. FLOPs come from the engine's shapes, never from guesses.
/// </summary>
public static class OutputPositions
{
    /// <summary>A layer to measure: its name, the value it produces and its output channels.</summary>
    public sealed record Probe(string Name, string OutputValue, long OutputChannels);

    /// <summary>
    /// Output positions by layer name. Shape inference comes first (it loads the graph, never runs it); when it cannot
    /// tell and <paramref name="mayRun"/>, the model runs once on zeros. Without a run, or when a layer's output is
    /// empty at 1 for a dimension the user did not size, the answer is null (FLOPs unknown) rather than a count at a
    /// size nobody asked for; with a run, that empty output fails as an <see cref="UnsizedDimensionException"/>.
    /// </summary>
    public static IReadOnlyDictionary<string, long>? Measure(
        ModelProto model, IReadOnlyList<Probe> probes, IModelRunner runner, DimensionSizes dimensionSizes, bool mayRun)
    {
        if (probes.Count == 0) return new Dictionary<string, long>();
        var wanted = probes.Select(p => p.OutputValue).Distinct().ToList();
        var unsized = dimensionSizes.Resolve(DeclaredInputs.Of(model)).UnsizedNames;
        if (InferredShapes.TryInfer(model, wanted, runner, dimensionSizes) is { } shapes)
        {
            var inferred = probes.ToDictionary(p => p.Name, p => shapes[p.OutputValue].Aggregate(1L, (count, size) => count * size) / p.OutputChannels);
            if (unsized.Count == 0 || inferred.Values.All(n => n > 0)) return inferred;
        }
        if (!mayRun) return null;
        using var probe = ModelProbe.Open(runner, model, wanted);
        var outputs = probe.RunOnZeros(dimensionSizes);
        var measured = probes.ToDictionary(p => p.Name, p => outputs[p.OutputValue].ElementCount / p.OutputChannels);
        if (unsized.Count > 0 && measured.FirstOrDefault(m => m.Value == 0) is { Key: { } empty })
            throw new UnsizedDimensionException(unsized, new UnsupportedModelException($"layer {empty} has an empty output at that size"));
        return measured;
    }

    /// <summary>An all-zero input of <paramref name="shape"/> (the input's shape with its symbolic dimensions sized).</summary>
    public static TensorData ZeroTensor(ValueDescriptor input, long[] shape)
    {
        var clrType = TensorData.ClrTypeOf(input.ElementType) ?? throw new UnsupportedModelException(
            $"An input of element type {input.ElementType} cannot be fed to measure layer sizes.", subject: input.Name,
            advice: "use a parameter budget (--keep-params) for this model");
        if (!IsRunnable(shape))
            throw new UnsupportedModelException(
                $"Input shape [{string.Join(",", shape)}] needs more than {MaxElements} elements to run the model once.", subject: input.Name,
                advice: "give smaller sizes to its symbolic dimensions, or check the declared shape");
        return new TensorData(input.ElementType, shape, Array.CreateInstance(clrType, shape.Aggregate(1L, (count, size) => count * size)));
    }

    /// <summary>True when no size is negative and the shape holds at most <see cref="MaxElements"/> elements.</summary>
    internal static bool IsRunnable(IReadOnlyList<long> shape)
    {
        var count = 1L;
        foreach (var size in shape)
        {
            if (size < 0 || (size > 0 && count > MaxElements / size)) return false;
            count *= size;
        }
        return true;
    }

    /// <summary>2^28 elements (1 GiB of float) per tensor: a shape past it is a corrupt or hostile file, not a model to run.</summary>
    internal const long MaxElements = 1L << 28;
}
