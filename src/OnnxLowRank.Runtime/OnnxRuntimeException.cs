using OnnxLowRank.Onnx.Errors;

namespace OnnxLowRank.Runtime;

/// <summary>
/// ONNX Runtime refused or failed something. <see cref="OnnxLowRankException.Reason"/> is ONNX Runtime's
/// own message; <see cref="ErrorCode"/> is its error code.
/// </summary>
public sealed class OnnxRuntimeException(ErrorCode errorCode, string message, string? filePath = null, string? subject = null, string? advice = null, Exception? inner = null)
    : OnnxLowRankException(message, filePath, subject, advice, inner)
{
    public ErrorCode ErrorCode { get; } = errorCode;
}
