namespace OnnxLowRank.Onnx.Errors;

/// <summary>The file is not a well-formed ONNX model: bad protobuf, bad tensor sizes, unsafe external data.</summary>
public sealed class InvalidModelException(string message, string? filePath = null, string? subject = null, string? advice = null, Exception? inner = null)
    : OnnxLowRankException(message, filePath, subject, advice, inner);
