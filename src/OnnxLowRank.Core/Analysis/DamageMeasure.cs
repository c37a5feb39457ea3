namespace OnnxLowRank.Core.Analysis;

/// <summary>How the change of a model's output is measured when one layer is factorized (ALGORITHMS.md section 13).</summary>
public enum DamageMeasure
{
    /// <summary>
    /// Mean KL(softmax(original) || softmax(compressed)) over rows (classes on the last axis; a language model's tokens): the
    /// expected increase of the cross-entropy against the original's own prediction. Rows that are already distributions are used as they are.
    /// </summary>
    Divergence,

    /// <summary>Mean 1 - cosine of each text's embedding: a token model's per-token output summed over its real tokens (mean pooling, up to a scale the cosine ignores).</summary>
    EmbeddingCosine,

    /// <summary>||y - y'||^2 / ||y||^2 over the whole subset: outputs with no classes or tokens (a regression, a feature map).</summary>
    RelativeError,
}
