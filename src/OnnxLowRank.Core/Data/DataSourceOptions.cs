using OnnxLowRank.Core.Execution;

namespace OnnxLowRank.Core.Data;

/// <summary>How to read a data source; every field has a neutral default.</summary>
public sealed record DataSourceOptions
{
    /// <summary>Labels file (IDX labels or a 1-D integer .npy), when not inside the data itself.</summary>
    public string? LabelsPath { get; init; }

    /// <summary>Applied to image bytes (IDX); other sources carry values as stored.</summary>
    public PixelNormalization Normalization { get; init; } = PixelNormalization.UnitRange;

    public DataSlice Slice { get; init; } = DataSlice.All;

    /// <summary>Sizes of symbolic dimensions for random data; the other kinds take theirs from the data.</summary>
    public DimensionSizes Dimensions { get; init; } = DimensionSizes.None;

    public int Seed { get; init; }

    /// <summary>The tokenizer for text data: a WordPiece vocab.txt or a BPE vocab.json.</summary>
    public string? TokenizerPath { get; init; }

    /// <summary>The merges file of a BPE vocab.json (by default merges.txt beside it).</summary>
    public string? MergesPath { get; init; }

    /// <summary>Tokens per text sample at most, special tokens included.</summary>
    public int MaxTokens { get; init; } = TextDataSource.DefaultMaxTokens;

    /// <summary>
    /// Rows of the embedding tables the model's integer inputs index (<see cref="TokenEmbeddings.TableRows"/>): the
    /// vocabulary a tokenizer must fit in, and the range random token ids are drawn from.
    /// </summary>
    public IReadOnlyDictionary<string, long> TableRows { get; init; } = new Dictionary<string, long>();
}
