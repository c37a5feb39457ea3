using OnnxLowRank.Core.Execution;
using DataType = OnnxLowRank.Onnx.Protos.TensorProto.Types.DataType;

namespace OnnxLowRank.Core.Data;

/// <summary>
/// Seeded random inputs in the shapes the model declares (symbolic dimensions sized by
/// <see cref="DimensionSizes"/>, else 1). Floating-point inputs are standard normal. Integer inputs stay in range: one that
/// indexes a constant table (token ids into an embedding) is drawn from [0, rows), an attention mask is ones, token
/// type ids zeros, position ids 0..n-1 along the last axis, and any other integer input 0 or 1. Sample i depends only on the seed and i, so an offset
/// selects the same samples a longer run would have produced.
/// </summary>
public sealed class RandomDataSource : SampleDataSource
{
    /// <summary>Samples produced when no limit is given.</summary>
    public const int DefaultCount = 16;

    private readonly IReadOnlyDictionary<string, long[]> _shapes;
    private readonly int _seed;
    private readonly int _offset;
    private readonly IReadOnlyDictionary<string, long> _tableRows;

    /// <param name="tableRows">Rows of the tables integer inputs index (<see cref="TokenEmbeddings.TableRows"/>); none known by default.</param>
    public RandomDataSource(IReadOnlyList<ValueDescriptor> inputs, DimensionSizes sizes, DataSlice slice, int seed = 0,
        IReadOnlyDictionary<string, long>? tableRows = null)
        : base(inputs)
    {
        _tableRows = tableRows ?? new Dictionary<string, long>();
        var resolved = sizes.Resolve(inputs);
        _shapes = resolved.Shapes;
        // Stacked samples make the batch axis as long as --batch asks: only the other unsized dimensions are the user's to size.
        UnsizedDimensions = resolved.Unsized.Where(u => !(Stackable && u.Axis == 0)).Select(u => u.Name).Distinct().ToList();
        foreach (var input in inputs)
        {
            if (TensorData.ClrTypeOf(input.ElementType) is null)
                throw new InvalidInputDataException($"Random data cannot be made for element type {input.ElementType}.", subject: input.Name,
                    advice: "give real data with --data");
        }
        _seed = seed;
        (_offset, _) = slice.Apply(int.MaxValue);
        Count = slice.Limit ?? DefaultCount;
    }

    public override string Description => $"random (seed {_seed})";

    public override int Count { get; }

    public override bool HasLabels => false;

    public override IReadOnlyList<string> UnsizedDimensions { get; }

    protected override (IReadOnlyDictionary<string, TensorData> Inputs, int? Label) ReadSample(int index)
    {
        // A fixed mix, not HashCode.Combine: that one is salted per process.
        var random = new Random(unchecked((_seed * 1_000_003) + _offset + index));
        var tensors = new Dictionary<string, TensorData>(StringComparer.Ordinal);
        foreach (var input in Inputs)
        {
            var shape = _shapes[input.Name];
            var count = (int)shape.Aggregate(1L, (a, d) => checked(a * d));
            tensors[input.Name] = new TensorData(input.ElementType, shape, IsInteger(input.ElementType)
                ? FillIntegers(input, shape, count, random)
                : Fill(input.ElementType, count, random));
        }
        return (tensors, null);
    }

    private static bool IsInteger(DataType type) => type is DataType.Int64 or DataType.Int32;

    private Array FillIntegers(ValueDescriptor input, long[] shape, int count, Random random)
    {
        var last = shape.Length == 0 ? 1 : (int)Math.Max(1, shape[^1]);
        long[] values = TokenInputs.RoleOf(input.Name) switch
        {
            TokenInputRole.AttentionMask => Enumerable.Repeat(1L, count).ToArray(),
            TokenInputRole.TokenTypes => new long[count],
            TokenInputRole.Positions => Enumerable.Range(0, count).Select(i => (long)(i % last)).ToArray(),
            _ when _tableRows.TryGetValue(input.Name, out var rows) && rows > 0 =>
                Enumerable.Range(0, count).Select(_ => random.NextInt64(rows)).ToArray(),
            _ => Enumerable.Range(0, count).Select(_ => (long)random.Next(2)).ToArray(),
        };
        return input.ElementType == DataType.Int32 ? values.Select(v => (int)v).ToArray() : values;
    }

    private static Array Fill(DataType type, int count, Random random) => type switch
    {
        DataType.Float => Enumerable.Range(0, count).Select(_ => (float)Gaussian(random)).ToArray(),
        DataType.Double => Enumerable.Range(0, count).Select(_ => Gaussian(random)).ToArray(),
        DataType.Float16 => Enumerable.Range(0, count).Select(_ => (Half)Gaussian(random)).ToArray(),
        DataType.Int64 => Enumerable.Range(0, count).Select(_ => (long)random.Next(2)).ToArray(),
        DataType.Int32 => Enumerable.Range(0, count).Select(_ => random.Next(2)).ToArray(),
        DataType.Uint8 => Enumerable.Range(0, count).Select(_ => (byte)random.Next(2)).ToArray(),
        DataType.Bool => Enumerable.Range(0, count).Select(_ => random.Next(2) == 1).ToArray(),
        _ => throw new InvalidOperationException($"No random fill for {type}."),
    };

    // Box-Muller: one standard normal value from two uniform ones.
    private static double Gaussian(Random random) =>
        Math.Sqrt(-2.0 * Math.Log(1.0 - random.NextDouble())) * Math.Cos(2.0 * Math.PI * random.NextDouble());
}
