using OnnxLowRank.Onnx.Errors;

namespace OnnxLowRank.Core.Execution;

/// <summary>
/// The sizes the user gives a model's symbolic input dimensions (<c>--dim</c>), the one source of sizes for every run
/// the tool makes on generated inputs: FLOP measurement, latency shapes, random data and the verification of the
/// written model. Each binding is one of
/// <list type="bullet">
/// <item><c>T=512</c>: the symbolic dimension named T, in every input that uses it;</item>
/// <item><c>input:1=512</c>: axis 1 of input <c>input</c> (for dimensions without a name);</item>
/// <item><c>image=1x3x224x224</c>: the whole shape of input <c>image</c>;</item>
/// <item><c>1x3x224x224</c>: the whole shape of the next input not named, in model order.</item>
/// </list>
/// A dimension none of them sizes runs at 1 and is reported as unsized (<see cref="Resolved.Unsized"/>), so a run
/// that fails there can say which dimension to size instead of passing on the engine's message.
/// </summary>
public sealed class DimensionSizes
{
    private const string Advice = "write --dim NAME=SIZE for a symbolic dimension, INPUT:AXIS=SIZE, or INPUT=1x3x224x224 for a whole input";

    private readonly Dictionary<string, long[]> _named = new(StringComparer.Ordinal);
    private readonly List<long[]> _positional = [];
    private readonly List<string> _texts = [];

    private DimensionSizes() { }

    /// <summary>No sizes given: every symbolic dimension runs at 1.</summary>
    public static DimensionSizes None { get; } = new();

    /// <summary>The bindings as the user wrote them.</summary>
    public IReadOnlyList<string> Bindings => _texts;

    /// <summary>Parses the bindings; names are checked against a model later, in <see cref="Resolve"/>.</summary>
    /// <exception cref="InvalidOptionsException">A binding is not one of the forms above, or names something twice.</exception>
    public static DimensionSizes Parse(IEnumerable<string> bindings)
    {
        ArgumentNullException.ThrowIfNull(bindings);
        var sizes = new DimensionSizes();
        foreach (var text in bindings)
        {
            var eq = text.LastIndexOf('=');
            var name = eq < 0 ? null : text[..eq].Trim();
            var dims = ParseSizes(eq < 0 ? text : text[(eq + 1)..], text);
            if (name is null) sizes._positional.Add(dims);
            else if (name.Length == 0 || !sizes._named.TryAdd(name, dims))
                throw new InvalidOptionsException($"--dim '{text}' has an empty or repeated name", Advice);
            sizes._texts.Add(text);
        }
        return sizes;
    }

    /// <summary>A symbolic dimension that no binding sized: it runs at 1.</summary>
    /// <param name="Symbol">Its name in the model, or null when the model leaves it unnamed.</param>
    public sealed record Unsized(string Input, int Axis, string? Symbol)
    {
        /// <summary>What the user writes before "=SIZE" to size it.</summary>
        public string Name => Symbol ?? $"{Input}:{Axis}";
    }

    /// <summary>The concrete shape of every input, keyed by name, and the dimensions left at 1 for want of a size.</summary>
    public sealed record Resolved(IReadOnlyDictionary<string, long[]> Shapes, IReadOnlyList<Unsized> Unsized)
    {
        /// <summary>
        /// The unsized dimensions to name when a run fails, each name once ("T", "input:1"). Past the first axis when
        /// there are any: axis 0 is the batch in nearly every exported model, and 1 is a size every batch takes, so
        /// naming it beside a time or sequence axis would send the user after the wrong dimension.
        /// </summary>
        public IReadOnlyList<string> UnsizedNames
        {
            get
            {
                var beyondBatch = Unsized.Where(u => u.Axis > 0).ToList();
                return (beyondBatch.Count > 0 ? beyondBatch : Unsized).Select(u => u.Name).Distinct().ToList();
            }
        }
    }

