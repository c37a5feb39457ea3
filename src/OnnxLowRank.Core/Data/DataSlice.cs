namespace OnnxLowRank.Core.Data;

/// <summary>Which samples of a source to use: skip <see cref="Offset"/>, then take at most <see cref="Limit"/>.</summary>
public readonly record struct DataSlice(int Offset = 0, int? Limit = null)
{
    public static DataSlice All => new();

    /// <summary>The first sample index and the number of samples, for a source holding <paramref name="total"/>.</summary>
    public (int Start, int Count) Apply(int total, string? filePath = null)
    {
        if (Offset < 0)
            throw new InvalidInputDataException($"Offset {Offset} is negative.", filePath, advice: "give an offset of 0 or more");
        if (Limit is < 0)
            throw new InvalidInputDataException($"Limit {Limit} is negative.", filePath, advice: "give a limit of 0 or more");
        if (Offset > total)
            throw new InvalidInputDataException($"Offset {Offset} is past the end of the data ({total} samples).", filePath, advice: $"use an offset below {total}");
        var count = total - Offset;
        if (Limit is { } limit) count = Math.Min(count, limit);
        return (Offset, count);
    }
}
