using OnnxLowRank.Onnx.Errors;

namespace OnnxLowRank.Cli;

/// <summary>Options that parse but do not make sense together, or an output file that cannot be written.</summary>
public sealed class UsageException(string message, string? filePath = null, string? subject = null, string? advice = null, Exception? inner = null)
    : OnnxLowRankException(message, filePath, subject, advice, inner);