    /// <summary>Binds the sizes to <paramref name="inputs"/>, in model order.</summary>
    /// <exception cref="InvalidOptionsException">A binding names neither an input, an input axis nor a symbolic dimension,
    /// contradicts a fixed dimension, or has the wrong number of dimensions.</exception>
    public Resolved Resolve(IReadOnlyList<ValueDescriptor> inputs)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        var inputNames = inputs.Select(i => i.Name).ToHashSet(StringComparer.Ordinal);
        var symbols = inputs.SelectMany(i => i.SymbolicDims).OfType<string>().ToHashSet(StringComparer.Ordinal);
        var bySymbol = new Dictionary<string, long>(StringComparer.Ordinal);
        var byAxis = new Dictionary<(string, int), long>();
        var wholeShapes = new Dictionary<string, long[]>(StringComparer.Ordinal);
        foreach (var (name, dims) in _named)
        {
            // An input's own name wins over the other readings, so an input called "x:0" can still be given a whole shape.
            if (inputNames.Contains(name)) wholeShapes[name] = dims;
            else if (dims.Length == 1 && symbols.Contains(name)) bySymbol[name] = dims[0];
            else if (dims.Length == 1 && AxisOf(name, inputs) is { } axis) byAxis[axis] = dims[0];
            else
                throw new InvalidOptionsException(
                    $"--dim '{name}' names neither an input, an input axis (INPUT:AXIS) nor a symbolic dimension of the model",
                    $"its inputs are {string.Join(", ", inputs.Select(i => $"{i.Name} {Describe(i)}"))}");
        }

        var shapes = new Dictionary<string, long[]>(StringComparer.Ordinal);
        var unsized = new List<Unsized>();
        var nextPositional = 0;
        foreach (var input in inputs)
        {
            if (!wholeShapes.TryGetValue(input.Name, out var given) && nextPositional < _positional.Count) given = _positional[nextPositional++];
            if (given is not null && given.Length != input.Shape.Length)
                throw new InvalidOptionsException(
                    $"--dim gives input '{input.Name}' {given.Length} dimensions ([{string.Join("x", given)}]) but it has {input.Shape.Length}",
                    $"the model declares {Describe(input)}");
            var shape = new long[input.Shape.Length];
            for (var axis = 0; axis < shape.Length; axis++)
            {
                var symbol = axis < input.SymbolicDims.Length ? input.SymbolicDims[axis] : null;
                if (input.Shape[axis] is { } fixedSize)
                {
                    if (given is not null && given[axis] != fixedSize)
                        throw new InvalidOptionsException(
                            $"--dim gives input '{input.Name}' size {given[axis]} on axis {axis}, which the model fixes at {fixedSize}",
                            $"the model declares {Describe(input)}");
                    shape[axis] = fixedSize;
                }
                else if (given is not null) shape[axis] = given[axis];
                else if (byAxis.TryGetValue((input.Name, axis), out var axisSize)) shape[axis] = axisSize;
                else if (symbol is not null && bySymbol.TryGetValue(symbol, out var symbolSize)) shape[axis] = symbolSize;
                else
                {
                    shape[axis] = 1;
                    unsized.Add(new Unsized(input.Name, axis, symbol));
                }
            }
            shapes[input.Name] = shape;
        }
        if (nextPositional < _positional.Count)
            throw new InvalidOptionsException(
                $"--dim gives {_positional.Count} whole shapes without a name but only {nextPositional} inputs were left to take them",
                "name the input: --dim INPUT=1x3x224x224");
        return new Resolved(shapes, unsized);
    }

    /// <summary>An input's declared shape, symbolic dimensions by name or '?', e.g. [batch,1,28,28].</summary>
    public static string Describe(ValueDescriptor input) =>
        "[" + string.Join(",", input.Shape.Select((d, i) => d?.ToString() ?? (i < input.SymbolicDims.Length ? input.SymbolicDims[i] : null) ?? "?")) + "]";

    /// <summary>The "INPUT:AXIS" reading of a name, when the input exists and has that axis.</summary>
    private static (string, int)? AxisOf(string name, IReadOnlyList<ValueDescriptor> inputs)
    {
        var colon = name.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(name[(colon + 1)..], out var axis)) return null;
        var input = inputs.FirstOrDefault(i => i.Name == name[..colon]);
        return input is not null && axis >= 0 && axis < input.Shape.Length ? (input.Name, axis) : null;
    }

    private static long[] ParseSizes(string text, string whole)
    {
        var parts = text.Split(['x', 'X', ','], StringSplitOptions.TrimEntries);
        var dims = new long[parts.Length];
        for (var i = 0; i < parts.Length; i++)
        {
            if (!long.TryParse(parts[i], out dims[i]) || dims[i] < 1)
                throw new InvalidOptionsException($"--dim '{whole}' is not NAME=SIZE or a shape of positive sizes", Advice);
        }
        return dims;
    }
}
