using OnnxLowRank.Onnx.Errors;

namespace OnnxLowRank.Core.Data;

/// <summary>
/// A data file (images, labels, arrays, tensors) is unreadable or does not fit the model:
/// wrong magic number, truncated, unsupported element type, shape mismatch, missing input.
/// </summary>
public sealed class InvalidInputDataException(string message, string? filePath = null, string? subject = null, string? advice = null, Exception? inner = null)
    : OnnxLowRankException(message, filePath, subject, advice, inner);
