using OnnxLowRank.Core.Execution;

namespace OnnxLowRank.Core.Data;

/// <summary>
/// Concrete shapes for model inputs whose dimensions are symbolic. Each binding is one of
/// <c>name=1x3x224x224</c> (the whole shape of input <c>name</c>), <c>batch=8</c> (a symbolic
/// dimension, bound in every input that uses it) or a bare <c>1x3x224x224</c> (the whole shape of
/// the next input not named, in model order). Dimensions left unbound are 1.
/// </summary>
public sealed class ShapeBinding
{
    private readonly Dictionary<string, long[]> _named = new(StringComparer.Ordinal);
    private readonly List<long[]> _positional = [];

    private ShapeBinding() { }

    public static ShapeBinding None { get; } = new();

    /// <summary>Parses the bindings; they are checked against the model later, in <see cref="Resolve"/>.</summary>
    public static ShapeBinding Parse(IEnumerable<string> bindings)
    {
        var binding = new ShapeBinding();
        foreach (var text in bindings)
        {
            var eq = text.LastIndexOf('=');
            var name = eq < 0 ? null : text[..eq].Trim();
            var dims = ParseDims(eq < 0 ? text : text[(eq + 1)..], text);
            if (name is null) binding._positional.Add(dims);
            else if (name.Length == 0 || !binding._named.TryAdd(name, dims))
                throw new InvalidInputDataException($"Shape binding '{text}' has an empty or repeated name.", advice: "write --shape NAME=DIMS once per input");
        }
        return binding;
    }

    /// <summary>The concrete shape of every input, in model order, keyed by input name.</summary>
    public IReadOnlyDictionary<string, long[]> Resolve(IReadOnlyList<ValueDescriptor> inputs)
    {
        var symbols = _named.Where(kv => kv.Value.Length == 1 && !inputs.Any(i => i.Name == kv.Key) && inputs.Any(i => i.SymbolicDims.Contains(kv.Key)))
            .ToDictionary(kv => kv.Key, kv => kv.Value[0], StringComparer.Ordinal);
        var unknown = _named.Keys.Where(k => !symbols.ContainsKey(k) && !inputs.Any(i => i.Name == k)).ToList();
        if (unknown.Count > 0)
            throw new InvalidInputDataException(
                $"Shape binding names neither an input nor a symbolic dimension.", subject: unknown[0],
                advice: $"model inputs are {string.Join(", ", inputs.Select(i => i.Name))}");

        var result = new Dictionary<string, long[]>(StringComparer.Ordinal);
        var nextPositional = 0;
        foreach (var input in inputs)
        {
            long[]? given = null;
            if (_named.TryGetValue(input.Name, out var named)) given = named;
            else if (nextPositional < _positional.Count) given = _positional[nextPositional++];

            if (given is not null && given.Length != input.Shape.Length)
                throw new InvalidInputDataException(
                    $"Shape [{string.Join("x", given)}] has {given.Length} dimensions but the input has {input.Shape.Length}.", subject: input.Name,
                    advice: $"the model declares {Describe(input)}");
            var shape = new long[input.Shape.Length];
            for (var d = 0; d < shape.Length; d++)
            {
                var symbol = d < input.SymbolicDims.Length ? input.SymbolicDims[d] : null;
                if (input.Shape[d] is { } fixedDim)
                {
                    if (given is not null && given[d] != fixedDim)
                        throw new InvalidInputDataException(
                            $"Dimension {d} is fixed at {fixedDim} in the model but the shape gives {given[d]}.", subject: input.Name,
                            advice: $"the model declares {Describe(input)}");
                    shape[d] = fixedDim;
                }
                else if (given is not null) shape[d] = given[d];
                else if (symbol is not null && symbols.TryGetValue(symbol, out var bound)) shape[d] = bound;
                else shape[d] = 1;
            }
            result[input.Name] = shape;
        }
        if (nextPositional < _positional.Count)
            throw new InvalidInputDataException($"{_positional.Count} positional shapes given but only {nextPositional} inputs were left to take them.",
                advice: "name the input: --shape NAME=DIMS");
        return result;
    }

    /// <summary>An input's declared shape, symbolic dimensions by name or '?', e.g. [batch,1,28,28].</summary>
    public static string Describe(ValueDescriptor input) =>
        "[" + string.Join(",", input.Shape.Select((d, i) => d?.ToString() ?? (i < input.SymbolicDims.Length ? input.SymbolicDims[i] : null) ?? "?")) + "]";

    private static long[] ParseDims(string text, string whole)
    {
        var parts = text.Split(['x', 'X', ','], StringSplitOptions.TrimEntries);
        var dims = new long[parts.Length];
        for (var i = 0; i < parts.Length; i++)
        {
            if (!long.TryParse(parts[i], out dims[i]) || dims[i] < 0)
                throw new InvalidInputDataException($"Shape binding '{whole}' is not a list of non-negative sizes.", advice: "write e.g. --shape input=1x3x224x224");
        }
        return dims;
    }
}
