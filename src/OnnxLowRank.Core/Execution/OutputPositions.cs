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

    public static IReadOnlyDictionary<string, long> Measure(
        ModelProto model, IReadOnlyList<Probe> probes, IModelRunner runner, IReadOnlyDictionary<string, long> dimensionSizes)
    {
        if (probes.Count == 0) return new Dictionary<string, long>();
        var wanted = probes.Select(p => p.OutputValue).Distinct().ToList();
        if (InferredShapes.TryInfer(model, wanted, runner, dimensionSizes) is { } shapes)
            return probes.ToDictionary(p => p.Name, p => shapes[p.OutputValue].Aggregate(1L, (count, size) => count * size) / p.OutputChannels);
        using var probe = ModelProbe.Open(runner, model, wanted);
        var outputs = probe.RunOnZeros(dimensionSizes);
        return probes.ToDictionary(p => p.Name, p => outputs[p.OutputValue].ElementCount / p.OutputChannels);
    }

    /// <summary>An all-zero input; symbolic dimensions take the user's size (by name or "input:axis") or 1.</summary>
    public static TensorData ZeroTensor(ValueDescriptor input, IReadOnlyDictionary<string, long> dimensionSizes)
    {
        var shape = new long[input.Shape.Length];
        for (var axis = 0; axis < shape.Length; axis++)
        {
            shape[axis] = input.Shape[axis] ?? DimensionSize(input.Name, axis, input.SymbolicDims[axis], dimensionSizes);
        }
        var clrType = TensorData.ClrTypeOf(input.ElementType) ?? throw new UnsupportedModelException(
            $"An input of element type {input.ElementType} cannot be fed to measure layer sizes.", subject: input.Name,
            advice: "use a parameter budget (--keep-params) for this model");
        if (!IsRunnable(shape))
            throw new UnsupportedModelException(
                $"Input shape [{string.Join(",", shape)}] needs more than {MaxElements} elements to run the model once.", subject: input.Name,
                advice: "give smaller sizes to its symbolic dimensions, or check the declared shape");
        return new TensorData(input.ElementType, shape, Array.CreateInstance(clrType, shape.Aggregate(1L, (count, size) => count * size)));
    }

    /// <summary>The size a run gives a symbolic dimension: the user's size for its name, else for "input:axis", else 1.</summary>
    internal static long DimensionSize(string inputName, int axis, string? symbol, IReadOnlyDictionary<string, long> dimensionSizes) =>
        symbol is not null && dimensionSizes.TryGetValue(symbol, out var byName) ? byName
        : dimensionSizes.TryGetValue($"{inputName}:{axis}", out var byAxis) ? byAxis
        : 1;

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
