namespace OnnxLowRank.Onnx.Errors;

/// <summary>
/// The output cannot be written where asked: it is the input model itself, its folder cannot be
/// written, or the disk refused the write. Nothing at the destination was changed.
/// </summary>
public sealed class OutputFileException(string message, string? filePath = null, string? subject = null, string? advice = null, Exception? inner = null)
    : OnnxLowRankException(message, filePath, subject, advice, inner);
