namespace OnnxLowRank.Core.Validation;

/// <summary>What an output with one vector per token holds, which decides the figures that mean something for it.</summary>
public enum TokenOutputKind
{
    /// <summary>Hidden states or token embeddings: compared by cosine, per token and mean-pooled per text.</summary>
    Embedding,

    /// <summary>A language model's logits over the vocabulary: next-token agreement and perplexity.</summary>
    Logits,
}

/// <summary>
/// Figures for an output of shape [batch, sequence, width] of a token model, over real tokens only (the attention
/// mask's ones). Embedding outputs fill the cosines, logits the next-token figures; the rest are null.
/// </summary>
/// <param name="Tokens">Real tokens compared.</param>
/// <param name="MeanPooledCosine">Mean over texts of the cosine between the two models' mean-pooled vectors (sentence embeddings).</param>
/// <param name="TokenCosine">Mean over real tokens of the cosine between the two models' vectors.</param>
/// <param name="NextTokenAgreement">Fraction of real tokens where both models predict the same next token (argmax).</param>
/// <param name="OriginalPerplexity">exp of the original's mean negative log-likelihood of each next real token.</param>
/// <param name="CompressedPerplexity">The same for the compressed model, on the same tokens.</param>
public sealed record TokenMetrics(
    TokenOutputKind Kind,
    long Tokens,
    double? MeanPooledCosine,
    double? TokenCosine,
    double? NextTokenAgreement,
    double? OriginalPerplexity,
    double? CompressedPerplexity)
{
    /// <summary>
    /// Embeddings: mean over texts of the share of each text's 10 nearest other texts (cosine of mean-pooled vectors)
    /// that the compressed model finds too, over the first 2,000 texts; null for logits or fewer than 11 texts.
    /// </summary>
    public double? NeighbourOverlap { get; init; }
}
