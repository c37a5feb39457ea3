using OnnxLowRank.Core.Execution;

namespace OnnxLowRank.Core.Data;

/// <summary>
/// One run's worth of model inputs: every tensor has <see cref="Count"/> samples along axis 0.
/// <see cref="Labels"/> holds one class index per sample when the source has labels. Text gives
/// <see cref="TokenLengths"/>, each sample's real tokens before its padding, which a model without an attention mask
/// input is not told but a comparison of its per-token outputs needs.
/// </summary>
public sealed record DataBatch(IReadOnlyDictionary<string, TensorData> Inputs, int Count, int[]? Labels, int[]? TokenLengths = null);
