using OnnxLowRank.Core.Execution;
using OnnxLowRank.Onnx.Errors;
using OnnxLowRank.Onnx.Protos;

namespace OnnxLowRank.Core.Pipeline;

/// <summary>
/// Measures layers' output positions (output elements per output channel, for one sample) by
/// running the model once with every layer's output exposed: FLOPs come from real shapes, never
/// from guesses.
/// </summary>
public static class OutputPositions
{
    /// <summary>A layer to measure: its name, the value it produces and its output channels.</summary>
    public sealed record Probe(string Name, string OutputValue, long OutputChannels);

    public static IReadOnlyDictionary<string, long> Measure(
        ModelProto model, IReadOnlyList<Probe> probes, IModelRunner runner, IReadOnlyDictionary<string, long> dimensionSizes)
    {
        if (probes.Count == 0) return new Dictionary<string, long>();
        var graphOutputs = model.Graph.Output.Select(o => o.Name).ToHashSet();
        var wanted = probes.Select(p => p.OutputValue).Distinct().ToList();
        using var session = runner.Open(model, wanted.Where(n => !graphOutputs.Contains(n)).ToList());
        var inputs = session.Inputs.ToDictionary(i => i.Name, i => ZeroTensor(i, dimensionSizes));
        var outputs = session.Run(inputs, wanted);
        return probes.ToDictionary(p => p.Name, p => outputs[p.OutputValue].ElementCount / p.OutputChannels);
    }

    /// <summary>An all-zero input; symbolic dimensions take the user's size (by name or "input:axis") or 1.</summary>
    public static TensorData ZeroTensor(ValueDescriptor input, IReadOnlyDictionary<string, long> dimensionSizes)
    {
        var shape = new long[input.Shape.Length];
        for (var axis = 0; axis < shape.Length; axis++)
        {
            if (input.Shape[axis] is { } fixedSize) { shape[axis] = fixedSize; continue; }
            var symbol = input.SymbolicDims[axis];
            shape[axis] = symbol is not null && dimensionSizes.TryGetValue(symbol, out var byName) ? byName
                : dimensionSizes.TryGetValue($"{input.Name}:{axis}", out var byAxis) ? byAxis
                : 1;
        }
        var clrType = TensorData.ClrTypeOf(input.ElementType) ?? throw new UnsupportedModelException(
            $"An input of element type {input.ElementType} cannot be fed to measure layer sizes.", subject: input.Name,
            advice: "use a parameter budget (--keep-params) for this model");
        var count = 1L;
        foreach (var size in shape)
        {
            if (size < 0 || (size > 0 && count > MaxElements / size))
                throw new UnsupportedModelException(
                    $"Input shape [{string.Join(",", shape)}] needs more than {MaxElements} elements to run the model once.", subject: input.Name,
                    advice: "give smaller sizes to its symbolic dimensions, or check the declared shape");
            count *= size;
        }
        return new TensorData(input.ElementType, shape, Array.CreateInstance(clrType, count));
    }

    /// <summary>2^28 elements (1 GiB of float) per input: a declared shape past it is a corrupt or hostile file, not a model to run.</summary>
    private const long MaxElements = 1L << 28;
}
