namespace OnnxLowRank.Onnx.Errors;

/// <summary>The model is valid ONNX but uses something this tool does not handle (an element type, an IR version).</summary>
public sealed class UnsupportedModelException(string message, string? filePath = null, string? subject = null, string? advice = null, Exception? inner = null)
    : OnnxLowRankException(message, filePath, subject, advice, inner);
