using OnnxLowRank.Onnx.Errors;

namespace OnnxLowRank.Runtime;

/// <summary>
/// ONNX Runtime refused or failed something. <see cref="OnnxLowRankException.Reason"/> is ONNX Runtime's
/// own message; <see cref="ErrorCode"/> is its error code.
/// </summary>
public sealed class OnnxRuntimeException(ErrorCode errorCode, string message, string? filePath = null, string? subject = null, string? advice = null,
    Exception? inner = null, bool memoryLimitReached = false)
    : OnnxLowRankException(message, filePath, subject, advice, inner)
{
    public ErrorCode ErrorCode { get; } = errorCode;

    /// <summary>True when the model needed more memory than <see cref="MemoryLimit"/> allows.</summary>
    public bool MemoryLimitReached { get; } = memoryLimitReached;

    /// <summary>
    /// The same error naming <paramref name="filePath"/> as the model, for callers that ran a model held
    /// in memory and know the file it came from; an error that names a file already is returned as is.
    /// </summary>
    public OnnxRuntimeException ForFile(string filePath) => FilePath is not null
        ? this
        : new OnnxRuntimeException(ErrorCode, Reason, filePath, Subject, Advice, this, MemoryLimitReached);
}
