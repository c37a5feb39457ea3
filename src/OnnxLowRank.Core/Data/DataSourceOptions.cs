namespace OnnxLowRank.Core.Data;

/// <summary>How to read a data source; every field has a neutral default.</summary>
public sealed record DataSourceOptions
{
    /// <summary>Labels file (IDX labels or a 1-D integer .npy), when not inside the data itself.</summary>
    public string? LabelsPath { get; init; }

    /// <summary>Applied to image bytes (IDX); other sources carry values as stored.</summary>
    public PixelNormalization Normalization { get; init; } = PixelNormalization.UnitRange;

    public DataSlice Slice { get; init; } = DataSlice.All;

    /// <summary>Shape bindings for random data (see <see cref="ShapeBinding"/>).</summary>
    public IReadOnlyList<string> Shapes { get; init; } = [];

    public int Seed { get; init; }
}
