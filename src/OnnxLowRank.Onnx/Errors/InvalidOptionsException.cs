namespace OnnxLowRank.Onnx.Errors;

/// <summary>
/// Options that are out of range or do not go together (an energy threshold for an allocator that needs a budget,
/// a keep fraction of 0, an exclusion that leaves nothing to compress): a usage error, which the advice says how to fix.
/// </summary>
public sealed class InvalidOptionsException(string message, string advice, string? subject = null, Exception? inner = null)
    : OnnxLowRankException(message, filePath: null, subject, advice, inner);
